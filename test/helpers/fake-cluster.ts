import { systemClock, type Clock } from "../../src/core/services.js";
import { silentLogger } from "../../src/core/logger.js";
import { ClusterInformer, type InformerTuning, DEFAULT_INFORMER_TUNING } from "../../src/gateways/kubernetes/informer.js";
import {
  GatewayError,
  type ApiResource,
  type ApplyOptions,
  type DeleteOptions,
  type Informer,
  type InformerOptions,
  type KObject,
  type KubeObject,
  type KindModels,
  type KindName,
  type KubeCluster,
  type KubeTable,
  type KubeListPage,
  type KubeTablePage,
  type ListOptions,
  type PatchType,
  type ScaleInfo,
  type TablePageOptions,
  type WatchEvent,
  type WellKnownKinds,
} from "../../src/gateways/types.js";
import { KIND_SPECS, wellKnownKinds } from "../../src/gateways/well-known-kinds.js";

// A small in-memory KubeCluster for fast domain tests: the typed kinds (built by the same wellKnownKinds as the real
// client), the real informer (ClusterInformer) over an in-memory list and watch, resourceVersions with the API
// server's conflict rules (create → already-exists, a replace or a delete precondition with a stale
// resourceVersion → conflict, a missing object → not-found), and faults a test queues per verb.
// What it does not do: admission, defaulting, controllers, field ownership (apply stores the object as given,
// merged over the existing one), strategic or JSON patches (merge patches only), Tables and logs. Tests that need
// those run against the sandbox (test/helpers/harness.ts).

type Verb = "get" | "list" | "create" | "replace" | "apply" | "patch" | "delete" | "watch" | "scale";

interface WatchSubscriber {
  res: ApiResource;
  namespace?: string;
  matches: (o: KObject) => boolean;
  onEvent: (ev: WatchEvent) => void;
}

const BUILT_IN: ApiResource[] = [
  resource("apps", "v1", "Deployment", "deployments", true, ["deploy"]),
  resource("apps", "v1", "ReplicaSet", "replicasets", true, ["rs"]),
  resource("", "v1", "Pod", "pods", true, ["po"]),
  resource("", "v1", "Service", "services", true, ["svc"]),
  resource("", "v1", "ConfigMap", "configmaps", true, ["cm"]),
  resource("", "v1", "Secret", "secrets", true, []),
  resource("", "v1", "Namespace", "namespaces", false, ["ns"]),
  resource("", "v1", "Node", "nodes", false, ["no"]),
  resource("", "v1", "Event", "events", true, ["ev"]),
  resource("", "v1", "ResourceQuota", "resourcequotas", true, ["quota"]),
  resource("", "v1", "LimitRange", "limitranges", true, ["limits"]),
  resource("discovery.k8s.io", "v1", "EndpointSlice", "endpointslices", true, []),
  resource("networking.k8s.io", "v1", "Ingress", "ingresses", true, ["ing"]),
  resource("coordination.k8s.io", "v1", "Lease", "leases", true, []),
];

/** Cluster API's kinds at v1beta2 (add them with `new FakeCluster({ capi: true })`). */
const CAPI: ApiResource[] = [
  resource("cluster.x-k8s.io", "v1beta2", "Cluster", "clusters", true, ["cl"]),
  resource("cluster.x-k8s.io", "v1beta2", "MachineDeployment", "machinedeployments", true, ["md"]),
  resource("cluster.x-k8s.io", "v1beta2", "Machine", "machines", true, ["ma"]),
];

function resource(group: string, version: string, kind: string, plural: string, namespaced: boolean, shortNames: string[]): ApiResource {
  return {
    group,
    version,
    groupVersion: group ? `${group}/${version}` : version,
    kind,
    plural,
    singular: kind.toLowerCase(),
    shortNames,
    namespaced,
    verbs: ["create", "delete", "get", "list", "patch", "update", "watch"],
    categories: [],
  };
}

