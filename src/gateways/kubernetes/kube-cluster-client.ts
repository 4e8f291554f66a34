import type { KubeConfig } from "./client-node.js";
import { fetch } from "./node-fetch.js";
import type { Logger } from "../../core/logger.js";
import {
  GatewayError,
  type ActingScope,
  type ApiResource,
  type ApplyOptions,
  type DeleteOptions,
  type KObject,
  type KubeObject,
  type KubeActor,
  type KubeCluster,
  type KubeTable,
  type KubeListPage,
  type KubeTablePage,
  type ListOptions,
  type LogOptions,
  type PatchType,
  type Informer,
  type InformerOptions,
  type RetryPolicy,
  type ScaleInfo,
  type TableOptions,
  type TablePageOptions,
  type WatchEvent,
  type WatchHandle,
  type WatchOptions,
  type WellKnownKinds,
} from "../types.js";
import { wellKnownKinds } from "../well-known-kinds.js";
import { discoverResources, resolveResource } from "./discover-resources.js";
import { actsFor, addImpersonationHeaders, markRefusal, type ActingFor } from "./impersonation.js";
import { statusError, transportError } from "./kube-errors.js";
import { systemClock, type Clock } from "../../core/services.js";
import { ClusterInformer } from "./informer.js";
import { DEFAULT_RETRY_POLICY, isRetryable, parseRetryAfter, retryPolicy, withRetries } from "./retry-policy.js";
import { openWatchStream } from "./watch-stream.js";
import { fetchInit } from "./fetch-init.js";

// One cluster through client-node's KubeConfig (auth, TLS, proxies). Requests are generic over
// discovered resources, as kubectl's are, so every type (CRDs included) works without per-type code.

const TABLE_ACCEPT = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json";
const PATCH_CONTENT_TYPE: Record<PatchType | "apply", string> = {
  json: "application/json-patch+json",
  merge: "application/merge-patch+json",
  strategic: "application/strategic-merge-patch+json",
  apply: "application/apply-patch+yaml",
};

interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  contentType?: string;
  accept?: string;
  text?: boolean;
}

/** What the clients of one cluster share, whoever they act for: discovery and the request count. */
interface ClusterState {
  resources: ApiResource[] | undefined;
  discovery: Promise<ApiResource[]> | undefined;
  requests: number;
  /** Told every request's method and HTTP status ("error" when there was no answer), for metrics. */
  onRequest?: (method: string, status: number | "error") => void;
  /** Back-off sleeps and Retry-After waits (the informer's too); the system clock unless a test injects one. */
  clock?: Clock;
  /** Jitter source, seeded in tests. */
  random?: () => number;
}

// The typed kinds (src/gateways/kube-models.ts, one field per KindModels entry), resolved through this client's
// discovery: declared by this interface, set in the constructor from the one list (wellKnownKinds).
export interface KubeClusterClient extends WellKnownKinds {}
export class KubeClusterClient implements KubeCluster {

  constructor(
    readonly name: string,
    private readonly kc: KubeConfig,
    private readonly timeoutMs: number,
    private readonly log: Logger,
    private readonly acting?: ActingFor,
    private readonly state: ClusterState = { resources: undefined, discovery: undefined, requests: 0 },
    private readonly retry: RetryPolicy = DEFAULT_RETRY_POLICY,
  ) {
    Object.assign(this, wellKnownKinds(this));
  }

  /** A client of the same cluster whose requests in `scope` are made for `actor` (see ./impersonation.ts). */
  actingFor(actor: KubeActor, scope: ActingScope): KubeClusterClient {
    return new KubeClusterClient(this.name, this.kc, this.timeoutMs, this.log, { actor, scope }, this.state, this.retry);
  }

  withRetry(policy: Partial<RetryPolicy>): KubeClusterClient {
    return new KubeClusterClient(this.name, this.kc, this.timeoutMs, this.log, this.acting, this.state, { ...this.retry, ...policy });
  }

  retryOnConflict<T>(step: () => Promise<T>, policy: Partial<RetryPolicy> = {}): Promise<T> {
    return withRetries(step, retryPolicy({ ...this.retry, ...policy }), this.retryContext, (err) => err instanceof GatewayError && err.kind === "conflict");
  }

