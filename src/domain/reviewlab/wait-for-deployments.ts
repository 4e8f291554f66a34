import type { KubeCluster } from "../../gateways/types.js";
import { podProblems, rolloutState, type RolloutState } from "../rollout-status.js";
import { isPodReady } from "./describe-lab.js";

// Waits for Deployments to become available, following them with the port's informer (no polling). When the
// cluster keeps refusing, the wait ends with the informer's error, which says why.

export interface DeploymentWait {
  ok: boolean;
  /** "timeout" or "failed" when not ok. */
  reason?: "timeout" | "failed" | "aborted";
  states: Map<string, RolloutState>;
}

export interface WaitOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  onChange?: (states: Map<string, RolloutState>) => void;
}

export async function waitForDeployments(cluster: KubeCluster, namespace: string, names: string[], opts: WaitOptions): Promise<DeploymentWait> {
  const states = new Map<string, RolloutState>(names.map((n) => [n, { phase: "waiting", message: `${n}: not seen yet` }]));
  if (names.length === 0) return { ok: true, states };
  const informer = await cluster.deployments.informer({ namespace });
  const seen = new Set<string>();
  let reported = "";
  const outcome = (): DeploymentWait | undefined => {
    for (const name of names) {
      const d = informer.get(name, namespace);
      if (d) seen.add(name);
      states.set(name, d ? rolloutState(d) : { phase: "waiting", message: `${name}: ${seen.has(name) ? "deleted" : "not seen yet"}` });
    }
    const all = [...states.values()];
    const now = all.map((s) => `${s.phase}:${s.message}`).join("\n");
    if (now !== reported) {
      reported = now;
      opts.onChange?.(states);
    }
    if (all.every((s) => s.phase === "done")) return { ok: true, states };
    if (all.some((s) => s.phase === "failed")) return { ok: false, reason: "failed", states };
    return undefined;
  };
  try {
    const done = await informer.waitFor(outcome, { timeoutMs: opts.timeoutMs, signal: opts.signal });
    return done ?? { ok: false, reason: opts.signal?.aborted ? "aborted" : "timeout", states };
  } finally {
    informer.stop();
  }
}

/** Why a lab is not ready: its pods' problems, else pods not ready, else the Deployments' own states. */
export async function describeNotReady(cluster: KubeCluster, namespace: string, states: Map<string, RolloutState>): Promise<string[]> {
  const out: string[] = [];
  try {
    const { items } = await cluster.pods.list({ namespace });
    for (const pod of items) out.push(...podProblems(pod));
    if (out.length === 0) {
      for (const pod of items) {
        if (!isPodReady(pod)) out.push(`${pod.metadata?.name}: ${pod.status?.phase ?? "Pending"}, not ready`);
      }
    }
  } catch {
    // The deployment states below still say something.
  }
  if (out.length === 0) for (const s of states.values()) if (s.phase !== "done") out.push(s.message);
  return out;
}
