import type { Clock } from "../../core/services.js";
import type { ApiResource, GatewayError, KObject, KubeCluster, WatchHandle } from "../../gateways/types.js";
import { rolloutState, rolloutSummary } from "../rollout-status.js";
import { mayBelongTo } from "./pod-owners.js";
import { retryTransient } from "./retry-transient.js";

// Follows Deployments until each is rolled out, one fails, or time runs out. Driven by watches on Deployments
// and Pods in the namespace (no polling); a dropped watch or a 410 Gone means re-list and re-watch.

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
  /** Deployment name → the generation the controller must have observed (0 for any). */
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

export async function findResource(cluster: KubeCluster, group: string, plural: string): Promise<ApiResource> {
  const find = (list: ApiResource[]) => list.find((r) => r.group === group && r.plural === plural);
  const res = find(await retryTransient(() => cluster.discover())) ?? find(await retryTransient(() => cluster.discover(true)));
  if (!res) throw new Error(`cluster ${cluster.name} serves no ${group || "core"} ${plural}`);
  return res;
}

function labelsMatch(want: Record<string, string> | undefined, have: Record<string, string> | undefined): boolean {
  for (const [k, v] of Object.entries(want ?? {})) if (have?.[k] !== v) return false;
  return true;
}

function imagesOf(spec: any): string {
  return [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])].map((c: any) => `${c.name}=${c.image}`).join(",");
}

/** Pods running the Deployment's current template (same labels, same images). */
export function podsOfTemplate(deploy: KObject, pods: Iterable<KObject>): KObject[] {
  const tpl = deploy.spec?.template ?? {};
  const selector = deploy.spec?.selector?.matchLabels;
  const want = imagesOf(tpl.spec);
  const out: KObject[] = [];
  for (const p of pods) {
    if (p.metadata?.deletionTimestamp) continue;
    if (!labelsMatch(selector, p.metadata?.labels) || !labelsMatch(tpl.metadata?.labels, p.metadata?.labels)) continue;
    // The stable selector also matches canary pods; the owning ReplicaSet's name tells them apart.
    if (!mayBelongTo(p, deploy.metadata?.name ?? "")) continue;
    if (imagesOf(p.spec) !== want) continue;
    out.push(p);
  }
  return out;
}

/** Why pods of the current template cannot come up, if they cannot. */
export function podFailure(pods: KObject[], failOnRestart: boolean): string | undefined {
  for (const pod of pods) {
    for (const cs of [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])]) {
      const reason = cs.state?.waiting?.reason;
      if (reason && FATAL_REASONS.test(reason)) {
        const msg = cs.state.waiting.message ? ` (${String(cs.state.waiting.message).slice(0, 160)})` : "";
        return `pod ${pod.metadata?.name} container ${cs.name}: ${reason}${msg}`;
      }
      if (failOnRestart && (cs.restartCount ?? 0) > 0) return `pod ${pod.metadata?.name} container ${cs.name} restarted ${cs.restartCount} time(s)`;
    }
  }
  return undefined;
}

