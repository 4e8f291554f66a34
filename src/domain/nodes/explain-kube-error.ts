import { UserError } from "../../core/errors.js";
import { isGatewayError } from "../../gateways/types.js";

// Turns a gateway failure into one line a person can act on; anything else is rethrown as internal.

export function explainKubeError(err: unknown, cluster: string, what: string): never {
  if (err instanceof UserError) throw err;
  if (isGatewayError(err)) {
    const why: Record<string, string> = {
      forbidden: "Kubernetes refused Tugboat's service account",
      unauthorized: "Tugboat's credentials were not accepted",
      unavailable: "the cluster could not be reached",
      timeout: "the cluster did not answer in time",
      "not-found": "it was not found",
      conflict: "it changed meanwhile",
    };
    throw new UserError(`Could not ${what} on ${cluster}: ${why[err.kind] ?? "the API returned an error"} (${err.message}).`);
  }
  throw err;
}
