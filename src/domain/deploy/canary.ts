import type { KubeCluster } from "../../gateways/types.js";
import type { V1Deployment, V1DeploymentSpec } from "../../gateways/kube-models.js";
import { isGatewayError } from "../../gateways/types.js";
import { ANN_ANALYSIS, ANN_AUTO_PROMOTE, ANN_CANARY_MESSAGE, ANN_CANARY_STARTED, ANN_CHANNEL, stampAnnotations, type DeployStamp } from "./annotations.js";
import { withImages } from "./set-images.js";

// GitHub's one-pod canary: next to each production Deployment running the app's image, a Deployment
// `<name>-canary` with one replica, label `track: canary` and the new image. The Service selects neither
// track, so the canary takes its share of traffic. The canary's selector adds `track: canary`, which keeps its
// pods apart. The stable Deployment is never changed (a new template label would roll every production pod);
// its selector also matches canary pods, but the Deployment controller only manages ReplicaSets it owns, and
// status tells the two apart by owner (pod-owners.ts).

export const TRACK = "track";
export const CANARY_SUFFIX = "-canary";
export const CANARY_LABEL = "tugboat.dev/canary-of";

export function canaryName(stable: string): string {
  return `${stable}${CANARY_SUFFIX}`;
}

/** The canary Deployment for a stable one, as a server-side apply body. */
export function buildCanary(stable: V1Deployment, image: string, stamp: DeployStamp, channel: string): V1Deployment {
  const name = canaryName(stable.metadata!.name!);
  const selectorLabels = { ...(stable.spec?.selector?.matchLabels ?? {}), [TRACK]: "canary" };
  const template = withImages(stable.spec?.template, image, stamp.sha);
  template.metadata ??= {};
  template.metadata.labels = { ...(template.metadata.labels ?? {}), [TRACK]: "canary" };
  // A new run over a running canary (same name, applied again) starts afresh: the guard's records of the last run
  // (its analysis, an automatic promotion asked for, its message) are emptied, or they would carry over.
  const fresh = { [ANN_ANALYSIS]: "", [ANN_AUTO_PROMOTE]: "", [ANN_CANARY_MESSAGE]: "" };
  const annotations = { ...stampAnnotations(stamp), [ANN_CHANNEL]: channel, [ANN_CANARY_STARTED]: stamp.at.toISOString(), ...fresh };
  const from = stable.spec;
  const spec: V1DeploymentSpec = {
    replicas: 1,
    selector: { matchLabels: selectorLabels },
    template,
  };
  if (from?.strategy !== undefined) spec.strategy = structuredClone(from.strategy);
  if (from?.minReadySeconds !== undefined) spec.minReadySeconds = from.minReadySeconds;
  if (from?.progressDeadlineSeconds !== undefined) spec.progressDeadlineSeconds = from.progressDeadlineSeconds;
  if (from?.revisionHistoryLimit !== undefined) spec.revisionHistoryLimit = from.revisionHistoryLimit;
  if (from?.selector.matchExpressions) spec.selector.matchExpressions = structuredClone(from.selector.matchExpressions);
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: {
      name,
      namespace: stable.metadata!.namespace,
      labels: { ...(stable.metadata?.labels ?? {}), [TRACK]: "canary", [CANARY_LABEL]: stable.metadata!.name! },
      annotations,
    },
    spec,
  };
}

/** The canary Deployments in a namespace. */
export async function listCanaries(cluster: KubeCluster, namespace: string): Promise<V1Deployment[]> {
  const { items } = await cluster.deployments.list({ namespace });
  return items.filter((d) => d.metadata?.labels?.[TRACK] === "canary" && d.metadata?.labels?.[CANARY_LABEL]);
}

/** Deletes canary Deployments (and their pods). Returns the names removed. */
export async function removeCanaries(cluster: KubeCluster, namespace: string, names: string[]): Promise<string[]> {
  const removed: string[] = [];
  for (const name of names) {
    try {
      await cluster.deployments.delete(name, namespace, { propagationPolicy: "Background" });
      removed.push(name);
    } catch (err) {
      if (!isGatewayError(err, "not-found")) throw err;
    }
  }
  return removed;
}
