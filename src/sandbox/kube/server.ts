/** node:http front end: routing, content negotiation (JSON / Table), watch streaming, faults. */
import type { IncomingMessage, ServerResponse } from "node:http";
import { Api } from "./api/index.js";
import { ApiError, errors, faultError } from "./errors.js";
import { aggregatedDiscovery, apiGroup, apiGroupList, apiResourceList, apiVersions, openapiV2Doc, openapiV3Doc, openapiV3Index, VERSION_INFO } from "./discovery.js";
import type { Faults } from "./faults.js";
import { podLogs } from "./logs.js";
import { decodeK8sProtobuf } from "./protobuf.js";
import { RESOURCES, apiVersionOf, resourceKey, type ResourceDef } from "./resources.js";
import { checkFieldSelector, matchFields, matchLabels, parseFieldSelector, parseLabelSelector } from "./selectors.js";
import type { Store, StoreEvent } from "./store.js";
import { toTable, type IncludeObject } from "./tables.js";
import type { RequestLogEntry } from "./types.js";
import { clone } from "./util.js";

interface Route {
  def: ResourceDef;
  namespace?: string;
  name?: string;
  sub?: string;
}

const WATCH_BOOKMARK_MS = 1000;

function wantsTable(accept: string): boolean {
  return /as=Table/.test(accept) && /g=meta\.k8s\.io/.test(accept);
}

function boolParam(v: string | null): boolean {
  return v === "true" || v === "1";
}

export class KubeHttp {
  requests = { total: 0, log: [] as RequestLogEntry[] };
  private openSockets = new Set<any>();
  private watchers = new Set<() => void>();

  constructor(private api: Api, private store: Store, private faults: Faults, private serverAddress: () => string) {}

  trackSocket(s: any): void {
    this.openSockets.add(s);
    s.on("close", () => this.openSockets.delete(s));
  }

  closeAll(): void {
    for (const w of [...this.watchers]) w();
    for (const s of this.openSockets) s.destroy();
  }

  private send(res: ServerResponse, code: number, body: any, contentType = "application/json"): void {
    if (res.headersSent) {
      res.end();
      return;
    }
    const data = typeof body === "string" ? body : JSON.stringify(body);
    res.writeHead(code, { "Content-Type": contentType, "Cache-Control": "no-cache, private", "Content-Length": Buffer.byteLength(data) });
    res.end(data);
  }

