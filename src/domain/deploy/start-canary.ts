import { UserError } from "../../core/errors.js";
import type { KObject, KubeCluster } from "../../gateways/types.js";
import type { DeployStamp } from "./annotations.js";
import { buildCanary, removeCanaries } from "./canary.js";
import { findResource } from "./follow-rollout.js";
import { appDeployments } from "./plan-deploy.js";
import type { DeployEnv } from "./resolve-deploy-env.js";

// Planning and applying a canary: one `<name>-canary` per production Deployment running the app's image.

export interface CanaryPlan {
  mode: "canary";
  stables: KObject[];
  canaries: KObject[];
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

/** Applies the canaries. The stable Deployments are not touched: any change to their template rolls production. */
export async function applyCanary(cluster: KubeCluster, plan: CanaryPlan, fieldManager: string): Promise<{ deployments: Map<string, number> }> {
  const res = await findResource(cluster, "apps", "deployments");
  const deployments = new Map<string, number>();
  for (const c of plan.canaries) {
    const applied = await cluster.retryOnConflict(() => cluster.apply(res, c, { fieldManager, force: true }));
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