  informer(res: ApiResource, opts: InformerOptions = {}): Informer {
    // The informer backs off on its own terms (reflector-style), so its list and watch are not retried here too.
    const once = this.withRetry({ attempts: 1 });
    const source = {
      cluster: this.name,
      list: (r: ApiResource, o: InformerOptions) => once.list(r, o),
      watch: once.watch.bind(once),
    };
    return new ClusterInformer(res, opts, source, this.clock, this.state.random ?? Math.random, this.log);
  }

  private get clock(): Clock {
    return this.state.clock ?? systemClock;
  }

  private get retryContext() {
    return { clock: this.clock, random: this.state.random ?? Math.random, cluster: this.name };
  }

  get requestCount(): number {
    return this.state.requests;
  }

  private get server(): string {
    const cluster = this.kc.getCurrentCluster();
    if (!cluster) throw new GatewayError("invalid", `cluster ${this.name}: the kubeconfig context has no cluster`);
    return cluster.server.replace(/\/$/, "");
  }

  /**
   * One API call under the retry policy (see ./retry-policy.ts). `T` is the shape the API server answers this
   * request with: its JSON is taken as that shape here, the one place it is (the callers below name the shapes).
   */
  request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    return withRetries(() => this.requestOnce<T>(method, path, opts), this.retry, this.retryContext, (err) => isRetryable(err, method));
  }

  private async requestOnce<T>(method: string, path: string, opts: RequestOptions): Promise<T> {
    const url = new URL(this.server + path);
    for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined && v !== "") url.searchParams.set(k, String(v));
    const init = await fetchInit(this.kc);
    const headers = init.headers;
    headers.set("Accept", opts.accept ?? "application/json");
    headers.set("User-Agent", "tugboat");
    const actor = actsFor(this.acting, method);
    if (actor) addImpersonationHeaders(headers, actor);
    let body: string | undefined;
    if (opts.body !== undefined) {
      headers.set("Content-Type", opts.contentType ?? "application/json");
      body = JSON.stringify(opts.body);
    }
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.timeoutMs);
    this.state.requests++;
    let res;
    try {
      res = await fetch(url.toString(), { ...init, method, headers, body, signal: controller.signal });
      this.state.onRequest?.(method, res.status);
      const text = await res.text();
      if (res.status >= 400) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = { message: text.slice(0, 300) };
        }
        const err = statusError(this.name, res.status, parsed);
        err.retryAfterMs = parseRetryAfter(res.headers.get("retry-after"), this.clock.now());
        throw actor ? markRefusal(err, actor) : err;
      }
      if (opts.text) return text as T;
      return (text ? JSON.parse(text) : {}) as T;
    } catch (err) {
      if (err instanceof GatewayError) throw err;
      if (res === undefined) this.state.onRequest?.(method, "error");
      this.log.debug("kubernetes request failed", { cluster: this.name, method, path, error: String(err) });
      throw transportError(this.name, this.server, err, this.timeoutMs);
    } finally {
      clearTimeout(timer);
    }
  }

  async discover(refresh = false): Promise<ApiResource[]> {
    const state = this.state;
    if (state.resources && !refresh) return state.resources;
    if (!state.discovery || refresh) {
      state.discovery = discoverResources((path, accept) => this.request("GET", path, { accept })).then(
        (r) => (state.resources = r),
        (err) => {
          state.discovery = undefined;
          throw err;
        },
      );
    }
    return state.discovery;
  }

  async resolve(typeName: string): Promise<ApiResource | undefined> {
    const found = resolveResource(await this.discover(), typeName);
    if (found) return found;
    // Unknown names may be newly installed CRDs: refresh once, as kubectl does.
    return resolveResource(await this.discover(true), typeName);
  }

  path(res: ApiResource, namespace?: string, name?: string, subresource?: string): string {
    const base = res.group ? `/apis/${res.group}/${res.version}` : `/api/${res.version}`;
    let p = base;
    if (res.namespaced && namespace) p += `/namespaces/${encodeURIComponent(namespace)}`;
    p += `/${res.plural}`;
    if (name !== undefined) p += `/${encodeURIComponent(name)}`;
    if (subresource) p += `/${subresource}`;
    return p;
  }

  get(res: ApiResource, name: string, namespace?: string): Promise<KObject> {
    return this.request("GET", this.path(res, namespace, name));
  }

  async find(res: ApiResource, name: string, namespace?: string): Promise<KObject | undefined> {
    try {
      return await this.get(res, name, namespace);
    } catch (err) {
      if (err instanceof GatewayError && err.kind === "not-found") return undefined;
      throw err;
    }
  }

  async list(res: ApiResource, opts: ListOptions = {}): Promise<{ items: KObject[]; resourceVersion: string }> {
    const items: KObject[] = [];
    let cont: string | undefined;
    let resourceVersion = "";
    do {
      const page = await this.request<ListResponse>("GET", this.path(res, opts.namespace), {
        query: { labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector, limit: opts.limit ?? 500, continue: cont },
      });
      for (const item of page.items ?? []) items.push({ apiVersion: res.groupVersion, kind: res.kind, ...item });
      resourceVersion = page.metadata?.resourceVersion ?? resourceVersion;
      cont = page.metadata?.continue || undefined;
    } while (cont && (opts.maxItems === undefined || items.length < opts.maxItems));
    return { items, resourceVersion };
  }

  async listPage(res: ApiResource, opts: TablePageOptions): Promise<KubeListPage> {
    const query = { labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector, limit: opts.limit, continue: opts.continue };
    const page = await this.request<ListResponse>("GET", this.path(res, opts.namespace), { query });
    const listMeta = page.metadata ?? {};
    const items: KObject[] = (page.items ?? []).map((item) => ({ apiVersion: res.groupVersion, kind: res.kind, ...item }));
    return { items, continue: listMeta.continue || undefined, remainingItemCount: typeof listMeta.remainingItemCount === "number" ? listMeta.remainingItemCount : undefined };
  }

  async table(res: ApiResource, opts: TableOptions = {}): Promise<KubeTable> {
    const path = this.path(res, opts.namespace, opts.name);
    const query = opts.name ? {} : { labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector, limit: opts.limit };
    const rows: KubeTable["rows"] = [];
    let columns: KubeTable["columns"] | undefined;
    let cont: string | undefined;
    do {
      const page = await this.request<TableResponse>("GET", path, { accept: TABLE_ACCEPT, query: { ...query, continue: cont } });
      if (page.kind !== "Table") return synthesizeTable(page, opts.name !== undefined);
      columns ??= tableColumns(page);
      rows.push(...tableRows(page));
      cont = opts.name ? undefined : page.metadata?.continue || undefined;
    } while (cont);
    return { columns: columns ?? [], rows, serverTable: true };
  }

  async tablePage(res: ApiResource, opts: TablePageOptions): Promise<KubeTablePage> {
    const query = { labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector, limit: opts.limit, continue: opts.continue };
    const page = await this.request<TableResponse>("GET", this.path(res, opts.namespace), { accept: TABLE_ACCEPT, query });
    const listMeta = page.metadata ?? {};
    const paging = { continue: listMeta.continue || undefined, remainingItemCount: typeof listMeta.remainingItemCount === "number" ? listMeta.remainingItemCount : undefined };
    if (page.kind !== "Table") return { ...synthesizeTable(page, false), ...paging };
    return { columns: tableColumns(page), rows: tableRows(page), serverTable: true, ...paging };
  }

  create(res: ApiResource, obj: KObject | KubeObject): Promise<KObject> {
    return this.request("POST", this.path(res, obj.metadata?.namespace), { body: obj });
  }

  replace(res: ApiResource, obj: KObject | KubeObject): Promise<KObject> {
    return this.request("PUT", this.path(res, obj.metadata?.namespace, obj.metadata?.name), { body: obj });
  }

  apply(res: ApiResource, obj: KObject | KubeObject, opts: ApplyOptions): Promise<KObject> {
    return this.request("PATCH", this.path(res, obj.metadata?.namespace, obj.metadata?.name), {
      body: obj,
      contentType: PATCH_CONTENT_TYPE.apply,
      query: { fieldManager: opts.fieldManager, force: opts.force ? "true" : undefined, dryRun: opts.dryRun ? "All" : undefined },
    });
  }

  patch(res: ApiResource, name: string, namespace: string | undefined, patch: unknown, type: PatchType, opts: { dryRun?: boolean } = {}): Promise<KObject> {
    return this.request("PATCH", this.path(res, namespace, name), {
      body: patch,
      contentType: PATCH_CONTENT_TYPE[type],
      query: { dryRun: opts.dryRun ? "All" : undefined },
    });
  }

  async delete(res: ApiResource, name: string, namespace?: string, opts: DeleteOptions = {}): Promise<void> {
    await this.request("DELETE", this.path(res, namespace, name), {
      body: { kind: "DeleteOptions", apiVersion: "v1", propagationPolicy: opts.propagationPolicy ?? "Background", ...(opts.preconditions ? { preconditions: opts.preconditions } : {}) },
    });
  }

  /** One watch request (the informer's), keeping the refusal's Status and Retry-After (see ./watch-stream.ts). */
  async watch(res: ApiResource, opts: WatchOptions, onEvent: (ev: WatchEvent) => void, onClose: (err?: GatewayError) => void): Promise<WatchHandle> {
    this.state.requests++;
    const actor = actsFor(this.acting, "GET");
    const url = new URL(this.server + this.path(res, opts.namespace));
    const query = { watch: "true", allowWatchBookmarks: "true", labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector, resourceVersion: opts.resourceVersion };
    for (const [k, v] of Object.entries(query)) if (v) url.searchParams.set(k, v);
    const stop = await openWatchStream({
      kc: this.kc,
      cluster: this.name,
      url: url.toString(),
      actor,
      now: () => this.clock.now(),
      onEvent,
      onClose: (err) => {
        if (!err) return onClose();
        const failed = err instanceof GatewayError ? err : transportError(this.name, this.server, err, this.timeoutMs);
        onClose(actor ? markRefusal(failed, actor) : failed);
      },
    });
    return { stop };
  }

  logs(namespace: string, pod: string, opts: LogOptions = {}): Promise<string> {
    return this.request("GET", `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/log`, {
      accept: "text/plain, */*",
      text: true,
      query: { container: opts.container, tailLines: opts.tailLines, sinceSeconds: opts.sinceSeconds },
    });
  }

  async getScale(res: ApiResource, name: string, namespace?: string): Promise<ScaleInfo> {
    return toScale(await this.request<ScaleResponse>("GET", this.path(res, namespace, name, "scale")));
  }

  async setScale(res: ApiResource, name: string, namespace: string | undefined, replicas: number, resourceVersion: string): Promise<ScaleInfo> {
    const body = {
      apiVersion: "autoscaling/v1",
      kind: "Scale",
      metadata: { name, namespace, resourceVersion },
      spec: { replicas },
    };
    return toScale(await this.request<ScaleResponse>("PUT", this.path(res, namespace, name, "scale"), { body }));
  }
}

