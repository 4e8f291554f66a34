import { UserError } from "../../core/errors.js";
import type { Clock } from "../../core/services.js";
import { GatewayError, isGatewayError } from "../../gateways/types.js";

// Gateway failures as one clear line each (UserError, shown in the channel). Never a stack trace.

function oneLine(s: string): string {
  const flat = s.replace(/\s+/g, " ").trim();
  return flat.length > 400 ? flat.slice(0, 397) + "..." : flat;
}

/** Turns a GatewayError into a UserError; anything else is rethrown unchanged (an internal error). */
export function explainGatewayError(err: unknown, cluster: string): never {
  if (!isGatewayError(err)) throw err;
  const msg = oneLine(err.message);
  switch (err.kind) {
    case "forbidden":
      throw new UserError(`Forbidden by cluster ${cluster}'s RBAC: ${msg}`);
    case "unauthorized":
      throw new UserError(`Cluster ${cluster} refused Tugboat's credentials (HTTP 401): ${msg}`);
    case "timeout":
      throw new UserError(`Timed out: ${msg}.`.replace(/\.\.$/, "."));
    case "unavailable":
      throw new UserError(`Unavailable: ${msg}.`.replace(/\.\.$/, "."));
    case "invalid":
      throw new UserError(`Cluster ${cluster} rejected the query: ${msg}`);
    default:
      throw new UserError(`Cluster ${cluster}: ${msg}`);
  }
}

/**
 * Bounds a gateway call by config.kube.requestTimeoutSeconds, so a slow API server becomes one clear line
 * even when the gateway was built with a longer timeout.
 */
export async function withDeadline<T>(p: Promise<T>, seconds: number, cluster: string, clock: Clock): Promise<T> {
  const over = new AbortController();
  const deadline = clock.sleep(seconds * 1000, over.signal).then(
    () => {
      throw new GatewayError("timeout", `the API server of cluster ${cluster} did not answer within ${formatSeconds(seconds)}`);
    },
    () => new Promise<never>(() => {}), // the call settled first
  );
  try {
    return await Promise.race([p, deadline]);
  } finally {
    over.abort();
  }
}

function formatSeconds(s: number): string {
  return Number.isInteger(s) ? `${s} s` : `${s.toFixed(1)} s`;
}
