import type { TugboatConfig } from "../../config/schema.js";
import { errorMessage } from "../../core/errors.js";
import type { Logger } from "../../core/logger.js";
import type { GithubGateway, KubeCluster } from "../../gateways/types.js";
import type { Target } from "../resolve-target.js";
import type { DeployStamp } from "./annotations.js";
import { describeRestore, executePlan, PartialApplyError, restoreSnapshots, type Snapshot } from "./apply-plan.js";
import type { FollowOutcome } from "./follow-rollout.js";
import { planDeploy, type DeployPlan } from "./plan-deploy.js";
import type { DeployEnv } from "./resolve-deploy-env.js";
import { applyCanary, planCanary, removeCanaryDeployments, type CanaryPlan } from "./start-canary.js";

// What differs between a deploy and a canary, in one place: how the plan is made and applied, how long its
// rollout may take, and how a failure is undone (a deploy puts every object back; a canary is removed, production
// was never touched). The deploy use case (run-deploy.ts) runs either without asking which it has.

/** Follows these Deployments to the end (errors become a failed outcome); `label` names a timeout. */
export type FollowDeployments = (deployments: Map<string, number>, opts: { label: string; progress: boolean }) => Promise<FollowOutcome>;

export interface DeployStrategy {
  readonly plan: DeployPlan | CanaryPlan;
  readonly followTimeoutMs: number;
  /** Pods of the new template that restart count as a failure (a canary must be clean). */
  readonly failOnRestart: boolean;
  readonly timeoutLabel: string;
  /** Applies the plan; Deployment name → the generation to follow. */
  apply(): Promise<Map<string, number>>;
  /** After applying failed: puts back whatever changed. One sentence saying what was done. */
  undoApply(err: unknown, follow: FollowDeployments): Promise<string>;
  /** After the rollout failed or timed out: undoes the deploy. One sentence saying how that went. */
  undoRollout(follow: FollowDeployments): Promise<string>;
}

export interface StrategyInput {
  config: TugboatConfig;
  github: GithubGateway;
  cluster: KubeCluster;
  env: DeployEnv;
  target: Target;
  stamp: DeployStamp;
  channel: string;
  log: Logger;
}

export async function planStrategy(input: StrategyInput): Promise<DeployStrategy> {
  return input.env.canary ? canaryStrategy(input, await planCanary(input)) : rolloutStrategy(input, await planDeploy(input));
}

function rolloutStrategy(input: StrategyInput, plan: DeployPlan): DeployStrategy {
  const { cluster, env, config } = input;
  const fieldManager = config.deploy.fieldManager;
  let snapshots: Snapshot[] = [];
  return {
    plan,
    followTimeoutMs: env.envConfig.rolloutTimeoutSeconds * 1000,
    failOnRestart: false,
    timeoutLabel: "the rollout",
    apply: async () => {
      const done = await executePlan(cluster, plan, { fieldManager, stamp: input.stamp });
      snapshots = done.snapshots;
      return done.deployments;
    },
    undoApply: async (err, follow) => {
      const restored = await restoreSnapshots(cluster, err instanceof PartialApplyError ? err.snapshots : snapshots, fieldManager);
      if (restored.rolledBack.size > 0) await follow(restored.rolledBack, { label: "the rollout", progress: false });
      return describeRestore(restored, env.namespace);
    },
    undoRollout: async (follow) => {
      const restored = await restoreSnapshots(cluster, snapshots, fieldManager);
      const healthy = restored.rolledBack.size > 0 ? await follow(restored.rolledBack, { label: "the rollback", progress: true }) : undefined;
      const names = [...restored.rolledBack.keys()].join(", ");
      if (restored.errors.length) return `Rolling back failed for: ${restored.errors.join("; ")}. Check ${env.namespace} by hand.`;
      if (healthy && healthy.outcome !== "done") return `Rolled back ${names} to the previous revision, but that is not healthy either: ${healthy.reason}.`;
      return `Rolled back ${names || "nothing"} to the previous revision; it is healthy again.`;
    },
  };
}

function canaryStrategy(input: StrategyInput, plan: CanaryPlan): DeployStrategy {
  const { cluster, env, config, log } = input;
  const remove = () => removeCanaryDeployments(cluster, env.namespace, plan);
  return {
    plan,
    followTimeoutMs: config.deploy.canaryReadySeconds * 1000,
    failOnRestart: true,
    timeoutLabel: "the canary",
    apply: async () => (await applyCanary(cluster, plan, config.deploy.fieldManager)).deployments,
    undoApply: async () => {
      const removed = await remove().catch(() => []);
      return removed.length ? `Removed the canary (${removed.join(", ")}).` : "No canary was left behind.";
    },
    undoRollout: async () => {
      const removed = await remove().catch((err: unknown) => {
        log.error("could not remove the canary", { error: errorMessage(err) });
        return [] as string[];
      });
      return `Aborted the canary: removed ${removed.join(", ") || "nothing"}; production is untouched.`;
    },
  };
}
