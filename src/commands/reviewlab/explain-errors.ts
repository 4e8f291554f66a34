import type { CommandSpec } from "../../core/command.js";
import { UserError } from "../../core/errors.js";
import { isGatewayError } from "../../gateways/types.js";

// Gateway failures (Kubernetes or GitHub refusing, unreachable, timing out) become one line a person can act
// on instead of "Internal error". Anything else is left to the router.

const WHY: Record<string, string> = {
  forbidden: "the API refused Tugboat's credentials for this",
  unauthorized: "Tugboat's credentials were not accepted",
  unavailable: "the API could not be reached",
  timeout: "the API did not answer in time",
  "not-found": "something it needed was not found",
  conflict: "an object changed meanwhile; try again",
};

export function explainLabError(err: unknown, verb: string): unknown {
  if (!isGatewayError(err)) return err;
  return new UserError(`/reviewlab ${verb} failed: ${WHY[err.kind] ?? "the API returned an error"} (${err.message}).`);
}

/** The same spec, with gateway failures in run turned into a clear refusal. */
export function withClearErrors<A>(spec: CommandSpec<A>): CommandSpec<A> {
  return {
    ...spec,
    run: async (args, ctx) => {
      try {
        await spec.run(args, ctx);
      } catch (err) {
        throw explainLabError(err, spec.verb);
      }
    },
  };
}
