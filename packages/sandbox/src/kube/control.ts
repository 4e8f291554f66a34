// The test-control API of one Kubernetes API server: what a test arranges and checks without going through HTTP
// (objects, faults, delays, the request log, RBAC identities). Everything else in kube/ is internal; tests and
// scripts use this (README.md, "Test control").
import type { Api } from "./api/index.js";
import { SANDBOX_IDENTITIES, type SandboxIdentity, type UserInfo } from "./auth/identities.js";
import type { SandboxAuth } from "./auth/index.js";
import type { Controllers } from "./controllers/index.js";
import type { Faults } from "./faults.js";
import { findByKind, type ResourceDef } from "./resources.js";
import { matchLabels, parseLabelSelector } from "./selectors.js";
import type { Store } from "./store.js";
import type { FaultRule, RequestLogEntry, SimDelays } from "./types.js";
import { clone } from "./util.js";

/** An object as the store holds it: typed where every kind agrees, open elsewhere. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    generation?: number;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    creationTimestamp?: string;
    deletionTimestamp?: string;
    finalizers?: string[];
    ownerReferences?: Array<{ apiVersion: string; kind: string; name: string; uid: string; controller?: boolean }>;
    [field: string]: unknown;
  };
  [field: string]: unknown;
}

/** One object: its kind (as apiVersion and kind), its namespace when the kind has one, its name. */
export interface ObjectRef {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
}

/** A store query: every object of a kind, in one namespace or all, optionally by label selector. */
export interface ObjectQuery {
  apiVersion: string;
  kind: string;
  namespace?: string;
  /** A label selector as kubectl takes it (`app=unicorn,tier!=canary`). */
  labelSelector?: string;
}

/** A fault that was injected: how many requests it has hit so far, and a way to take it back. */
export interface FaultHandle {
  readonly rule: Readonly<FaultRule>;
  readonly hits: number;
  remove(): void;
}

/** Which logged requests to count or return; every given field must match. */
export interface RequestFilter {
  method?: string;
  /** The path exactly, or a pattern. */
  path?: string | RegExp;
  /** The user the request ran as (after impersonation). */
  user?: string;
  userAgent?: string | RegExp;
}

