import type { ApiResource, KubeCluster } from "../../gateways/types.js";
import { rolloutState, type RolloutState } from "../rollout-status.js";

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

export async function deploymentResource(cluster: KubeCluster): Promise<ApiResource> {
  const res = (await cluster.discover()).find((r) => r.group === "apps" && r.plural === "deployments");
  if (!res) throw new Error(`cluster ${cluster.name} serves no apps/v1 Deployments`);
  return res;
}

export async function waitForDeployments(cluster: KubeCluster, namespace: string, names: string[], opts: WaitOptions): Promise<DeploymentWait> {
  const states = new Map<string, RolloutState>(names.map((n) => [n, { phase: "waiting", message: `${n}: not seen yet` }]));
  if (names.length === 0) return { ok: true, states };
  const informer = cluster.informer(await deploymentResource(cluster), { namespace });
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