export async function followRollout(opts: FollowOptions): Promise<FollowOutcome> {
  const { cluster, namespace, clock } = opts;
  const deployRes = await findResource(cluster, "apps", "deployments");
  const podRes = await findResource(cluster, "", "pods");
  const deployments = new Map<string, KObject>();
  const seen = new Set<string>();
  const pods = new Map<string, KObject>();
  const watches: WatchHandle[] = [];
  let finished = false;
  let settle!: (o: FollowOutcome) => void;
  const result = new Promise<FollowOutcome>((resolve) => (settle = resolve));
  const stopWaiting = new AbortController();

  const progress = (): DeploymentProgress[] =>
    [...opts.deployments.keys()].map((name) => {
      const d = deployments.get(name);
      if (!d && seen.has(name)) return { name, phase: "failed" as const, detail: `${name} was deleted` };
      if (!d) return { name, phase: "waiting" as const, detail: `${name}: not found yet` };
      const want = opts.deployments.get(name) ?? 0;
      const state = rolloutState(d);
      const failure = podFailure(podsOfTemplate(d, pods.values()), opts.failOnRestart ?? false);
      if (failure) return { name, phase: "failed" as const, detail: failure };
      if (state.phase === "failed") return { name, phase: "failed" as const, detail: state.message };
      if ((d.status?.observedGeneration ?? 0) < want) return { name, phase: "waiting" as const, detail: `${name}: waiting for the controller` };
      return { name, phase: state.phase, detail: state.phase === "done" ? rolloutSummary(d) : rolloutSummary(d) };
    });

  let lastEmit = 0;
  let pendingEmit: NodeJS.Timeout | undefined;
  const interval = opts.progressIntervalMs ?? 1000;
  const emit = (force = false) => {
    if (!opts.onProgress) return;
    const now = Date.now();
    if (force || now - lastEmit >= interval) {
      if (pendingEmit) clearTimeout(pendingEmit);
      pendingEmit = undefined;
      lastEmit = now;
      opts.onProgress(progress());
    } else if (!pendingEmit) {
      pendingEmit = setTimeout(() => {
        pendingEmit = undefined;
        if (!finished) emit(true);
      }, interval - (now - lastEmit));
      pendingEmit.unref();
    }
  };

  const finish = (o: FollowOutcome) => {
    if (finished) return;
    finished = true;
    if (pendingEmit) clearTimeout(pendingEmit);
    for (const w of watches.splice(0)) w.stop();
    stopWaiting.abort();
    opts.onProgress?.(o.progress);
    settle(o);
  };

  const evaluate = () => {
    if (finished) return;
    const p = progress();
    const failed = p.find((x) => x.phase === "failed");
    if (failed) return finish({ outcome: "failed", reason: failed.detail, progress: p });
    if (p.every((x) => x.phase === "done")) return finish({ outcome: "done", progress: p });
    emit();
  };

  // One informer-like loop per resource: list, then watch from the list's resourceVersion; on close, again.
  const run = async (res: ApiResource, store: Map<string, KObject>, filter: (o: KObject) => boolean) => {
    let attempt = 0;
    while (!finished) {
      try {
        const listed = await retryTransient(() => cluster.list(res, { namespace }));
        store.clear();
        for (const o of listed.items) if (filter(o)) store.set(o.metadata!.name!, o);
        if (store === deployments) for (const n of store.keys()) seen.add(n);
        evaluate();
        if (finished) return;
        const closed = new Promise<GatewayError | undefined>((resolve) => {
          cluster
            .watch(
              res,
              { namespace, resourceVersion: listed.resourceVersion },
              (ev) => {
                if (ev.type === "BOOKMARK" || ev.type === "ERROR") return;
                const name = ev.object.metadata?.name;
                if (!name || !filter(ev.object)) return;
                if (ev.type === "DELETED") store.delete(name);
                else store.set(name, ev.object);
                if (store === deployments && ev.type !== "DELETED") seen.add(name);
                evaluate();
              },
              (err) => resolve(err),
            )
            .then(
              (h) => {
                if (finished) h.stop();
                else watches.push(h);
              },
              (err) => resolve(err),
            );
        });
        await closed;
        attempt = 0;
      } catch {
        attempt++;
      }
      if (!finished) await clock.sleep(Math.min(1000, 50 * 2 ** Math.min(attempt, 5)), stopWaiting.signal).catch(() => {});
    }
  };

  const names = new Set(opts.deployments.keys());
  void run(deployRes, deployments, (o) => names.has(o.metadata?.name ?? ""));
  void run(podRes, pods, () => true);

  const onAbort = (signal: AbortSignal) => () =>
    finish({ outcome: "interrupted", reason: signal.reason instanceof Error ? signal.reason.message : String(signal.reason ?? "stopped"), progress: progress() });
  const cleanups: Array<() => void> = [];
  for (const s of opts.signals ?? []) {
    if (s.aborted) onAbort(s)();
    const h = onAbort(s);
    s.addEventListener("abort", h, { once: true });
    cleanups.push(() => s.removeEventListener("abort", h));
  }
  clock.sleep(opts.timeoutMs, stopWaiting.signal).then(
    () => {
      const p = progress();
      const stuck = p.filter((x) => x.phase !== "done").map((x) => x.detail);
      finish({
        outcome: "timeout",
        reason: `${opts.timeoutLabel ?? "the rollout"} did not finish within ${Math.round(opts.timeoutMs / 1000)}s${stuck.length ? ` (${stuck.join("; ")})` : ""}`,
        progress: p,
      });
    },
    () => {},
  );
  try {
    return await result;
  } finally {
    for (const c of cleanups) c();
  }
}