/** What an RBAC question names: a verb on a resource (with API group, namespace and name where they matter). */
export interface AccessQuestion {
  verb: string;
  resource: string;
  /** "" (the default) for the core group. */
  group?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

export interface KubeControl {
  readonly cluster: string;
  readonly objects: {
    get<T extends KubeObject = KubeObject>(ref: ObjectRef): T | undefined;
    /** As get, but a missing object (or a kind the sandbox does not serve) throws, naming it. */
    require<T extends KubeObject = KubeObject>(ref: ObjectRef): T;
    list<T extends KubeObject = KubeObject>(query: ObjectQuery): T[];
    /** Create or replace (bumps resourceVersion; status is stored as given) and wake the controllers. */
    put<T extends KubeObject = KubeObject>(obj: T): T;
    /** Read, change and store one object (a test's edit: no conflict check). */
    update<T extends KubeObject = KubeObject>(ref: ObjectRef, change: (obj: T) => void): T;
    /** Delete as the API does (finalizers and owners' garbage collection apply); false when it was not there. */
    delete(ref: ObjectRef): boolean;
  };
  readonly faults: {
    /** Fail, slow down or drop matching requests (a `rate` draws from a seeded sequence, see FaultRule). */
    inject(rule: FaultRule): FaultHandle;
    clear(): void;
  };
  readonly delays: {
    current(): SimDelays;
    set(delays: Partial<SimDelays>): void;
  };
  readonly requests: {
    count(filter?: RequestFilter): number;
    list(filter?: RequestFilter): RequestLogEntry[];
    reset(): void;
  };
  readonly rbac: {
    /** The built-in identities (admin, tugboat, viewer, deployer, ci) and any added with addUser. */
    identities(): SandboxIdentity[];
    /** The bearer token of an identity, by its short name. */
    token(name: string): string;
    /** A user that authenticates with the returned token on this server only; RBAC decides what it may do. */
    addUser(name: string, user: { username?: string; groups?: string[] }): string;
    /** Would this server's RBAC allow the user (an identity's short name, or a user) to do this? */
    allows(who: string | UserInfo, question: AccessQuestion): boolean;
  };
}

/** The internals a KubeControl works on, handed over by startKubeSandbox. */
export interface KubeInternals {
  cluster: string;
  store: Store;
  api: Api;
  controllers: Controllers;
  faults: Faults;
  auth: SandboxAuth;
  delays: SimDelays;
  requests: { log: RequestLogEntry[]; reset(): void };
  setDelays(delays: Partial<SimDelays>): void;
}

function served(ref: { apiVersion: string; kind: string }): ResourceDef {
  const def = findByKind(ref.apiVersion, ref.kind);
  if (!def) throw new Error(`the sandbox serves no ${ref.kind} in ${ref.apiVersion}`);
  return def;
}

const namespaceOf = (def: ResourceDef, namespace: string | undefined) => (def.namespaced ? namespace ?? "default" : undefined);
const describe = (ref: ObjectRef) => `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ""}${ref.name}`;

function matches(entry: RequestLogEntry, f: RequestFilter): boolean {
  const like = (value: string | undefined, want: string | RegExp | undefined) =>
    want === undefined || (typeof want === "string" ? value === want : want.test(value ?? ""));
  return (f.method === undefined || entry.method === f.method.toUpperCase()) && like(entry.path, f.path) && like(entry.user, f.user) && like(entry.userAgent, f.userAgent);
}

export function createKubeControl(k: KubeInternals): KubeControl {
  const get = <T extends KubeObject>(ref: ObjectRef): T | undefined => {
    const def = findByKind(ref.apiVersion, ref.kind);
    return def ? (clone(k.store.get(def, namespaceOf(def, ref.namespace), ref.name)) as T | undefined) : undefined;
  };
  const put = <T extends KubeObject>(obj: T): T => {
    const stored = k.api.put(obj) as T;
    k.controllers.kick();
    return stored;
  };
  const require = <T extends KubeObject>(ref: ObjectRef): T => {
    served(ref);
    const found = get<T>(ref);
    if (!found) throw new Error(`${describe(ref)} is not in the ${k.cluster} sandbox`);
    return found;
  };
  const identities = (): SandboxIdentity[] => [...SANDBOX_IDENTITIES, ...k.auth.addedIdentities()];
  const userOf = (who: string | UserInfo): UserInfo => {
    if (typeof who !== "string") return who;
    const found = identities().find((i) => i.name === who);
    if (!found) throw new Error(`no sandbox identity "${who}" (have: ${identities().map((i) => i.name).join(", ")})`);
    return found.user;
  };

  return {
    cluster: k.cluster,
    objects: {
      get,
      require,
      list<T extends KubeObject>(q: ObjectQuery): T[] {
        const def = served(q);
        const selector = parseLabelSelector(q.labelSelector);
        return (k.store.list(def, def.namespaced ? q.namespace : undefined) as T[]).filter((o) => matchLabels(selector, o.metadata.labels)).map(clone);
      },
      put,
      update<T extends KubeObject>(ref: ObjectRef, change: (obj: T) => void): T {
        const obj = require<T>(ref);
        change(obj);
        return put(obj);
      },
      delete(ref: ObjectRef): boolean {
        const def = served(ref);
        const ns = namespaceOf(def, ref.namespace);
        if (!k.store.get(def, ns, ref.name)) return false;
        k.api.delete(def, ns, ref.name, undefined);
        k.controllers.kick();
        return true;
      },
    },
    faults: {
      inject(rule: FaultRule): FaultHandle {
        const added = k.faults.add(rule);
        return {
          rule: { ...rule },
          get hits() {
            return added.used;
          },
          remove: () => k.faults.remove(added),
        };
      },
      clear: () => k.faults.clear(),
    },
    delays: {
      current: () => ({ ...k.delays }),
      set: (d) => k.setDelays(d),
    },
    requests: {
      count: (f = {}) => k.requests.log.filter((e) => matches(e, f)).length,
      list: (f = {}) => k.requests.log.filter((e) => matches(e, f)).map((e) => ({ ...e })),
      reset: () => k.requests.reset(),
    },
    rbac: {
      identities,
      token(name: string): string {
        const found = identities().find((i) => i.name === name);
        if (!found) throw new Error(`no sandbox identity "${name}" (have: ${identities().map((i) => i.name).join(", ")})`);
        return found.token;
      },
      addUser: (name, user) => k.auth.addIdentity(name, user),
      allows(who: string | UserInfo, q: AccessQuestion): boolean {
        return k.auth.rbac.authorize({
          user: userOf(who),
          verb: q.verb,
          resourceRequest: true,
          path: "",
          apiGroup: q.group ?? "",
          // RBAC rules name no versions.
          apiVersion: "",
          resource: q.resource,
          subresource: q.subresource ?? "",
          namespace: q.namespace ?? "",
          name: q.name ?? "",
        }).allowed;
      },
    },
  };
}
