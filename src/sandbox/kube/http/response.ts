// Plain (non-streaming) responses: a JSON or text body, or an error as a Kubernetes Status.
import type { ServerResponse } from "node:http";
import { ApiError, errors } from "../errors.js";

export function send(res: ServerResponse, code: number, body: any, contentType = "application/json", extraHeaders: Record<string, string | string[]> = {}): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const data = typeof body === "string" ? body : JSON.stringify(body);
  res.writeHead(code, { ...extraHeaders, "Content-Type": contentType, "Cache-Control": "no-cache, private", "Content-Length": Buffer.byteLength(data) });
  res.end(data);
}

export function sendError(res: ServerResponse, e: unknown): void {
  if (e instanceof ApiError) {
    // 429s (API Priority and Fairness) tell the client when to come back, in the header as well as the Status
    const retry = e.details?.retryAfterSeconds;
    send(res, e.code, e.toStatus(), "application/json", retry !== undefined ? { "Retry-After": String(retry) } : {});
  }
  else {
    const msg = e instanceof Error ? e.message : String(e);
    send(res, 500, errors.internal(msg).toStatus());
  }
}

/** `Warning: 299 - "unknown field \"spec.foo\""` headers, as the API server sends them for fieldValidation=Warn */
export function warningHeaders(warnings: string[] | undefined): Record<string, string[]> {
  if (!warnings?.length) return {};
  return { Warning: [...new Set(warnings)].map((w) => `299 - ${JSON.stringify(w)}`) };
}
