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

/**
 * API Priority and Fairness rejecting a request: a plain-text 429 (not a Status) with Retry-After and the
 * flow schema / priority level headers, as the real filter answers.
 */
export function sendApfRejection(res: ServerResponse, retryAfterSeconds: number): void {
  const body = "Too many requests, please try again later.\n";
  res.writeHead(429, {
    "Retry-After": String(retryAfterSeconds),
    "X-Kubernetes-Pf-Flowschema-Uid": "b5a8f1f2-3f5e-4c64-9d55-2f1d0c7e9a10",
    "X-Kubernetes-Pf-Prioritylevel-Uid": "0c3e6f1a-8b8e-4a55-a1d0-5a9f3b1e2c77",
    "Content-Type": "text/plain; charset=utf-8",
    "X-Content-Type-Options": "nosniff",
    "Content-Length": Buffer.byteLength(body),
  });
  res.end(body);
}

/** `Warning: 299 - "unknown field \"spec.foo\""` headers, as the API server sends them for fieldValidation=Warn */
export function warningHeaders(warnings: string[] | undefined): Record<string, string[]> {
  if (!warnings?.length) return {};
  return { Warning: [...new Set(warnings)].map((w) => `299 - ${JSON.stringify(w)}`) };
}