export interface FakeClusterOptions {
  name?: string;
  clock?: Clock;
  /** Serve Cluster API (v1beta2) too. */
  capi?: boolean;
  /** Objects present from the start (apiVersion and kind say where they go). */
  objects?: KObject[];
  /** The informer's back-off tuning (defaults to the real one, on `clock`). */
  informerTuning?: InformerTuning;
}

// The typed kinds, declared by this interface and set in the constructor exactly as the real client does.
export interface FakeCluster extends WellKnownKinds {}
export class FakeCluster implements KubeCluster {
  readonly name: string;
  private readonly clock: Clock;
  private readonly resources: ApiResource[];
  private readonly store = new Map<string, Map<string, KObject>>();
  private readonly subscribers = new Set<WatchSubscriber>();
  private readonly faults: Array<{ verb: Verb; plural?: string; error: GatewayError }> = [];
  private readonly tuning: InformerTuning;
  private revision = 1;
  private requests = 0;

  constructor(opts: FakeClusterOptions = {}) {
    Object.assign(this, wellKnownKinds(this));
    this.name = opts.name ?? "fake";
    this.clock = opts.clock ?? systemClock;
    this.tuning = opts.informerTuning ?? DEFAULT_INFORMER_TUNING;
    this.resources = [...BUILT_IN, ...(opts.capi ? CAPI : [])];
    for (const o of opts.objects ?? []) this.put(o);
  }

  // ------------------------------------------------------------------ test controls

  /** Stores an object as is (a new resourceVersion), telling informers; for seeding and for "another writer". */
  put(obj: KObject | KubeObject): KObject {
    const res = this.resourceOf(obj);
    const existing = this.bucket(res).get(keyOf(obj));
    return this.write(res, obj, existing ? "MODIFIED" : "ADDED");
  }

  /** Removes an object (as another client's delete would), telling informers. */
  remove(obj: KObject | KubeObject): void {
    const res = this.resourceOf(obj);
    const existing = this.bucket(res).get(keyOf(obj));
    if (existing) this.erase(res, existing);
  }

  /** The next call of `verb` (on `plural`, when given) fails with `error`; queued faults are used in order. */
  failNext(verb: Verb, error: GatewayError, plural?: string): void {
    this.faults.push({ verb, plural, error });
  }

  /** Every stored object of a well-known kind, as its model, e.g. `objects("leases")` (V1Lease[]). */
  objects<K extends KindName>(kind: K, namespace?: string): Array<KindModels[K]> {
    const spec = KIND_SPECS[kind];
    const res = this.resources.find((r) => r.group === spec.group && r.plural === spec.plural);
    if (!res) return [];
    const stored = [...this.bucket(res).values()].filter((o) => namespace === undefined || o.metadata?.namespace === namespace).map(clone);
    // The bucket of a kind's resource holds only objects of that kind.
    return stored as Array<KubeObject> as Array<KindModels[K]>;
  }

  // ------------------------------------------------------------------ KubeCluster

  get requestCount(): number {
    return this.requests;
  }

  async discover(): Promise<ApiResource[]> {
    this.requests++;
    return this.resources;
  }

  async resolve(typeName: string): Promise<ApiResource | undefined> {
    const name = typeName.toLowerCase().split(".")[0]!;
    return this.resources.find((r) => r.plural === name || r.singular === name || r.shortNames.includes(name) || r.kind.toLowerCase() === name);
  }

  async get(res: ApiResource, name: string, namespace?: string): Promise<KObject> {
    this.call("get", res);
    const found = this.bucket(res).get(key(name, res.namespaced ? namespace : undefined));
    if (!found) throw new GatewayError("not-found", `${res.plural} "${name}" not found`, 404);
    return clone(found);
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
    this.call("list", res);
    const matches = selects(opts);
    const items = [...this.bucket(res).values()].filter((o) => (!res.namespaced || !opts.namespace || o.metadata?.namespace === opts.namespace) && matches(o));
    items.sort((a, b) => keyOf(a).localeCompare(keyOf(b)));
    return { items: items.map(clone), resourceVersion: String(this.revision) };
  }

