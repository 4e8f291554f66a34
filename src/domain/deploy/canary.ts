import type { KObject, KubeCluster } from "../../gateways/types.js";
import { isGatewayError } from "../../gateways/types.js";
import { ANN_CANARY_STARTED, ANN_CHANNEL, stampAnnotations, type DeployStamp } from "./annotations.js";
import { findResource } from "./follow-rollout.js";
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
export function buildCanary(stable: KObject, image: string, stamp: DeployStamp, channel: string): KObject {
  const name = canaryName(stable.metadata!.name!);
  const selectorLabels = { ...(stable.spec?.selector?.matchLabels ?? {}), [TRACK]: "canary" };
  const template = withImages(stable.spec?.template, image, stamp.sha);
  template.metadata ??= {};
  template.metadata.labels = { ...(template.metadata.labels ?? {}), [TRACK]: "canary" };
  const annotations = { ...stampAnnotations(stamp), [ANN_CHANNEL]: channel, [ANN_CANARY_STARTED]: stamp.at.toISOString() };
  const spec: any = {
    replicas: 1,
    selector: { matchLabels: selectorLabels },
    template,
  };
  for (const k of ["strategy", "minReadySeconds", "progressDeadlineSeconds", "revisionHistoryLimit"]) {
    if (stable.spec?.[k] !== undefined) spec[k] = structuredClone(stable.spec[k]);
  }
  if (stable.spec?.selector?.matchExpressions) spec.selector.matchExpressions = structuredClone(stable.spec.selector.matchExpressions);
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
export async function listCanaries(cluster: KubeCluster, namespace: string): Promise<KObject[]> {
  const res = await findResource(cluster, "apps", "deployments");
  const { items } = await cluster.list(res, { namespace });
  return items.filter((d) => d.metadata?.labels?.[TRACK] === "canary" && d.metadata?.labels?.[CANARY_LABEL]);
}

/** Deletes canary Deployments (and their pods). Returns the names removed. */
export async function removeCanaries(cluster: KubeCluster, namespace: string, names: string[]): Promise<string[]> {
  const res = await findResource(cluster, "apps", "deployments");
  const removed: string[] = [];
  for (const name of names) {
    try {
      await cluster.delete(res, name, namespace, { propagationPolicy: "Background" });
      removed.push(name);
    } catch (err) {
      if (!isGatewayError(err, "not-found")) throw err;
    }
  }
  return removed;
}
