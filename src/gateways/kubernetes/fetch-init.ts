import type { RequestInit } from "node-fetch";
import { Headers } from "./node-fetch.js";
import type { KubeConfig } from "@kubernetes/client-node";

// client-node's settings for one request (TLS, credentials, proxy agent), with headers we can add to: every request
// of the port, plain calls and watches alike, starts from them.

export async function fetchInit(kc: KubeConfig): Promise<RequestInit & { headers: Headers }> {
  const init = await kc.applyToFetchOptions({});
  return { ...init, headers: new Headers(init.headers) };
}