  /** The list in pages: `continue` is the index of the next item, and every page counts what is left. */
  async listPage(res: ApiResource, opts: TablePageOptions): Promise<KubeListPage> {
    const { items } = await this.list(res, opts);
    const from = Number(opts.continue ?? 0);
    const to = from + opts.limit;
    return { items: items.slice(from, to), continue: to < items.length ? String(to) : undefined, remainingItemCount: Math.max(0, items.length - to) };
  }

  async table(): Promise<KubeTable> {
    throw new GatewayError("other", "FakeCluster serves no Tables: test /kube get against the sandbox");
  }

  async tablePage(): Promise<KubeTablePage> {
    throw new GatewayError("other", "FakeCluster serves no Tables: test /kube get against the sandbox");
  }

  async create(res: ApiResource, obj: KObject | KubeObject): Promise<KObject> {
    this.call("create", res);
    const o = this.placed(res, obj);
    if (this.bucket(res).has(keyOf(o))) throw new GatewayError("already-exists", `${res.plural} "${o.metadata?.name}" already exists`, 409);
    if (o.metadata?.resourceVersion) throw new GatewayError("invalid", "resourceVersion should not be set on objects to be created", 422);
    return clone(this.write(res, o, "ADDED"));
  }

  async replace(res: ApiResource, obj: KObject | KubeObject): Promise<KObject> {
    this.call("replace", res);
    const o = this.placed(res, obj);
    const current = this.bucket(res).get(keyOf(o));
    if (!current) throw new GatewayError("not-found", `${res.plural} "${o.metadata?.name}" not found`, 404);
    const rv = o.metadata?.resourceVersion;
    if (!rv) throw new GatewayError("invalid", "metadata.resourceVersion: Invalid value: 0x0: must be specified for an update", 422);
    if (rv !== current.metadata?.resourceVersion) throw conflict(res, o);
    return clone(this.write(res, { ...o, metadata: { ...o.metadata, uid: current.metadata?.uid, creationTimestamp: current.metadata?.creationTimestamp } }, "MODIFIED"));
  }

  async apply(res: ApiResource, obj: KObject | KubeObject, opts: ApplyOptions): Promise<KObject> {
    this.call("apply", res);
    const o = this.placed(res, obj);
    const current = this.bucket(res).get(keyOf(o));
    const merged = current ? mergePatch(current, { ...o, metadata: { ...o.metadata, resourceVersion: undefined } }) : o;
    if (opts.dryRun) return clone({ ...merged, metadata: { ...merged.metadata, resourceVersion: current?.metadata?.resourceVersion } });
    return clone(this.write(res, merged, current ? "MODIFIED" : "ADDED"));
  }

  async patch(res: ApiResource, name: string, namespace: string | undefined, patch: unknown, type: PatchType, opts: { dryRun?: boolean } = {}): Promise<KObject> {
    this.call("patch", res);
    if (type !== "merge") throw new GatewayError("other", `FakeCluster applies merge patches only (asked for a ${type} patch)`);
    const current = this.bucket(res).get(key(name, res.namespaced ? namespace : undefined));
    if (!current) throw new GatewayError("not-found", `${res.plural} "${name}" not found`, 404);
    const rv = (patch as KObject).metadata?.resourceVersion;
    if (rv && rv !== current.metadata?.resourceVersion) throw conflict(res, current);
    const merged = mergePatch(current, patch);
    if (opts.dryRun) return clone(merged);
    return clone(this.write(res, merged, "MODIFIED"));
  }

  async delete(res: ApiResource, name: string, namespace?: string, opts: DeleteOptions = {}): Promise<void> {
    this.call("delete", res);
    const current = this.bucket(res).get(key(name, res.namespaced ? namespace : undefined));
    if (!current) throw new GatewayError("not-found", `${res.plural} "${name}" not found`, 404);
    const pre = opts.preconditions;
    if ((pre?.resourceVersion && pre.resourceVersion !== current.metadata?.resourceVersion) || (pre?.uid && pre.uid !== current.metadata?.uid)) throw conflict(res, current);
    this.erase(res, current);
  }

