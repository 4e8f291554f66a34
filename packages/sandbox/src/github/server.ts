// The HTTP side of the GitHub sandbox: node:http, auth, rate-limit headers, faults, logging, error bodies.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import { type GithubStore } from "./store.js";
import { DOCS, HttpError, notFound } from "./routes/errors.js";
import { dispatch } from "./routes/index.js";
import { type RateState, rateLimitBody } from "./routes/rate-limit.js";
import type { ApiReply, ApiRequest, RouteCtx } from "./routes/route.js";
import type { GithubEvents } from "./webhooks/events.js";

export interface FaultRule {
  method?: string;
  pathPattern?: RegExp;
  status: number;
  /** How many matching requests fail; unlimited when omitted. */
  count?: number;
  /** Body message; defaults to a message GitHub would send for the status. */
  message?: string;
  /** Extra response headers (e.g. `retry-after`). */
  headers?: Record<string, string>;
}

export interface RequestLogEntry {
  method: string;
  /** The path without the query string, percent-decoded (so `/branches/feature/faster-unicorn`). */
  path: string;
  /** The path as received (Octokit percent-encodes "/" inside parameters as %2F). */
  rawPath: string;
  status: number;
  /** The query string without "?" ("" when none). */
  query: string;
}

/** Everything about one answered request; handed to `onResponse` (used by the OpenAPI fidelity tests). */
export interface Exchange extends RequestLogEntry {
  requestBody: unknown;
  responseBody: unknown; // parsed JSON, or the raw text, or undefined for no body
  responseHeaders: Record<string, string>;
  faulted: boolean;
}

export interface ServerOptions {
  host: string;
  port: number;
  store: GithubStore;
  htmlBase: string;
  onResponse?: (x: Exchange) => void;
  events?: GithubEvents;
}

export interface RunningServer {
  server: Server;
  url: string;
  log: RequestLogEntry[];
  counter: { total: number };
  faults: Array<FaultRule & { remaining: number }>;
  rate: RateState;
}

const MAX_BODY = 5 * 1024 * 1024;