  private sendError(res: ServerResponse, e: unknown): void {
    if (e instanceof ApiError) this.send(res, e.code, e.toStatus());
    else {
      const msg = e instanceof Error ? e.message : String(e);
      this.send(res, 500, errors.internal(msg).toStatus());
    }
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://sandbox");
    const method = (req.method ?? "GET").toUpperCase();
    this.requests.total++;
    this.requests.log.push({ method, path: url.pathname, at: Date.now(), query: url.search.replace(/^\?/, "") });
    if (this.requests.log.length > 5000) this.requests.log.splice(0, this.requests.log.length - 5000);
    try {
      const raw = await readBody(req);
      const ct = String(req.headers["content-type"] ?? "");
      const body = ct.startsWith("application/vnd.kubernetes.protobuf") ? JSON.stringify(decodeK8sProtobuf(raw)) : raw.toString("utf8");
      await this.dispatch(req, res, url, method, body);
    } catch (e) {
      this.sendError(res, e);
    }
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse, url: URL, method: string, body: string): Promise<void> {
    const path = url.pathname.replace(/\/+$/, "") || "/";
    const accept = String(req.headers.accept ?? "");
    const q = url.searchParams;
    // ---- non-resource endpoints
    if (path === "/version") return this.send(res, 200, VERSION_INFO);
    if (path === "/healthz" || path === "/livez" || path === "/readyz") return this.send(res, 200, "ok", "text/plain; charset=utf-8");
    if (path === "/api" || path === "/apis") {
      const legacy = path === "/api";
      const m = accept.match(/g=apidiscovery\.k8s\.io;v=(v2beta1|v2);as=APIGroupDiscoveryList/);
      if (m) {
        const v = m[1] as "v2" | "v2beta1";
        return this.send(res, 200, aggregatedDiscovery(legacy, v), `application/json;g=apidiscovery.k8s.io;v=${v};as=APIGroupDiscoveryList`);
      }
      return this.send(res, 200, legacy ? apiVersions(this.serverAddress()) : apiGroupList());
    }
    if (path === "/openapi/v3") return this.send(res, 200, openapiV3Index());
    if (path.startsWith("/openapi/v3/")) {
      const rest = path.slice("/openapi/v3/".length).split("/");
      const doc = rest[0] === "api" ? openapiV3Doc("", rest[1]) : rest[0] === "apis" ? openapiV3Doc(rest[1], rest[2]) : undefined;
      if (!doc) throw errors.notFoundPath();
      return this.send(res, 200, doc);
    }
    if (path === "/openapi/v2" || path === "/swagger.json") {
      if (accept && !accept.includes("json") && !accept.includes("*/*")) {
        throw new ApiError(406, "NotAcceptable", `only the following media types are accepted: application/json`);
      }
      return this.send(res, 200, openapiV2Doc());
    }
    const segs = path.split("/").filter(Boolean);
    let group: string;
    let version: string;
    let rest: string[];
    if (segs[0] === "api") {
      group = "";
      version = segs[1];
      rest = segs.slice(2);
    } else if (segs[0] === "apis") {
      group = segs[1];
      version = segs[2];
      rest = segs.slice(3);
      if (segs.length === 2) {
        const g = apiGroup(group);
        if (!g) throw errors.notFoundPath();
        return this.send(res, 200, g);
      }
    } else throw errors.notFoundPath();
    if (!version) throw errors.notFoundPath();
    if (rest.length === 0) {
      const l = apiResourceList(group, version);
      if (!l) throw errors.notFoundPath();
      return this.send(res, 200, l);
    }
    let watchPath = false;
    if (rest[0] === "watch") {
      watchPath = true;
      rest = rest.slice(1);
    }
    const route = this.route(group, version, rest);
    if (!route) throw errors.notFoundPath();
    const isWatch = watchPath || boolParam(q.get("watch"));
    const verb = this.verbOf(method, route, isWatch);
    // ---- faults
    const f = this.faults.decide(verb, route.def.plural, route.sub);
    if (f.latencyMs) await new Promise((r) => setTimeout(r, f.latencyMs));
    if (f.status) throw faultError(f.status, route.def, route.name);
    const opts = {
      dryRun: q.getAll("dryRun").includes("All"),
      fieldManager: q.get("fieldManager") ?? undefined,
      force: boolParam(q.get("force")),
    };
    const ua = String(req.headers["user-agent"] ?? "");
    const manager = opts.fieldManager ?? (ua ? ua.split("/")[0] : "unknown");
    const { def, namespace: ns, name, sub } = route;
    const table = wantsTable(accept);
    const include = (q.get("includeObject") as IncludeObject) || "Metadata";
    switch (verb) {
      case "get": {
        if (sub === "log") return this.send(res, 200, this.logs(route, q), "text/plain");
        if (sub === "scale") return this.send(res, 200, this.api.getScale(def, ns, name!));
        const obj = this.api.get(def, ns, name!);
        if (table && !sub) return this.send(res, 200, toTable(def, [obj], { resourceVersion: obj.metadata.resourceVersion }, include));
        return this.send(res, 200, obj);
      }
      case "list": {
        const lq = {
          labelSelector: q.get("labelSelector") ?? undefined,
          fieldSelector: q.get("fieldSelector") ?? undefined,
          limit: q.get("limit") ? parseInt(q.get("limit")!, 10) : undefined,
          continue: q.get("continue") ?? undefined,
        };
        const r = this.api.list(def, ns, lq);
        const meta: any = { resourceVersion: r.resourceVersion };
        if (r.continue) meta.continue = r.continue;
        if (r.remainingItemCount !== undefined) meta.remainingItemCount = r.remainingItemCount;
        if (table) return this.send(res, 200, toTable(def, r.items, meta, include));
        return this.send(res, 200, { kind: `${def.kind}List`, apiVersion: apiVersionOf(def), metadata: meta, items: r.items });
      }
      case "watch":
        return this.watch(req, res, route, q, table ? include : undefined, f.dropWatchAfterMs);
      case "create": {
        const parsed = parseJson(body);
        const created = this.api.create(def, ns, parsed, { ...opts, fieldManager: manager });
        return this.send(res, 201, created);
      }
      case "update": {
        const parsed = parseJson(body);
        const updated = this.api.update(def, ns, name!, parsed, { ...opts, fieldManager: manager }, sub);
        return this.send(res, 200, updated);
      }
      case "patch": {
        const ct = String(req.headers["content-type"] ?? "application/json-patch+json");
        const isApply = ct.startsWith("application/apply-patch");
        const existed = !!this.store.get(def, ns, name!);
        const out = this.api.patch(def, ns, name!, ct, body, { ...opts, fieldManager: isApply ? opts.fieldManager : manager }, sub);
        return this.send(res, isApply && !existed ? 201 : 200, out);
      }
      case "delete": {
        const parsed = body.trim() ? parseJson(body) : {};
        const propagationPolicy = q.get("propagationPolicy") ?? parsed.propagationPolicy;
        const out = this.api.delete(def, ns, name!, parsed, { ...opts, propagationPolicy });
        return this.send(res, out?.metadata?.deletionTimestamp && def.kind !== "Namespace" ? 202 : 200, out);
      }
      case "deletecollection": {
        const parsed = body.trim() ? parseJson(body) : {};
        const out = this.api.deleteCollection(def, ns, { labelSelector: q.get("labelSelector") ?? undefined, fieldSelector: q.get("fieldSelector") ?? undefined }, parsed, { ...opts, propagationPolicy: q.get("propagationPolicy") ?? parsed.propagationPolicy });
        return this.send(res, 200, out);
      }
      default:
        throw errors.methodNotAllowed();
    }
  }