  informer(res: ApiResource, opts: InformerOptions = {}): Informer {
    const source = {
      cluster: this.name,
      list: (r: ApiResource, o: InformerOptions) => this.list(r, o),
      watch: async (r: ApiResource, o: InformerOptions & { resourceVersion: string }, onEvent: (ev: WatchEvent) => void, onClose: (err?: GatewayError) => void) => {
        try {
          this.call("watch", r);
        } catch (err) {
          queueMicrotask(() => onClose(err as GatewayError));
          return { stop: () => undefined };
        }
        const sub: WatchSubscriber = { res: r, namespace: o.namespace, matches: selects(o), onEvent };
        this.subscribers.add(sub);
        return { stop: () => void this.subscribers.delete(sub) };
      },
    };
    return new ClusterInformer(res, opts, source, this.clock, () => 0.5, silentLogger, this.tuning);
  }

  withRetry(): KubeCluster {
    return this;
  }

  async retryOnConflict<T>(step: () => Promise<T>, policy: { attempts?: number } = {}): Promise<T> {
    const attempts = policy.attempts ?? 5;
    for (let i = 1; ; i++) {
      try {
        return await step();
      } catch (err) {
        if (!(err instanceof GatewayError && err.kind === "conflict") || i >= attempts) throw err;
      }
    }
  }

  async logs(): Promise<string> {
    return "";
  }

  async getScale(res: ApiResource, name: string, namespace?: string): Promise<ScaleInfo> {
    const o = await this.get(res, name, namespace);
    return toScale(o);
  }

  async setScale(res: ApiResource, name: string, namespace: string | undefined, replicas: number, resourceVersion: string): Promise<ScaleInfo> {
    this.call("scale", res);
    const current = this.bucket(res).get(key(name, res.namespaced ? namespace : undefined));
    if (!current) throw new GatewayError("not-found", `${res.plural} "${name}" not found`, 404);
    if (resourceVersion !== current.metadata?.resourceVersion) throw conflict(res, current);
    return toScale(this.write(res, mergePatch(current, { spec: { replicas } }), "MODIFIED"));
  }

  // ------------------------------------------------------------------ internals

  private call(verb: Verb, res: ApiResource): void {
    this.requests++;
    const i = this.faults.findIndex((f) => f.verb === verb && (f.plural === undefined || f.plural === res.plural));
    if (i >= 0) throw this.faults.splice(i, 1)[0]!.error;
  }

  private resourceOf(obj: KObject | KubeObject): ApiResource {
    const res = this.resources.find((r) => r.groupVersion === obj.apiVersion && r.kind === obj.kind);
    if (!res) throw new Error(`FakeCluster serves no ${obj.apiVersion} ${obj.kind}`);
    return res;
  }

  private bucket(res: ApiResource): Map<string, KObject> {
    const id = `${res.group}/${res.plural}`;
    let b = this.store.get(id);
    if (!b) this.store.set(id, (b = new Map()));
    return b;
  }

  /** The object with its type and, for a cluster-scoped kind, no namespace. */
  private placed(res: ApiResource, obj: KObject | KubeObject): KObject {
    if (!obj.metadata?.name) throw new GatewayError("invalid", `${res.kind}: metadata.name: Required value`, 422);
    const metadata = { ...obj.metadata, namespace: res.namespaced ? obj.metadata.namespace : undefined };
    if (res.namespaced && !metadata.namespace) throw new GatewayError("invalid", `${res.kind}: metadata.namespace: Required value`, 422);
    return { ...clone(obj), apiVersion: res.groupVersion, kind: res.kind, metadata };
  }

