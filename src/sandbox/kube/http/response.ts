// Plain (non-streaming) responses: a JSON or text body, or an error as a Kubernetes Status.
import type { ServerResponse } from "node:http";
import { ApiError, errors } from "../errors.js";

export function send(res: ServerResponse, code: number, body: any, contentType = "application/json"): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const data = typeof body === "string" ? body : JSON.stringify(body);
  res.writeHead(code, { "Content-Type": contentType, "Cache-Control": "no-cache, private", "Content-Length": Buffer.byteLength(data) });
  res.end(data);
}

export function sendError(res: ServerResponse, e: unknown): void {
  if (e instanceof ApiError) send(res, e.code, e.toStatus());
  else {
    const msg = e instanceof Error ? e.message : String(e);
    send(res, 500, errors.internal(msg).toStatus());
  }
}