  private route(group: string, version: string, rest: string[]): Route | undefined {
    const find = (plural: string) => RESOURCES.find((r) => r.group === group && r.version === version && r.plural === plural);
    if (rest[0] === "namespaces" && rest.length >= 3) {
      const def = find(rest[2]);
      if (def && def.namespaced) {
        if (rest.length > 5) return undefined;
        const sub = rest[4];
        if (sub && !def.subresources.includes(sub)) return undefined;
        return { def, namespace: rest[1], name: rest[3], sub };
      }
    }
    const def = find(rest[0]);
    if (!def) return undefined;
    if (rest.length > 3) return undefined;
    const sub = rest[2];
    if (sub && !def.subresources.includes(sub)) return undefined;
    return { def, name: rest[1], sub };
  }

  private verbOf(method: string, r: Route, isWatch: boolean): string {
    switch (method) {
      case "GET":
      case "HEAD":
        if (r.name) return "get";
        return isWatch ? "watch" : "list";
      case "POST":
        if (r.name) throw errors.methodNotAllowed();
        if (r.def.namespaced && !r.namespace) throw errors.methodNotAllowed();
        if (!r.def.verbs.includes("create")) throw errors.methodNotAllowed();
        return "create";
      case "PUT":
        if (!r.name) throw errors.methodNotAllowed();
        if (r.sub === "log") throw errors.methodNotAllowed();
        if (!r.sub && !r.def.verbs.includes("update")) throw errors.methodNotAllowed();
        return "update";
      case "PATCH":
        if (!r.name || r.sub === "log") throw errors.methodNotAllowed();
        if (!r.sub && !r.def.verbs.includes("patch")) throw errors.methodNotAllowed();
        return "patch";
      case "DELETE":
        if (r.sub) throw errors.methodNotAllowed();
        if (!r.name) {
          if (!r.def.verbs.includes("deletecollection")) throw errors.methodNotAllowed();
          return "deletecollection";
        }
        if (!r.def.verbs.includes("delete")) throw errors.methodNotAllowed();
        return "delete";
      default:
        throw errors.methodNotAllowed();
    }
  }

  private logs(r: Route, q: URLSearchParams): string {
    const pod = this.api.get(r.def, r.namespace, r.name!);
    const num = (k: string) => (q.get(k) !== null ? parseInt(q.get(k)!, 10) : undefined);
    return podLogs(pod, {
      container: q.get("container") ?? undefined,
      tailLines: num("tailLines"),
      sinceSeconds: num("sinceSeconds"),
      sinceTime: q.get("sinceTime") ?? undefined,
      timestamps: boolParam(q.get("timestamps")),
      previous: boolParam(q.get("previous")),
      limitBytes: num("limitBytes"),
    });
  }

