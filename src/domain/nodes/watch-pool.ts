import type { Logger } from "../../core/logger.js";
import type { ApiResource, KObject, KubeCluster, WatchEvent, WatchHandle } from "../../gateways/types.js";
import { DEPLOYMENT_NAME_LABEL, byCreation, describeMachine, describeNode, machineOfPool, type MachineInfo, type NodeInfo } from "./describe-pool.js";
import type { PoolSource } from "./pool-source.js";
import type { PoolResources } from "./read-pools.js";

// Follows one pool's Machines (where Cluster API lives) and the workload cluster's Nodes with list + watch (re-listing when a watch ends),
// so progress comes from events rather than polling. The Machines that existed when it started are the
// "before" set; Machines created afterwards are new, oldest first.

export interface Slot {
  /** The Machine filling this slot, once the MachineSet created it. */
  machine?: MachineInfo;
  node?: NodeInfo;
  state: "waiting" | "provisioning" | "registered" | "ready" | "failed";
}

export class PoolWatcher {
  private readonly machines = new Map<string, KObject>();
  private readonly nodes = new Map<string, KObject>();
  private readonly before = new Set<string>();
  private readonly handles: WatchHandle[] = [];
  private readonly listeners = new Set<() => void>();
  private stopped = false;

  /** `machineDeployment` is the MachineDeployment's name (a ClusterClass pool's differs from the pool's name). */
  constructor(
    private readonly source: PoolSource,
    private readonly res: PoolResources,
    private readonly machineDeployment: string,
    private readonly log?: Logger,
  ) {}

  /** Lists and starts watching; the Machines listed now are the "before" set. */
  async start(): Promise<void> {
    await this.follow(this.source.capi, this.res.machines, { namespace: this.source.namespace, labelSelector: `${DEPLOYMENT_NAME_LABEL}=${this.machineDeployment}` }, this.machines, true);
    await this.follow(this.source.nodes, this.res.nodes, {}, this.nodes, false);
  }

  stop(): void {
    this.stopped = true;
    for (const h of this.handles.splice(0)) h.stop();
    this.listeners.clear();
  }

  /** Machines created since start, oldest first. */
  newMachines(): MachineInfo[] {
    return [...this.machines.values()]
      .filter((m) => machineOfPool(m, this.machineDeployment) && !this.before.has(m.metadata?.name ?? ""))
      .map(describeMachine)
      .sort(byCreation);
  }

  /** The first `count` new Machines are this request's; slots not yet filled are "waiting". */
  slots(count: number): Slot[] {
    const ours = this.newMachines().slice(0, count);
    const out: Slot[] = [];
    for (let i = 0; i < count; i++) {
      const machine = ours[i];
      if (!machine) {
        out.push({ state: "waiting" });
        continue;
      }
      const nodeObj = machine.nodeName ? this.nodes.get(machine.nodeName) : undefined;
      const node = nodeObj ? describeNode(nodeObj) : undefined;
      let state: Slot["state"];
      if (node?.ready) state = "ready";
      else if (machine.phase === "Failed" || machine.failure) state = "failed";
      else if (node) state = "registered";
      else state = "provisioning";
      out.push({ machine, ...(node ? { node } : {}), state });
    }
    return out;
  }

  /** Calls `fn` after every change (and once now). Returns an unsubscribe function. */
  onChange(fn: () => void): () => void {
    this.listeners.add(fn);
    fn();
    return () => this.listeners.delete(fn);
  }

  /**
   * Resolves true as soon as `done()` holds, false when `sleep` (a deadline) resolves first.
   * The sleep gets an abort signal that fires when the wait is over either way.
   */
  async waitUntil(done: () => boolean, sleep: (signal: AbortSignal) => Promise<void>): Promise<boolean> {
    if (done()) return true;
    const stopTimer = new AbortController();
    let unsubscribe = () => {};
    try {
      return await Promise.race([
        new Promise<boolean>((resolve) => {
          unsubscribe = this.onChange(() => {
            if (done()) resolve(true);
          });
        }),
        sleep(stopTimer.signal).then(
          () => false,
          () => false,
        ),
      ]);
    } finally {
      unsubscribe();
      stopTimer.abort();
    }
  }

  private notify(): void {
    for (const fn of [...this.listeners]) {
      try {
        fn();
      } catch (err) {
        this.log?.warn("pool watcher listener failed", { error: String(err) });
      }
    }
  }

  private async follow(cluster: KubeCluster, res: ApiResource, opts: { namespace?: string; labelSelector?: string }, store: Map<string, KObject>, isBefore: boolean, restarts = 0): Promise<void> {
    const list = await cluster.list(res, opts);
    if (this.stopped) return;
    store.clear();
    for (const o of list.items) store.set(o.metadata?.name ?? "", o);
    if (isBefore && restarts === 0) for (const name of store.keys()) this.before.add(name);
    this.notify();
    const onEvent = (ev: WatchEvent) => {
      const name = ev.object.metadata?.name;
      if (!name || ev.type === "BOOKMARK") return;
      if (ev.type === "DELETED") store.delete(name);
      else store.set(name, ev.object);
      this.notify();
    };
    const onClose = (err?: Error) => {
      if (this.stopped) return;
      // Watches end (server timeouts, 410 Gone after compaction): list again and resume.
      const delay = Math.min(2000, 100 * 2 ** Math.min(restarts, 5));
      this.log?.debug("pool watch ended; re-listing", { resource: res.plural, error: err?.message, delay });
      setTimeout(() => {
        if (this.stopped) return;
        this.follow(cluster, res, opts, store, isBefore, restarts + 1).catch((e) => {
          this.log?.warn("pool watch could not restart", { resource: res.plural, error: String(e) });
          onClose(e instanceof Error ? e : new Error(String(e)));
        });
      }, delay).unref();
    };
    const handle = await cluster.watch(res, { ...opts, resourceVersion: list.resourceVersion }, onEvent, onClose);
    if (this.stopped) handle.stop();
    else this.handles.push(handle);
  }
}