/** A list as the API server answers it (items without apiVersion and kind). */
interface ListResponse {
  items?: KObject[];
  metadata?: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
}

/** A meta.k8s.io/v1 Table, or (kind other than Table) the plain list or object of a server without Tables. */
type TableResponse = KObject & {
  metadata?: ListResponse["metadata"];
  items?: KObject[];
  columnDefinitions?: Array<{ name: string; type: string; format?: string; priority?: number }>;
  rows?: Array<{ cells?: unknown[]; object?: KObject }>;
};

interface ScaleResponse {
  metadata?: { resourceVersion?: string };
  spec?: { replicas?: number };
  status?: { replicas?: number };
}

function tableColumns(page: TableResponse): KubeTable["columns"] {
  return (page.columnDefinitions ?? []).map((c) => ({ name: c.name, type: c.type, format: c.format, priority: c.priority ?? 0 }));
}

function tableRows(page: TableResponse): KubeTable["rows"] {
  return (page.rows ?? []).map((r) => ({ cells: r.cells ?? [], object: r.object }));
}

function toScale(s: ScaleResponse): ScaleInfo {
  return { replicas: s.spec?.replicas ?? 0, statusReplicas: s.status?.replicas ?? 0, resourceVersion: s.metadata?.resourceVersion ?? "" };
}

/** When the server offers no Table: NAME and AGE, as kubectl's default printer does. */
function synthesizeTable(body: TableResponse, single: boolean): KubeTable {
  const items: KObject[] = single ? [body] : (body.items ?? []);
  return {
    serverTable: false,
    columns: [
      { name: "Name", type: "string", format: "name", priority: 0 },
      { name: "Age", type: "date", priority: 0 },
    ],
    rows: items.map((o) => ({ cells: [o.metadata?.name ?? "", o.metadata?.creationTimestamp ?? ""], object: o })),
  };
}