function faultMessage(status: number): string {
  switch (status) {
    case 401: return "Bad credentials";
    case 403: return "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.";
    case 404: return "Not Found";
    case 409: return "Conflict";
    case 422: return "Validation Failed";
    case 429: return "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.";
    case 500: return "Server Error";
    case 502: return "Server Error";
    case 503: return "Service Unavailable";
    default: return "Sandbox fault";
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) { reject(new HttpError(413, { message: "Payload too large", documentation_url: DOCS })); req.destroy(); return; }
      chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function tokenOf(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^(?:token|bearer)\s+(\S+)\s*$/i.exec(header);
  return m ? m[1] : "\u0000invalid";
}

export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const state: RunningServer = {
    server: undefined as unknown as Server,
    url: "",
    log: [],
    counter: { total: 0 },
    faults: [],
    rate: { limit: 5000, used: 0, reset: Math.floor(Date.now() / 1000) + 3600 },
  };
  const ctx: RouteCtx = { api: "", html: opts.htmlBase, store: opts.store, events: opts.events };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const method = (req.method ?? "GET").toUpperCase();
    const u = new URL(req.url ?? "/", "http://sandbox");
    const pathname = u.pathname;
    let requestBody: unknown;
    let reply: ApiReply;
    let faulted = false;

    const nowSec = Math.floor(Date.now() / 1000);
    if (nowSec >= state.rate.reset) { state.rate.used = 0; state.rate.reset = nowSec + 3600; }

    try {
      const text = await readBody(req);
      if (text.trim() !== "") {
        try { requestBody = JSON.parse(text); } catch { throw new HttpError(400, { message: "Problems parsing JSON", documentation_url: DOCS, status: "400" }); }
      }
      const fault = state.faults.find((f) =>
        f.remaining > 0 && (!f.method || f.method.toUpperCase() === method) && (!f.pathPattern || testPattern(f.pathPattern, pathname)));
      if (fault) {
        fault.remaining--;
        faulted = true;
        const extra: Record<string, string> = { ...fault.headers };
        if ((fault.status === 403 || fault.status === 429) && !extra["retry-after"] && !fault.message) extra["retry-after"] = "1";
        reply = {
          status: fault.status,
          body: { message: fault.message ?? faultMessage(fault.status), documentation_url: DOCS, status: String(fault.status) },
          headers: extra,
        };
      } else if (method === "GET" && pathname.startsWith("/_raw/")) {
        reply = rawFile(ctx, pathname);
      } else {
        const token = tokenOf(req.headers.authorization);
        const login = token === undefined ? undefined : opts.store.tokens.get(token);
        if (token === undefined) throw new HttpError(401, { message: "Requires authentication", documentation_url: DOCS, status: "401" });
        if (!login) throw new HttpError(401, { message: "Bad credentials", documentation_url: DOCS, status: "401" });
        if (pathname === "/rate_limit" && method === "GET") {
          reply = { status: 200, body: rateLimitBody(state.rate) };
        } else {
          state.rate.used++;
          const apiReq: ApiRequest = { method, pathname, query: u.searchParams, headers: req.headers, body: requestBody, login };
          reply = dispatch(ctx, apiReq);
        }
      }
    } catch (e) {
      if (e instanceof HttpError) reply = { status: e.status, body: e.body };
      else {
        reply = { status: 500, body: { message: `Sandbox error: ${(e as Error).message}`, documentation_url: DOCS, status: "500" } };
      }
    }

    const headers: Record<string, string> = {
      "x-github-request-id": requestId(),
      "x-github-media-type": "github.v3; format=json",
      "x-github-api-version-selected": "2022-11-28",
      "x-ratelimit-limit": String(state.rate.limit),
      "x-ratelimit-remaining": String(Math.max(0, state.rate.limit - state.rate.used)),
      "x-ratelimit-used": String(state.rate.used),
      "x-ratelimit-reset": String(state.rate.reset),
      "x-ratelimit-resource": "core",
      ...reply.headers,
    };
    let payload: string | undefined;
    if (reply.raw !== undefined) {
      payload = reply.raw;
      headers["content-type"] = reply.contentType ?? "text/plain; charset=utf-8";
    } else if (reply.body !== undefined && reply.status !== 204) {
      payload = JSON.stringify(reply.body);
      headers["content-type"] = "application/json; charset=utf-8";
    }
    if (payload !== undefined) headers["content-length"] = String(Buffer.byteLength(payload));
    res.writeHead(reply.status, headers);
    res.end(method === "HEAD" ? undefined : payload);

    const entry: RequestLogEntry = { method, path: safeDecode(pathname), rawPath: pathname, status: reply.status, query: u.search.replace(/^\?/, "") };
    state.counter.total++;
    state.log.push(entry);
    opts.onResponse?.({
      ...entry, requestBody, responseBody: reply.raw ?? reply.body, responseHeaders: headers, faulted,
    });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(500, { "content-type": "application/json; charset=utf-8" });
      res.end(JSON.stringify({ message: `Sandbox error: ${(e as Error).message}`, documentation_url: DOCS }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host, () => { server.off("error", reject); resolve(); });
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === "IPv6" ? `[${addr.address}]` : addr.address;
  state.server = server;
  state.url = `http://${host}:${addr.port}`;
  ctx.api = state.url;
  return state;
}

function safeDecode(p: string): string {
  try { return decodeURIComponent(p); } catch { return p; }
}

/** Fault patterns match the decoded path or the path as received. */
function testPattern(re: RegExp, pathname: string): boolean {
  re.lastIndex = 0;
  if (re.test(safeDecode(pathname))) return true;
  re.lastIndex = 0;
  return re.test(pathname);
}

function requestId(): string {
  const h = randomBytes(10).toString("hex").toUpperCase();
  return `${h.slice(0, 4)}:${h.slice(4, 8)}:${h.slice(8, 14)}:${h.slice(14, 20)}:${Math.floor(Date.now() / 1000).toString(16).toUpperCase()}`;
}

/** GET /_raw/{owner}/{repo}/{sha}/{path}: the download_url of the contents API (no auth, like a signed raw URL). */
function rawFile(ctx: RouteCtx, pathname: string): ApiReply {
  const m = /^\/_raw\/([^/]+)\/([^/]+)\/([0-9a-f]{40})\/(.+)$/.exec(pathname);
  if (!m) throw notFound();
  const r = ctx.store.findRepo(decodeURIComponent(m[1]!), decodeURIComponent(m[2]!));
  if (!r || !r.commits.has(m[3]!)) throw notFound();
  const path = m[4]!.split("/").map(decodeURIComponent).join("/");
  const content = ctx.store.filesAt(r, m[3]!).get(path);
  if (content === undefined) throw notFound();
  return { status: 200, raw: content, contentType: "text/plain; charset=utf-8" };
}
