import type { V1Deployment, V1ObjectMeta, V1Pod, V1ReplicaSet } from "../../gateways/kube-models.js";
import { ANN_REVISION } from "./annotations.js";

// Which Deployment a pod belongs to, by its controller chain (Pod → ReplicaSet → Deployment), as the
// Deployment controller itself decides it. Labels cannot tell: a canary's pods also match the stable
// Deployment's selector, and the stable Deployment is never relabelled for a canary.

function controllerUid(obj: { metadata?: V1ObjectMeta }, kind: string): string | undefined {
  return (obj.metadata?.ownerReferences ?? []).find((o) => o.controller === true && o.kind === kind)?.uid;
}

/** The pods (not being deleted) whose ReplicaSet is controlled by this Deployment. */
export function podsOwnedBy(deploy: V1Deployment, replicaSets: Iterable<V1ReplicaSet>, pods: Iterable<V1Pod>): V1Pod[] {
  const uid = deploy.metadata?.uid;
  if (!uid) return [];
  const mine = new Set<string>();
  for (const rs of replicaSets) if (controllerUid(rs, "Deployment") === uid && rs.metadata?.uid) mine.add(rs.metadata.uid);
  const out: V1Pod[] = [];
  for (const p of pods) {
    if (p.metadata?.deletionTimestamp) continue;
    const rs = controllerUid(p, "ReplicaSet");
    if (rs && mine.has(rs)) out.push(p);
  }
  return out;
}

/**
 * The pods of the Deployment's current revision, by owner: the ReplicaSet the Deployment controls whose revision
 * annotation is the Deployment's, and the pods that ReplicaSet controls. Unlike matching the template, this holds
 * when the cluster changes pods' containers (sidecar injection, image rewriting).
 */
export function podsOfNewRevision(deploy: V1Deployment, replicaSets: Iterable<V1ReplicaSet>, pods: Iterable<V1Pod>): V1Pod[] {
  const uid = deploy.metadata?.uid;
  const revision = deploy.metadata?.annotations?.[ANN_REVISION];
  if (!uid || revision === undefined) return [];
  const current = [...replicaSets].find((rs) => controllerUid(rs, "Deployment") === uid && rs.metadata?.annotations?.[ANN_REVISION] === revision);
  const rsUid = current?.metadata?.uid;
  if (!rsUid) return [];
  return [...pods].filter((p) => !p.metadata?.deletionTimestamp && controllerUid(p, "ReplicaSet") === rsUid);
}
