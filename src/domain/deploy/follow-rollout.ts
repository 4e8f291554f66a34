import type { Clock } from "../../core/services.js";
import type { Informer, KubeCluster } from "../../gateways/types.js";
import type { V1Deployment, V1Pod, V1ReplicaSet } from "../../gateways/kube-models.js";
import { errorMessage } from "../../core/errors.js";
import { rolloutState, rolloutSummary } from "../rollout-status.js";
import { podsOfNewRevision } from "./pod-owners.js";

// Follows Deployments until each is rolled out, one fails, or time runs out. Driven by the port's informers on
// Deployments, ReplicaSets and Pods in the namespace (no polling); the informers re-list and back off themselves,
// and when the cluster will not let them follow, following stops ("interrupted") with their reason.

export type DeploymentPhase = "waiting" | "done" | "failed";

export interface DeploymentProgress {
  name: string;
  phase: DeploymentPhase;
  /** `unicorn 3/5 updated · 2/5 available`, or the reason it failed. */
  detail: string;
}

export type FollowOutcome =
  | { outcome: "done"; progress: DeploymentProgress[] }
  | { outcome: "failed"; reason: string; progress: DeploymentProgress[] }
  | { outcome: "timeout"; reason: string; progress: DeploymentProgress[] }
  | { outcome: "interrupted"; reason: string; progress: DeploymentProgress[] };

export interface FollowOptions {
  cluster: KubeCluster;
  namespace: string;
  /** Deployment name → the generation the controller must have observed (0: whichever it has). */
  deployments: Map<string, number>;
  timeoutMs: number;
  clock: Clock;
  /** Stops following (shutdown, lost lock); the outcome is "interrupted" with the signal's reason. */
  signals?: AbortSignal[];
  /** Called with the current state, at most once per `progressIntervalMs` (plus a final call). */
  onProgress?: (progress: DeploymentProgress[]) => void;
  progressIntervalMs?: number;
  /** Pods of the current template that restarted count as a failure (canaries). */
  failOnRestart?: boolean;
  /** What to call the timeout in messages. */
  timeoutLabel?: string;
}

/** Waiting reasons that mean the new pods will not come up by themselves. */
const FATAL_REASONS = /^(ImagePullBackOff|CrashLoopBackOff|InvalidImageName|ErrImageNeverPull|CreateContainerConfigError|CreateContainerError|RunContainerError)$/;

/** Why these pods (of the current revision) cannot come up, if they cannot. */
export function podFailure(pods: V1Pod[], failOnRestart: boolean): string | undefined {
  for (const pod of pods) {
    for (const cs of [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])]) {
      const waiting = cs.state?.waiting;
      const reason = waiting?.reason;
      if (reason && FATAL_REASONS.test(reason)) {
        const msg = waiting?.message ? ` (${waiting.message.slice(0, 160)})` : "";
        return `pod ${pod.metadata?.name} container ${cs.name}: ${reason}${msg}`;
      }
      if (failOnRestart && (cs.restartCount ?? 0) > 0) return `pod ${pod.metadata?.name} container ${cs.name} restarted ${cs.restartCount} time(s)`;
    }
  }
  return undefined;
}

