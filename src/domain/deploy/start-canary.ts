import { UserError } from "../../core/errors.js";
import type { KubeCluster } from "../../gateways/types.js";
import type { V1Deployment } from "../../gateways/kube-models.js";
import type { DeployStamp } from "./annotations.js";
import { buildCanary, removeCanaries } from "./canary.js";
import { appDeployments } from "./plan-deploy.js";
import type { DeployEnv } from "./resolve-deploy-env.js";

// Planning and applying a canary: one `<name>-canary` per production Deployment running the app's image.

export interface CanaryPlan {
  mode: "canary";
  stables: V1Deployment[];
  canaries: V1Deployment[];
}

export async function planCanary(input: { cluster: KubeCluster; env: DeployEnv; stamp: DeployStamp; channel: string }): Promise<CanaryPlan> {
  const { cluster, env, stamp, channel } = input;
  const stables = await appDeployments(cluster, env.namespace, env.image);
  if (stables.length === 0) {
    throw new UserError(`No canary possible: ${env.namespace} on ${env.cluster} has no Deployment running ${env.image} to put a canary next to.`);
  }
  const canaries = stables.map((s) => buildCanary(s, env.image, stamp, channel));
  return { mode: "canary", stables, canaries };
}

/** Applies the canaries. The stable Deployments are not touched: a change to their template would roll production. */
export async function applyCanary(cluster: KubeCluster, plan: CanaryPlan, fieldManager: string): Promise<{ deployments: Map<string, number> }> {
  const deployments = new Map<string, number>();
  for (const c of plan.canaries) {
    const applied = await cluster.retryOnConflict(() => cluster.deployments.apply(c, { fieldManager, force: true }));
    deployments.set(applied.metadata!.name!, applied.metadata?.generation ?? 0);
  }
  return { deployments };
}

export async function removeCanaryDeployments(cluster: KubeCluster, namespace: string, plan: CanaryPlan): Promise<string[]> {
  return removeCanaries(
    cluster,
    namespace,
    plan.canaries.map((c) => c.metadata!.name!),
  );
}
