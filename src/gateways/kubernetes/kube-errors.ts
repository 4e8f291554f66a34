import { GatewayError, type GatewayErrorKind } from "../types.js";

// Maps API server answers and transport failures to GatewayError with a message a user can act on.

const REASON_KIND: Record<string, GatewayErrorKind> = {
  NotFound: "not-found",
  AlreadyExists: "already-exists",
  Conflict: "conflict",
  Invalid: "invalid",
  Forbidden: "forbidden",
  Unauthorized: "unauthorized",
  Gone: "gone",
  Expired: "gone",
  Timeout: "timeout",
  ServerTimeout: "timeout",
  ServiceUnavailable: "unavailable",
  InternalError: "unavailable",
  BadRequest: "invalid",
  MethodNotAllowed: "invalid",
  TooManyRequests: "unavailable",
};

function kindForStatus(code: number): GatewayErrorKind {
  if (code === 404) return "not-found";
  if (code === 409) return "conflict";
  if (code === 410) return "gone";
  if (code === 401) return "unauthorized";
  if (code === 403) return "forbidden";
  if (code === 422 || code === 400) return "invalid";
  if (code === 429 || code >= 500) return "unavailable";
  return "other";
}

export function statusError(cluster: string, code: number, body: unknown): GatewayError {
  const status = body as { reason?: string; message?: string } | undefined;
  const kind = (status?.reason && REASON_KIND[status.reason]) || kindForStatus(code);
  const message = status?.message ? status.message : `the API server of cluster ${cluster} answered HTTP ${code}`;
  return new GatewayError(kind, message, code, body);
}

export function transportError(cluster: string, server: string, err: unknown, timeoutMs: number): GatewayError {
  const e = err as { name?: string; code?: string; type?: string; message?: string };
  if (e?.name === "AbortError" || e?.type === "aborted" || e?.name === "TimeoutError") {
    return new GatewayError("timeout", `the API server of cluster ${cluster} did not answer within ${Math.round(timeoutMs / 1000)} s`);
  }
  const code = e?.code ?? (e?.message?.match(/E[A-Z]+/)?.[0] ?? "");
  return new GatewayError("unavailable", `cannot reach the API server of cluster ${cluster} at ${server}${code ? ` (${code})` : ""}`, undefined, { code });
}