export async function followRollout(opts: FollowOptions): Promise<FollowOutcome> {
  const { cluster, namespace, clock } = opts;
  const opened = await Promise.allSettled([cluster.deployments.informer({ namespace }), cluster.replicaSets.informer({ namespace }), cluster.pods.informer({ namespace })] as const);
  const [d, r, p] = opened;
  if (d.status === "rejected" || r.status === "rejected" || p.status === "rejected") {
    for (const o of opened) if (o.status === "fulfilled") o.value.stop();
    throw [d, r, p].flatMap((o) => (o.status === "rejected" ? [o.reason as unknown] : []))[0];
  }
  const [deployments, replicaSets, pods] = [d.value, r.value, p.value];
  const informers = [deployments, replicaSets, pods];
  const seen = new Set<string>();
  const stopWaiting = new AbortController();

  const progress = (): DeploymentProgress[] =>
    [...opts.deployments.keys()].map((name) => {
      const d = deployments.get(name, namespace);
      if (d) seen.add(name);
      if (!d && seen.has(name)) return { name, phase: "failed" as const, detail: `${name} was deleted` };
      if (!d) return { name, phase: "waiting" as const, detail: `${name}: not found yet` };
      const want = opts.deployments.get(name) ?? 0;
      const state = rolloutState(d);
      const failure = podFailure(podsOfNewRevision(d, replicaSets.items(), pods.items()), opts.failOnRestart ?? false);
      if (failure) return { name, phase: "failed" as const, detail: failure };
      if (state.phase === "failed") return { name, phase: "failed" as const, detail: state.message };
      if ((d.status?.observedGeneration ?? 0) < want) return { name, phase: "waiting" as const, detail: `${name}: waiting for the controller` };
      return { name, phase: state.phase, detail: rolloutSummary(d) };
    });

  // Progress at most once per interval; a change inside it is sent when the interval ends.
  let lastEmit = Number.NEGATIVE_INFINITY;
  let emitPending = false;
  const interval = opts.progressIntervalMs ?? 1000;
  const emit = () => {
    if (!opts.onProgress || emitPending) return;
    const now = clock.now().getTime();
    if (now - lastEmit >= interval) {
      lastEmit = now;
      opts.onProgress(progress());
      return;
    }
    emitPending = true;
    clock.sleep(interval - (now - lastEmit), stopWaiting.signal).then(
      () => {
        emitPending = false;
        emit();
      },
      () => {},
    );
  };

  /** The outcome once every informer has listed: done, failed, or undefined to keep waiting. */
  const evaluate = (): FollowOutcome | undefined => {
    if (!informers.every((i) => i.synced)) return undefined;
    const p = progress();
    const failed = p.find((x) => x.phase === "failed");
    if (failed) return { outcome: "failed", reason: failed.detail, progress: p };
    if (p.every((x) => x.phase === "done")) return { outcome: "done", progress: p };
    emit();
    return undefined;
  };

  const ended = (signal: AbortSignal): FollowOutcome => ({
    outcome: "interrupted",
    reason: signal.reason instanceof Error ? signal.reason.message : String(signal.reason ?? "stopped"),
    progress: progress(),
  });
  const timedOut = (): FollowOutcome => {
    const p = progress();
    const stuck = p.filter((x) => x.phase !== "done").map((x) => x.detail);
    return {
      outcome: "timeout",
      reason: `${opts.timeoutLabel ?? "the rollout"} did not finish within ${Math.round(opts.timeoutMs / 1000)}s${stuck.length ? ` (${stuck.join("; ")})` : ""}`,
      progress: p,
    };
  };

  const cleanups: Array<() => void> = [];
  try {
    const outcome = await new Promise<FollowOutcome>((resolve) => {
      for (const s of opts.signals ?? []) {
        if (s.aborted) return resolve(ended(s));
        const onAbort = () => resolve(ended(s));
        s.addEventListener("abort", onAbort, { once: true });
        cleanups.push(() => s.removeEventListener("abort", onAbort));
      }
      const check = () => {
        const o = evaluate();
        if (o) resolve(o);
      };
      for (const informer of informers) {
        cleanups.push(informer.onChange(check));
        // An informer that gives up (no permission, throttled, API down) ends following with its reason.
        informer.waitFor(() => false, { signal: stopWaiting.signal }).catch((err: unknown) =>
          resolve({ outcome: "interrupted", reason: `cannot follow the rollout: ${errorMessage(err)}`, progress: progress() }),
        );
      }
      clock.sleep(opts.timeoutMs, stopWaiting.signal).then(
        () => resolve(timedOut()),
        () => {},
      );
      check();
    });
    opts.onProgress?.(outcome.progress);
    return outcome;
  } finally {
    stopWaiting.abort();
    for (const c of cleanups) c();
    for (const informer of informers) informer.stop();
  }
}
