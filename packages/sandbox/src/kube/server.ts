/**
 * node:http front end: dispatches each request to discovery, OpenAPI or the resource API, with
 * content negotiation (JSON / Table) and faults. Body decoding, routing, responses and watch
 * streaming live in ./http/.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { Api } from "./api/index.js";
import { ApiError, errors, faultError } from "./errors.js";
import { aggregatedDiscovery, apiGroup, apiGroupList, apiResourceList, apiVersions, openapiV2Doc, openapiV3Doc, openapiV3Index, VERSION_INFO } from "./discovery.js";
import type { Faults } from "./faults.js";
import { parseJson, readRequestBody } from "./http/body.js";
import { send, sendApfRejection, sendError, warningHeaders } from "./http/response.js";
import { boolParam, resolveRoute, verbOf, wantsTable, type ResourceRoute } from "./http/routing.js";
import { serveWatch, WATCH_BOOKMARK_MS } from "./http/watch.js";
import { dryRunOf } from "./http/write-options.js";
import { podLogs } from "./logs.js";
import { apiVersionOf } from "./resources.js";
import type { Store } from "./store.js";
import { toTable, type IncludeObject } from "./tables.js";
import { SandboxAuth } from "./auth/index.js";
import { fieldValidationOf } from "./validation/index.js";
import { servedVersionOf } from "./versions/index.js";
import { ServedVersionApi, type ResourceApi } from "./versions/served-api.js";
import type { RequestLogEntry } from "./types.js";

export class KubeHttp {
  requests = { total: 0, log: [] as RequestLogEntry[] };
  private openSockets = new Set<any>();
  private watchers = new Set<() => void>();
  /** how often a watch with allowWatchBookmarks gets a BOOKMARK */
  watchBookmarkMs = WATCH_BOOKMARK_MS;
  /** Tokens, impersonation and RBAC, checked before every dispatch (./auth). */
  readonly auth: SandboxAuth;

  constructor(private api: Api, private store: Store, private faults: Faults, private serverAddress: () => string) {
    this.auth = new SandboxAuth(store);
  }

  trackSocket(s: any): void {
    this.openSockets.add(s);
    s.on("close", () => this.openSockets.delete(s));
  }

  closeAll(): void {
    for (const w of [...this.watchers]) w();
    for (const s of this.openSockets) s.destroy();
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://sandbox");
    const method = (req.method ?? "GET").toUpperCase();
    this.requests.total++;
    const logEntry: RequestLogEntry = { method, path: url.pathname, at: Date.now(), query: url.search.replace(/^\?/, ""), userAgent: String(req.headers["user-agent"] ?? "") };
    this.requests.log.push(logEntry);
    if (this.requests.log.length > 5000) this.requests.log.splice(0, this.requests.log.length - 5000);
    try {
      const body = await readRequestBody(req);
      const answered = this.auth.admit(req, url, method, body, logEntry);
      if (answered) return send(res, answered.code, answered.body);
      await this.dispatch(req, res, url, method, body);
    } catch (e) {
      sendError(res, e);
    }
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse, url: URL, method: string, body: string): Promise<void> {
    const path = url.pathname.replace(/\/+$/, "") || "/";
    const accept = String(req.headers.accept ?? "");
    const q = url.searchParams;
    // ---- non-resource endpoints
    if (path === "/version") return send(res, 200, VERSION_INFO);
    if (path === "/healthz" || path === "/livez" || path === "/readyz") return send(res, 200, "ok", "text/plain; charset=utf-8");
    if (path === "/api" || path === "/apis") {
      const legacy = path === "/api";
      const m = accept.match(/g=apidiscovery\.k8s\.io;v=(v2beta1|v2);as=APIGroupDiscoveryList/);
      if (m) {
        const v = m[1] as "v2" | "v2beta1";
        return send(res, 200, aggregatedDiscovery(legacy, v), `application/json;g=apidiscovery.k8s.io;v=${v};as=APIGroupDiscoveryList`);
      }
      return send(res, 200, legacy ? apiVersions(this.serverAddress()) : apiGroupList());
    }
    if (path === "/openapi/v3") return send(res, 200, openapiV3Index());
    if (path.startsWith("/openapi/v3/")) {
      const rest = path.slice("/openapi/v3/".length).split("/");
      const doc = rest[0] === "api" ? openapiV3Doc("", rest[1]) : rest[0] === "apis" ? openapiV3Doc(rest[1], rest[2]) : undefined;
      if (!doc) throw errors.notFoundPath();
      return send(res, 200, doc);
    }
    if (path === "/openapi/v2" || path === "/swagger.json") {
      if (accept && !accept.includes("json") && !accept.includes("*/*")) {
        throw new ApiError(406, "NotAcceptable", `only the following media types are accepted: application/json`);
      }
      return send(res, 200, openapiV2Doc());
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
        return send(res, 200, g);
      }
    } else throw errors.notFoundPath();
    if (!version) throw errors.notFoundPath();
    if (rest.length === 0) {
      const l = apiResourceList(group, version);
      if (!l) throw errors.notFoundPath();
      return send(res, 200, l);
    }
    let watchPath = false;
    if (rest[0] === "watch") {
      watchPath = true;
      rest = rest.slice(1);
    }
    const route = resolveRoute(group, version, rest);
    if (!route) throw errors.notFoundPath();
    const isWatch = watchPath || boolParam(q.get("watch"));
    const verb = verbOf(method, route, isWatch);
    // ---- faults
    const f = this.faults.decide(verb, route.def.plural, route.sub, q.getAll("dryRun").includes("All"));
    if (f.latencyMs) await new Promise((r) => setTimeout(r, f.latencyMs));
    if (f.apfRetryAfterSeconds !== undefined) return sendApfRejection(res, f.apfRetryAfterSeconds);
    if (f.status) throw faultError(f.status, route.def, route.name, f.retryAfterSeconds);
    const opts = {
      dryRun: dryRunOf(q, verb),
      fieldManager: q.get("fieldManager") ?? undefined,
      force: boolParam(q.get("force")),
      fieldValidation: fieldValidationOf(q.get("fieldValidation")),
      warnings: [] as string[],
    };
    const ua = String(req.headers["user-agent"] ?? "");
    const manager = opts.fieldManager ?? (ua ? ua.split("/")[0] : "unknown");
    const { def, namespace: ns, name, sub } = route;
    // an alternate version (autoscaling/v1, cluster.x-k8s.io/v1beta2) converts to and from the stored one
    const served = servedVersionOf(def);
    const api: ResourceApi = served ? new ServedVersionApi(this.api, served) : this.api;
    const table = wantsTable(accept);
    const include = (q.get("includeObject") as IncludeObject) || "Metadata";
    switch (verb) {
      case "get": {
        if (sub === "log") return send(res, 200, this.logs(route, q), "text/plain");
        if (sub === "scale") return send(res, 200, api.getScale(def, ns, name!));
        const obj = api.get(def, ns, name!);
        if (table && !sub) return send(res, 200, toTable(def, [obj], { resourceVersion: obj.metadata.resourceVersion }, include));
        return send(res, 200, obj);
      }
      case "list": {
        const lq = {
          labelSelector: q.get("labelSelector") ?? undefined,
          fieldSelector: q.get("fieldSelector") ?? undefined,
          limit: q.get("limit") ? parseInt(q.get("limit")!, 10) : undefined,
          continue: q.get("continue") ?? undefined,
        };
        const r = api.list(def, ns, lq);
        const meta: any = { resourceVersion: r.resourceVersion };
        if (r.continue) meta.continue = r.continue;
        if (r.remainingItemCount !== undefined) meta.remainingItemCount = r.remainingItemCount;
        if (table) return send(res, 200, toTable(def, r.items, meta, include));
        return send(res, 200, { kind: `${def.kind}List`, apiVersion: apiVersionOf(def), metadata: meta, items: r.items });
      }
      case "watch":
        return serveWatch(this.store, this.watchers, req, res, route, q, table ? include : undefined, f.dropWatchAfterMs, this.watchBookmarkMs, served?.toServed);
      case "create": {
        const parsed = parseJson(body);
        const created = api.create(def, ns, parsed, { ...opts, fieldManager: manager });
        return send(res, 201, created, undefined, warningHeaders(opts.warnings));
      }
      case "update": {
        const parsed = parseJson(body);
        const updated = api.update(def, ns, name!, parsed, { ...opts, fieldManager: manager }, sub);
        return send(res, 200, updated, undefined, warningHeaders(opts.warnings));
      }
      case "patch": {
        const ct = String(req.headers["content-type"] ?? "application/json-patch+json");
        const isApply = ct.startsWith("application/apply-patch");
        const existed = !!this.store.get(def, ns, name!);
        const out = api.patch(def, ns, name!, ct, body, { ...opts, fieldManager: isApply ? opts.fieldManager : manager }, sub);
        return send(res, isApply && !existed ? 201 : 200, out, undefined, warningHeaders(opts.warnings));
      }
      case "delete": {
        const parsed = body.trim() ? parseJson(body) : {};
        const propagationPolicy = q.get("propagationPolicy") ?? parsed.propagationPolicy;
        const out = api.delete(def, ns, name!, parsed, { ...opts, propagationPolicy });
        return send(res, out?.metadata?.deletionTimestamp && def.kind !== "Namespace" ? 202 : 200, out);
      }
      case "deletecollection": {
        const parsed = body.trim() ? parseJson(body) : {};
        const out = api.deleteCollection(def, ns, { labelSelector: q.get("labelSelector") ?? undefined, fieldSelector: q.get("fieldSelector") ?? undefined }, parsed, { ...opts, propagationPolicy: q.get("propagationPolicy") ?? parsed.propagationPolicy });
        return send(res, 200, out);
      }
      default:
        throw errors.methodNotAllowed();
    }
  }


  private logs(r: ResourceRoute, q: URLSearchParams): string {
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

}
