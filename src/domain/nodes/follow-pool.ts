import type { Logger } from "../../core/logger.js";
import type { Machine, V1Node } from "../../gateways/kube-models.js";
import type { Informer, KubeObject } from "../../gateways/types.js";
import { DEPLOYMENT_NAME_LABEL, byCreation, describeMachine, describeNode, machineOfPool, type MachineInfo, type NodeInfo } from "./describe-pool.js";
import type { PoolSource } from "./pool-source.js";

// Follows one pool's Machines (where Cluster API lives) and the workload cluster's Nodes with the port's informers,
// so progress comes from events rather than polling. The Machines that existed when it started are the
// "before" set; Machines created afterwards are new, oldest first.

export interface Slot {
  /** The Machine filling this slot, once the MachineSet created it. */
  machine?: MachineInfo;
  node?: NodeInfo;
  state: "waiting" | "provisioning" | "registered" | "ready" | "failed";
}

export class PoolFollower {
  private readonly before = new Set<string>();
  private machines: Informer<Machine> | undefined;
  private nodes: Informer<V1Node> | undefined;
  private readonly listeners = new Set<() => void>();
  private readonly unsubscribe: Array<() => void> = [];

  /** `machineDeployment` is the MachineDeployment's name (a ClusterClass pool's differs from the pool's name). */
  constructor(
    private readonly source: PoolSource,
    private readonly machineDeployment: string,
    private readonly log?: Logger,
  ) {}

  /** Starts both informers and waits for their first lists; the Machines listed now are the "before" set. */
  async start(): Promise<void> {
    this.machines = await this.source.capi.machines.informer({ namespace: this.source.namespace, labelSelector: `${DEPLOYMENT_NAME_LABEL}=${this.machineDeployment}` });
    this.nodes = await this.source.nodes.nodes.informer();
    await this.machines.waitFor(() => true);
    for (const m of this.machines.items()) this.before.add(m.metadata?.name ?? "");
    await this.nodes.waitFor(() => true);
    for (const informer of [this.machines, this.nodes]) this.unsubscribe.push(informer.onChange(() => this.notify()));
    this.notify();
  }

  stop(): void {
    for (const u of this.unsubscribe.splice(0)) u();
    this.machines?.stop();
    this.nodes?.stop();
    this.listeners.clear();
  }

  /** Machines created since start, oldest first. */
  newMachines(): MachineInfo[] {
    return (this.machines?.items() ?? [])
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
      const nodeObj = machine.nodeName ? this.nodes?.get(machine.nodeName) : undefined;
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
   * Resolves true as soon as `done()` holds, false when `sleep` (a deadline) resolves first; rejects with the
   * informer's error when Machines or Nodes cannot be followed (it says why). The sleep gets an abort signal
   * that fires when the wait is over either way.
   */
  async waitUntil(done: () => boolean, sleep: (signal: AbortSignal) => Promise<void>): Promise<boolean> {
    if (done()) return true;
    const over = new AbortController();
    let unsubscribe = () => {};
    const failed = <T extends KubeObject>(informer: Informer<T> | undefined) => informer?.waitFor(() => false, { signal: over.signal }).then(() => false) ?? new Promise<boolean>(() => {});
    try {
      return await Promise.race([
        new Promise<boolean>((resolve) => {
          unsubscribe = this.onChange(() => {
            if (done()) resolve(true);
          });
        }),
        sleep(over.signal).then(
          () => false,
          () => false,
        ),
        failed(this.machines),
        failed(this.nodes),
      ]);
    } finally {
      unsubscribe();
      over.abort();
    }
  }

  private notify(): void {
    for (const fn of [...this.listeners]) {
      try {
        fn();
      } catch (err) {
        this.log?.warn("pool follower listener failed", { error: String(err) });
      }
    }
  }
}