  private write(res: ApiResource, obj: KObject | KubeObject, type: "ADDED" | "MODIFIED"): KObject {
    const rv = String(++this.revision);
    const previous = this.bucket(res).get(keyOf(obj));
    const stored: KObject = {
      ...clone(obj),
      apiVersion: res.groupVersion,
      kind: res.kind,
      metadata: {
        ...clone(obj).metadata,
        uid: previous?.metadata?.uid ?? obj.metadata?.uid ?? `uid-${rv}`,
        creationTimestamp: previous?.metadata?.creationTimestamp ?? obj.metadata?.creationTimestamp ?? this.clock.now().toISOString().replace(/\.\d{3}Z$/, "Z"),
        resourceVersion: rv,
      },
    };
    this.bucket(res).set(keyOf(stored), stored);
    this.tell(res, { type, object: stored });
    return stored;
  }

  private erase(res: ApiResource, obj: KObject): void {
    this.bucket(res).delete(keyOf(obj));
    this.tell(res, { type: "DELETED", object: { ...obj, metadata: { ...obj.metadata, resourceVersion: String(++this.revision) } } });
  }

  /** Watch events go out after the call that caused them returns, as they would over a connection. */
  private tell(res: ApiResource, ev: WatchEvent): void {
    for (const sub of this.subscribers) {
      if (sub.res.plural !== res.plural || sub.res.group !== res.group) continue;
      if (res.namespaced && sub.namespace && ev.object.metadata?.namespace !== sub.namespace) continue;
      if (!sub.matches(ev.object)) continue;
      const copy = clone(ev.object);
      queueMicrotask(() => sub.onEvent({ type: ev.type, object: copy }));
    }
  }
}

function key(name: string, namespace?: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

function keyOf(o: KubeObject): string {
  return key(o.metadata?.name ?? "", o.metadata?.namespace);
}

function clone<T>(o: T): T {
  return structuredClone(o);
}

function conflict(res: ApiResource, o: KubeObject): GatewayError {
  return new GatewayError("conflict", `Operation cannot be fulfilled on ${res.plural} "${o.metadata?.name}": the object has been modified; please apply your changes to the latest version and try again`, 409);
}

function toScale(o: KObject): ScaleInfo {
  const spec = o.spec as { replicas?: number } | undefined;
  const status = o.status as { replicas?: number } | undefined;
  return { replicas: spec?.replicas ?? 0, statusReplicas: status?.replicas ?? 0, resourceVersion: o.metadata?.resourceVersion ?? "" };
}

/** RFC 7386 merge patch. */
function mergePatch<T>(target: T, patch: unknown): T {
  if (patch === null || typeof patch !== "object" || Array.isArray(patch)) return patch as T;
  const out: Record<string, unknown> = target && typeof target === "object" && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else if (v !== undefined) out[k] = mergePatch(out[k], v);
  }
  return out as T;
}

/** Equality-based label selectors (a=b, a==b, a!=b, a, !a) and metadata.name/namespace field selectors. */
function selects(opts: { labelSelector?: string; fieldSelector?: string }): (o: KObject) => boolean {
  const tests: Array<(o: KObject) => boolean> = [];
  for (const term of (opts.labelSelector ?? "").split(",").map((t) => t.trim()).filter(Boolean)) {
    const m = /^(!)?([^=!\s]+)\s*(?:(==|=|!=)\s*(\S*))?$/.exec(term);
    if (!m) throw new GatewayError("invalid", `FakeCluster: unsupported label selector term "${term}"`, 400);
    const [, not, k, op, v] = m;
    const label = (o: KObject) => o.metadata?.labels?.[k!];
    if (!op) tests.push((o) => (label(o) !== undefined) !== Boolean(not));
    else if (op === "!=") tests.push((o) => label(o) !== v);
    else tests.push((o) => label(o) === v);
  }
  for (const term of (opts.fieldSelector ?? "").split(",").map((t) => t.trim()).filter(Boolean)) {
    const m = /^metadata\.(name|namespace)(==|=|!=)(.*)$/.exec(term);
    if (!m) throw new GatewayError("invalid", `FakeCluster: unsupported field selector "${term}"`, 400);
    const [, field, op, v] = m;
    tests.push((o) => (o.metadata?.[field as "name" | "namespace"] === v) === (op !== "!="));
  }
  return (o) => tests.every((t) => t(o));
}
