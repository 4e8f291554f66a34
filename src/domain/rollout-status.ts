import type { V1Deployment, V1Pod } from "../gateways/kube-models.js";

// How kubectl decides a Deployment rollout is done (kubectl rollout status), as a pure function.

export type RolloutState =
  | { phase: "waiting"; message: string }
  | { phase: "done"; message: string }
  | { phase: "failed"; message: string };

export function rolloutState(deploy: V1Deployment): RolloutState {
  const name = deploy.metadata?.name ?? "deployment";
  const status = deploy.status ?? {};
  const generation = deploy.metadata?.generation ?? 0;
  const observed = status.observedGeneration ?? 0;
  if (generation > observed) return { phase: "waiting", message: `${name}: waiting for the controller to see the new spec` };
  const progressing = (status.conditions ?? []).find((c) => c.type === "Progressing");
  if (progressing?.reason === "ProgressDeadlineExceeded") {
    return { phase: "failed", message: `${name}: exceeded its progress deadline` };
  }
  // Pods that admission refuses (ResourceQuota, Pod Security, a missing ServiceAccount) are never created: the
  // controller says so at once, long before the progress deadline.
  const replicaFailure = (status.conditions ?? []).find((c) => c.type === "ReplicaFailure" && c.status === "True");
  if (replicaFailure) {
    return { phase: "failed", message: `${name}: pods cannot be created (${replicaFailure.reason ?? "ReplicaFailure"}: ${String(replicaFailure.message ?? "").slice(0, 300)})` };
  }
  const want = deploy.spec?.replicas ?? 1;
  const updated = status.updatedReplicas ?? 0;
  const replicas = status.replicas ?? 0;
  const available = status.availableReplicas ?? 0;
  if (updated < want) return { phase: "waiting", message: `${name}: ${updated} of ${want} updated replicas` };
  if (replicas > updated) return { phase: "waiting", message: `${name}: ${replicas - updated} old replicas pending termination` };
  if (available < updated) return { phase: "waiting", message: `${name}: ${available} of ${updated} updated replicas available` };
  return { phase: "done", message: `${name}: successfully rolled out` };
}

/** `unicorn 3/5 updated · 2/5 available` */
export function rolloutSummary(deploy: V1Deployment): string {
  const want = deploy.spec?.replicas ?? 1;
  const s = deploy.status ?? {};
  return `${deploy.metadata?.name} ${s.updatedReplicas ?? 0}/${want} updated · ${s.availableReplicas ?? 0}/${want} available`;
}

/** Pod-level reasons a rollout cannot finish (ImagePullBackOff, CrashLoopBackOff, restarts). */
export function podProblems(pod: V1Pod): string[] {
  const out: string[] = [];
  for (const cs of [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])]) {
    const reason = cs.state?.waiting?.reason ?? cs.state?.terminated?.reason;
    if (reason && /BackOff|ErrImagePull|InvalidImageName|CreateContainerConfigError|Error|OOMKilled/.test(reason)) {
      out.push(`${pod.metadata?.name} (${cs.name}): ${reason}`);
    }
  }
  return out;
}
