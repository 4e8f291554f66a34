/** Public types of the embedded Kubernetes API sandbox. */
import type { KubeControl } from "./control.js";

export interface SimDelays {
  podScheduleMs: number;
  podReadyMs: number;
  machineProvisionMs: number;
  nodeReadyMs: number;
  namespaceFinalizeMs: number;
  controllerTickMs: number;
}

export const TEST_DELAYS: SimDelays = {
  podScheduleMs: 5,
  podReadyMs: 15,
  machineProvisionMs: 20,
  nodeReadyMs: 20,
  namespaceFinalizeMs: 20,
  controllerTickMs: 2,
};

export const DEMO_DELAYS: SimDelays = {
  podScheduleMs: 500,
  podReadyMs: 2000,
  machineProvisionMs: 3000,
  nodeReadyMs: 2500,
  namespaceFinalizeMs: 1500,
  controllerTickMs: 50,
};

export const ZERO_DELAYS: SimDelays = {
  podScheduleMs: 0,
  podReadyMs: 0,
  machineProvisionMs: 0,
  nodeReadyMs: 0,
  namespaceFinalizeMs: 0,
  controllerTickMs: 0,
};

export interface BrokenImageRule {
  /** exact image or glob like "*:crashloop" */
  match: string;
  reason: "ImagePullBackOff" | "CrashLoopBackOff";
}

export interface KubeSandboxOptions {
  clusterName: string;
  /** default 127.0.0.1 */
  host?: string;
  /** default 0 = random */
  port?: number;
  /** folder of *.yaml multi-doc seed */
  seedDir?: string;
  /** extra seed objects */
  objects?: object[];
  brokenImages?: BrokenImageRule[];
  delays?: Partial<SimDelays>;
  /** how many watch events are kept for replay (default 10000); older resourceVersions get 410 Gone */
  historyLimit?: number;
  /** how often watches with allowWatchBookmarks get a BOOKMARK (default 60000, about what the real watch cache does) */
  watchBookmarkMs?: number;
  /**
   * Makes this server a Cluster API management cluster: Machines whose spec.clusterName names one of these servers
   * create, watch and delete their Nodes there (other Machines keep theirs in this server).
   */
  workloadClusters?: Record<string, KubeSandbox>;
}

export interface FaultRule {
  /** get|list|watch|create|update|patch|delete|deletecollection */
  verb?: string;
  /** plural, e.g. "deployments" (or "deployments/scale" for a subresource) */
  resource?: string;
  /** e.g. 500, 409, 503 */
  status?: number;
  /** 0..1, default 1 */
  rate?: number;
  /** apply at most N times */
  count?: number;
  latencyMs?: number;
  dropWatchAfterMs?: number;
  /** with status 429: the Status's retryAfterSeconds and the Retry-After header (default 1) */
  retryAfterSeconds?: number;
  /** reject as API Priority and Fairness does: plain-text 429 with this Retry-After */
  apfRetryAfterSeconds?: number;
  /** only writes sent with dryRun=All (true), or only real ones (false); default both */
  dryRun?: boolean;
}

export interface RequestLogEntry {
  method: string;
  /** URL path without the query string */
  path: string;
  at: number;
  /** raw query string without "?" ("" when none) */
  query?: string;
  /** The user the request ran as (after impersonation), once authenticated. */
  user?: string;
  /** The authenticated caller, when it impersonated `user`. */
  impersonatedBy?: string;
  /** The client's User-Agent ("tugboat", "kubectl/v1.32…"), to tell clients apart in benchmarks. */
  userAgent?: string;
}

export interface KubeSandbox {
  url: string;
  clusterName: string;
  /** The test-control API: objects, faults, delays, the request log, RBAC identities (kube/control.ts). */
  control: KubeControl;
  requests: { total: number; log: RequestLogEntry[]; reset(): void };
  faults: { add(rule: FaultRule): void; clear(): void };
  setDelays(d: Partial<SimDelays>): void;
  /** direct access for tests (bypasses HTTP): */
  getObject(apiVersion: string, kind: string, namespace: string | undefined, name: string): any | undefined;
  listObjects(apiVersion: string, kind: string, namespace?: string): any[];
  /** create or replace (bumps resourceVersion), runs controllers */
  putObject(obj: any): any;
  stop(): Promise<void>;
}
