import type { IncomingMessage } from "node:http";

// Reading a raw Node request the same way in every HTTP entry point (Slack's receiver, the ops paths, GitHub webhooks).

/** A header's first value (Node gives repeated headers as an array). */
export function headerValue(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** The request's path without its query, or "" when the URL cannot be parsed. */
export function pathOf(req: IncomingMessage): string {
  try {
    return new URL(req.url ?? "/", "http://localhost").pathname;
  } catch {
    return "";
  }
}
