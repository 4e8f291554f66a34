import { createInterface } from "node:readline";
import { fetch } from "./node-fetch.js";
import type { KubeConfig } from "@kubernetes/client-node";
import type { GatewayError, KObject, KubeActor, WatchEvent } from "../types.js";
import { fetchInit } from "./fetch-init.js";
import { addImpersonationHeaders } from "./impersonation.js";
import { statusError } from "./kube-errors.js";
import { parseRetryAfter } from "./retry-policy.js";

// One watch request as a stream of events. Unlike client-node's Watch it keeps what a refusal says: the
// Status body (whose message names the missing permission) and the Retry-After of a 429, which the informer
// needs to back off and to explain itself.

export interface WatchStreamOptions {
  kc: KubeConfig;
  cluster: string;
  /** Full URL with the query (watch=true, resourceVersion, selectors). */
  url: string;
  actor?: KubeActor;
  now: () => Date;
  onEvent: (ev: WatchEvent) => void;
  /** Called once: undefined for a clean end, else why it failed (an ERROR event included). */
  onClose: (err?: GatewayError | Error) => void;
}

/** Opens the watch; resolves once the server answered (or failed), with a function that ends it. */
export async function openWatchStream(opts: WatchStreamOptions): Promise<() => void> {
  const init = await fetchInit(opts.kc);
  const headers = init.headers;
  headers.set("Accept", "application/json");
  headers.set("User-Agent", "tugboat");
  if (opts.actor) addImpersonationHeaders(headers, opts.actor);
  const controller = new AbortController();
  let closed = false;
  const close = (err?: GatewayError | Error) => {
    if (closed) return;
    closed = true;
    controller.abort();
    opts.onClose(err);
  };
  const stop = () => {
    closed = true;
    controller.abort();
  };
  try {
    const res = await fetch(opts.url, { ...init, method: "GET", headers, signal: controller.signal });
    if (res.status !== 200) {
      const text = await res.text();
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        body = { message: text.trim().slice(0, 300) || undefined };
      }
      const err = statusError(opts.cluster, res.status, body);
      err.retryAfterMs = parseRetryAfter(res.headers.get("retry-after"), opts.now());
      close(err);
      return stop;
    }
    const lines = createInterface({ input: res.body as NodeJS.ReadableStream });
    lines.on("line", (line) => {
      if (closed || !line.trim()) return;
      let ev: { type?: string; object?: KObject & { code?: number } };
      try {
        // One watch event as the API server sends it: the edge where its JSON becomes a typed event.
        ev = JSON.parse(line) as typeof ev;
      } catch {
        return;
      }
      if (ev.type === "ERROR") return close(statusError(opts.cluster, typeof ev.object?.code === "number" ? ev.object.code : 500, ev.object));
      if (ev.object) opts.onEvent({ type: ev.type as WatchEvent["type"], object: ev.object });
    });
    lines.on("close", () => close());
    // readline passes the body's errors on (an abort included); both must be heard or they are uncaught.
    lines.on("error", (e: Error) => close(e));
    res.body.on("error", (e: Error) => close(e));
  } catch (err) {
    close(err as Error);
  }
  return stop;
}
