import type { TugboatConfig } from "../../config/schema.js";
import { UserError } from "../../core/errors.js";
import type { KubeCluster, KubeGateway } from "../../gateways/types.js";
import type { V1Deployment } from "../../gateways/kube-models.js";
import { ANN_PR, ANN_SHA } from "./annotations.js";
import { listCanaries } from "./canary.js";
import { resolveDeployEnv, type DeployEnv } from "./resolve-deploy-env.js";

// The canary environment of an app, and the canary Deployments running in it.

export function canaryEnvName(config: TugboatConfig): string {
  const names = Object.entries(config.environments)
    .filter(([, e]) => e.canaryOf)
    .map(([n]) => n);
  if (names.length === 0) throw new UserError("No canary environment is configured (an environment with `canaryOf`).");
  return names[0]!;
}

export interface CanaryState {
  env: DeployEnv;
  cluster: KubeCluster;
  canaries: V1Deployment[];
  sha?: string;
  pr?: number;
}

export async function findCanary(config: TugboatConfig, kube: KubeGateway, app: string): Promise<CanaryState> {
  const env = resolveDeployEnv(config, app, canaryEnvName(config));
  const cluster = kube.cluster(env.cluster);
  const canaries = await listCanaries(cluster, env.namespace);
  const shas = [...new Set(canaries.map((c) => c.metadata?.annotations?.[ANN_SHA]).filter(Boolean))] as string[];
  const prs = [...new Set(canaries.map((c) => c.metadata?.annotations?.[ANN_PR]).filter(Boolean))];
  return { env, cluster, canaries, sha: shas.length === 1 ? shas[0] : undefined, pr: prs.length === 1 ? Number(prs[0]) : undefined };
}
