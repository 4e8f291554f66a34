import type { Api } from "../api/index.js";
import type { Store } from "../store.js";
import type { SimDelays } from "../types.js";

export type EventType = "Normal" | "Warning";

/**
 * Where a Machine's Node lives: this server, or (when this server is a management cluster) the workload cluster's
 * server named by the Machine's spec.clusterName. See workload-clusters.ts.
 */
export interface NodeHost {
  readonly api: Api;
  readonly store: Store;
  readonly clusterName: string;
  kick(): void;
  event(involved: any, type: EventType, reason: string, message: string, component: string, host?: string, fieldPath?: string): void;
}

/** What each simulated controller needs from the loop that drives it (see Controllers). */
export interface ControllerContext {
  readonly api: Api;
  readonly store: Store;
  readonly clusterName: string;
  /** read at each use: bootstrap() swaps in zero delays and setDelays() replaces them */
  readonly delays: SimDelays;
  readonly bootstrapping: boolean;
  /** now, or `pastIso` while bootstrapping so that seeded objects look settled long ago */
  stamp(pastIso?: string): string;
  /** reconcile the object being reconciled again at `t` */
  wakeAt(t: number): void;
  event(involved: any, type: EventType, reason: string, message: string, component: string, host?: string, fieldPath?: string): void;
  /** the server holding the Nodes of workload cluster `clusterName` (this server unless it is linked to another) */
  nodeHost(clusterName: string | undefined): NodeHost;
}
