// The test-control API of a whole sandbox (README.md, "Test control"): each Kubernetes cluster's KubeControl and
// the GitHub server's store, faults and request log, behind one object a test holds.
import type { KubeControl } from "./kube/control.js";
import type { KubeSandbox } from "./kube/types.js";
import type { FaultRule as GithubFaultRule, GithubSandbox, GithubStore, RequestLogEntry as GithubRequest } from "./github/index.js";

export type { AccessQuestion, FaultHandle, KubeControl, KubeObject, ObjectQuery, ObjectRef, RequestFilter } from "./kube/control.js";
export type { GithubFaultRule, GithubRequest };

/** Which logged GitHub requests to count or return; every given field must match. */
export interface GithubRequestFilter {
  method?: string;
  path?: string | RegExp;
  status?: number;
}

export interface GithubControl {
  /** Repositories, pulls, commits, statuses, check runs, deployments and files: arrange and query (store.ts). */
  readonly store: GithubStore;
  readonly faults: {
    inject(rule: GithubFaultRule): void;
    clear(): void;
  };
  readonly requests: {
    count(filter?: GithubRequestFilter): number;
    list(filter?: GithubRequestFilter): GithubRequest[];
    reset(): void;
  };
}

export interface SandboxControl {
  /** The clusters' names (production, staging, management). */
  readonly clusters: string[];
  /** One cluster's control; an unknown name throws, naming the clusters there are. */
  cluster(name: string): KubeControl;
  readonly github: GithubControl;
}

function githubMatches(entry: GithubRequest, f: GithubRequestFilter): boolean {
  const pathOk = f.path === undefined || (typeof f.path === "string" ? entry.path === f.path : f.path.test(entry.path));
  return pathOk && (f.method === undefined || entry.method === f.method.toUpperCase()) && (f.status === undefined || entry.status === f.status);
}

export function sandboxControl(sandbox: { clusters: Record<string, KubeSandbox>; github: GithubSandbox }): SandboxControl {
  const github = sandbox.github;
  return {
    clusters: Object.keys(sandbox.clusters),
    cluster(name: string): KubeControl {
      const found = Object.hasOwn(sandbox.clusters, name) ? sandbox.clusters[name] : undefined;
      if (!found) throw new Error(`no sandbox cluster "${name}" (have: ${Object.keys(sandbox.clusters).join(", ")})`);
      return found.control;
    },
    github: {
      store: github.store,
      faults: { inject: (rule) => github.faults.add(rule), clear: () => github.faults.clear() },
      requests: {
        count: (f = {}) => github.requests.log.filter((e) => githubMatches(e, f)).length,
        list: (f = {}) => github.requests.log.filter((e) => githubMatches(e, f)).map((e) => ({ ...e })),
        reset: () => github.requests.reset(),
      },
    },
  };
}
