// The shape of a route: a parsed request in, a reply out, matched by a path template.
import type { RenderCtx } from "../render/shared.js";
import type { GithubStore } from "../store.js";
import type { GithubEvents } from "../webhooks/events.js";

export interface ApiRequest {
  method: string;
  pathname: string; // raw, as received
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  login: string; // the authenticated user
}

export interface ApiReply {
  status: number;
  body?: unknown; // JSON unless `raw` is set
  raw?: string;
  contentType?: string;
  headers?: Record<string, string>;
}

export interface RouteCtx extends RenderCtx {
  store: GithubStore;
  /** Where changes are told (webhook deliveries, the simulated CI); none when nobody listens. */
  events?: GithubEvents;
}

export type Params = Record<string, string>;
export type Handler = (ctx: RouteCtx, req: ApiRequest, p: Params) => ApiReply;

export interface Route { method: string; re: RegExp; keys: string[]; handler: Handler }

/** Template "/repos/:owner/:repo/branches/*branch": ":x" is one segment, "*x" the rest (may hold "/", may be empty). */
export function route(method: string, template: string, handler: Handler): Route {
  const keys: string[] = [];
  const src = template.split("/").map((seg) => {
    if (seg.startsWith(":")) { keys.push(seg.slice(1)); return "([^/]+)"; }
    if (seg.startsWith("*")) { keys.push(seg.slice(1)); return "?(.*)"; }
    return seg.replace(/[.*+?^${}()|[\]\\-]/g, "\\$&");
  }).join("/");
  return { method, re: new RegExp(`^${src}/?$`), keys, handler };
}

/** The prefix of every repository endpoint's template. */
export const REPO = "/repos/:owner/:repo";
