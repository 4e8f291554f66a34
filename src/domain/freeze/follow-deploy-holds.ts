import type { TugboatConfig } from "../../config/schema.js";
import { firstToAbort } from "../../core/abort-signals.js";
import type { V1Lease } from "../../gateways/kube-models.js";
import type { Informer } from "../../gateways/types.js";
import { queueSettings, turnLiveUntil } from "../deploy-queue/deploy-queue.js";
import { queueFromLease, queueLeaseName, type QueueKey } from "../deploy-queue/queue-store.js";
import { followLease } from "../lease-lock.js";
import type { Coordination } from "../replicas/coordination.js";
import { freezesAt } from "./check-freeze.js";
import { freezeLeaseName } from "./freeze-store.js";
import type { FreezeWindow } from "./freeze-windows.js";

// What holds a deploy to an environment back, kept current without polling: the freezes of its freeze scope (the
// config's windows and the ad hoc freeze Leases) and the live turn of its deploy queue (a Lease), each Lease
// followed by the port's informer (as withLeaseWaiting follows a lock).

export interface DeployHolds {
  /** The freeze windows holding now, soonest end first. */
  windows: FreezeWindow[];
  /** Someone's turn in the environment's deploy queue is live. */
  turnLive: boolean;
  /** When this changes by time alone (ms on the clock: a window or the turn ends); undefined when nothing holds. */
  changesAt?: number;
}

export interface FollowedHolds {
  /** The holds now, from the informers' stores. */
  now(): DeployHolds;
  /**
   * Resolves true as soon as a Lease change leaves nothing holding the deploy back; false when `timeoutMs` passes
   * on the clock first (a hold that ends by time alone is seen by asking `now()` then) or `signal` aborts. Rejects
   * with the port's GatewayError when an informer gives up.
   */
  untilClear(timeoutMs: number, signal: AbortSignal): Promise<boolean>;
  stop(): void;
}

export async function followDeployHolds(config: TugboatConfig, c: Coordination, freezeScope: readonly string[], queue: QueueKey): Promise<FollowedHolds> {
  const queueLease = queueLeaseName(queue);
  const names = [...freezeScope.map(freezeLeaseName), queueLease];
  const informers: Array<Informer<V1Lease>> = [];
  try {
    for (const name of names) informers.push(await followLease(c.cluster, c.namespace, name));
    // The stores are empty until the first list: "no Lease" is only known once each has synced.
    for (const informer of informers) await informer.waitFor(() => true);
  } catch (err) {
    for (const informer of informers) informer.stop();
    throw err;
  }
  const lease = (name: string) => informers[names.indexOf(name)]?.get(name, c.namespace);
  const settings = queueSettings(config);

  const holds = (): DeployHolds => {
    const now = c.now();
    const windows = freezesAt(config, freezeScope, now, (env) => lease(freezeLeaseName(env)));
    const turnEnd = turnLiveUntil(queueFromLease(lease(queueLease)).turn, settings);
    const turnLive = turnEnd !== undefined && now.getTime() < turnEnd;
    const ends = [...windows.map((w) => w.end.getTime()), ...(turnLive ? [turnEnd] : [])];
    return { windows, turnLive, changesAt: ends.length > 0 ? Math.min(...ends) : undefined };
  };
  const clear = (): true | undefined => {
    const h = holds();
    return h.windows.length === 0 && !h.turnLive ? true : undefined;
  };

  return {
    now: holds,
    async untilClear(timeoutMs, signal) {
      // Each informer asks after its own changes; the first answer (clear, or the time is up) ends the others.
      const done = new AbortController();
      const either = firstToAbort(signal, done.signal);
      try {
        return (await Promise.race(informers.map((i) => i.waitFor(clear, { timeoutMs, signal: either })))) === true;
      } finally {
        done.abort();
      }
    },
    stop: () => {
      for (const informer of informers) informer.stop();
    },
  };
}