  private watch(req: IncomingMessage, res: ServerResponse, r: Route, q: URLSearchParams, tableInclude: IncludeObject | undefined, dropAfter?: number): void {
    const def = r.def;
    const lreqs = parseLabelSelector(q.get("labelSelector"));
    const freqs = parseFieldSelector(q.get("fieldSelector"));
    checkFieldSelector(def.kind, freqs);
    const key = resourceKey(def);
    const matches = (o: any) => !!o && (!r.namespace || !def.namespaced || o.metadata.namespace === r.namespace) && matchLabels(lreqs, o.metadata.labels) && matchFields(freqs, o);
    const rvParam = q.get("resourceVersion");
    const sendInitial = q.get("sendInitialEvents");
    const bookmarks = boolParam(q.get("allowWatchBookmarks"));
    let replay: StoreEvent[] | undefined = [];
    let initial: any[] = [];
    if (!rvParam || rvParam === "0" || sendInitial === "true") {
      if (sendInitial !== "false") initial = this.store.list(def, def.namespaced ? r.namespace : undefined).filter(matches);
    } else {
      const n = parseInt(rvParam, 10);
      if (Number.isNaN(n)) throw errors.badRequest(`invalid resource version: ${rvParam}`);
      replay = this.store.since(n, key);
    }
    res.writeHead(200, { "Content-Type": "application/json", "Cache-Control": "no-cache, private", "Transfer-Encoding": "chunked" });
    res.flushHeaders();
    let first = true;
    const write = (type: string, obj: any) => {
      let o = obj;
      if (tableInclude && type !== "ERROR" && type !== "BOOKMARK") {
        o = toTable(def, [obj], { resourceVersion: obj.metadata?.resourceVersion }, tableInclude, first);
        if (!first) o.columnDefinitions = [];
        first = false;
      }
      res.write(JSON.stringify({ type, object: o }) + "\n");
    };
    if (replay === undefined) {
      write("ERROR", new ApiError(410, "Expired", `too old resource version: ${rvParam} (${this.store.compactedRV + 1})`).toStatus());
      res.end();
      return;
    }
    const bookmark = (initialEnd = false) => {
      const o: any = { kind: def.kind, apiVersion: apiVersionOf(def), metadata: { resourceVersion: String(this.store.rv) } };
      if (initialEnd) o.metadata.annotations = { "k8s.io/initial-events-end": "true" };
      write("BOOKMARK", o);
    };
    const emit = (e: StoreEvent) => {
      if (e.key !== key) return;
      const now = matches(e.obj);
      const before = e.type === "MODIFIED" ? matches(e.prev) : false;
      if (e.type === "ADDED" && now) write("ADDED", e.obj);
      else if (e.type === "DELETED" && now) write("DELETED", e.obj);
      else if (e.type === "MODIFIED") {
        if (now && before) write("MODIFIED", e.obj);
        else if (now) write("ADDED", e.obj);
        else if (before) write("DELETED", e.obj);
      }
    };
    for (const o of initial) write("ADDED", o);
    if (sendInitial === "true" && bookmarks) bookmark(true);
    for (const e of replay) emit(e);
    if (bookmarks && sendInitial !== "true") bookmark();
    const unsub = this.store.subscribe(emit);
    const timers: NodeJS.Timeout[] = [];
    let closed = false;
    const close = () => {
      if (closed) return;
      closed = true;
      unsub();
      for (const t of timers) clearTimeout(t), clearInterval(t);
      this.watchers.delete(close);
      if (!res.writableEnded) res.end();
    };
    this.watchers.add(close);
    if (bookmarks) timers.push(setInterval(() => bookmark(), WATCH_BOOKMARK_MS));
    const timeout = q.get("timeoutSeconds");
    if (timeout) timers.push(setTimeout(close, Math.max(0, parseFloat(timeout)) * 1000));
    if (dropAfter !== undefined) timers.push(setTimeout(close, dropAfter));
    req.on("close", close);
    res.on("close", close);
  }
}

function parseJson(body: string): any {
  if (!body.trim()) throw errors.badRequest("the request body is empty");
  try {
    return JSON.parse(body);
  } catch {
    // kubectl and client-node send JSON; accept YAML for convenience
    throw errors.badRequest(`the object provided is unrecognized (must be of type JSON): ${body.slice(0, 80)}`);
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}
