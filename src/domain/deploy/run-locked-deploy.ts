import { errorMessage } from "../../core/errors.js";
import type { DeploymentStatusInput, KubeCluster } from "../../gateways/types.js";
import type { DeployOutcome, DeployRun } from "./deploy-events.js";
import type { LockHold } from "./deploy-lock.js";
import type { DeployStrategy, FollowDeployments } from "./deploy-strategy.js";
import type { DeployDeps, DeployInput, DeployVariant } from "./deploy-use-case.js";
import { shortTarget } from "./describe-target.js";
import { followRollout, type DeploymentProgress, type FollowOutcome } from "./follow-rollout.js";
import type { DeployEnv } from "./resolve-deploy-env.js";

// The part of a deploy (deploy-use-case.ts) that runs inside its lock: the GitHub deployment (created before the
// cluster changes), apply, follow the rollout, and on failure undo what changed (the strategy says how).

export interface Locked {
  input: DeployInput;
  deps: DeployDeps;
  variant: DeployVariant;
  env: DeployEnv;
  cluster: KubeCluster;
  strategy: DeployStrategy;
  run: DeployRun;
  hold: LockHold;
}

export async function runLockedDeploy(l: Locked): Promise<DeployOutcome> {
  const { input, deps, env, cluster, strategy } = l;
  const { config, github, clock, emit } = deps;
  const started = clock.now().getTime();
  const target = l.run.target;
  /** The run as of now: elapsed time and the GitHub deployment, for every event from here on. */
  const created: { deploymentId?: number } = {};
  const run = (): DeployRun => ({ ...l.run, deploymentId: created.deploymentId, elapsedMs: clock.now().getTime() - started });

  emit({ type: "applying", run: run() });

  // The GitHub deployment is created before the cluster changes, so a failure to create it changes nothing.
  const logUrl = await deps.logUrl?.();
  const deployment = await github.createDeployment(env.repo, {
    ref: target.sha,
    environment: env.env,
    description: `${shortTarget(target)} by ${input.actor} via Tugboat${input.reason ? `: ${input.reason}` : ""}`.slice(0, 140),
    payload: { app: env.app, pr: target.pr?.number ?? null, actor: input.actor, channel: input.channel, requestId: input.requestId, branch: target.branch ?? null },
    // A canary is always a transient environment (it goes away on promote or abort), whatever the config says.
    transientEnvironment: env.envConfig.transient || env.canary,
    productionEnvironment: env.envConfig.production,
  });
  created.deploymentId = deployment.id;
  deps.audit({ githubDeployment: deployment.id });
  emit({ type: "github-deployment-created", run: run(), deploymentId: deployment.id });
  const status = async (state: DeploymentStatusInput["state"], description: string) => {
    try {
      await github.createDeploymentStatus(env.repo, deployment.id, {
        state,
        description,
        logUrl,
        environmentUrl: state === "success" ? env.envConfig.url : undefined,
        autoInactive: env.canary ? false : undefined,
      });
    } catch (err) {
      deps.log.warn("could not post a GitHub deployment status", { deployment: deployment.id, state, error: errorMessage(err) });
    }
  };
  await status("in_progress", `Deploying ${target.shortSha} to ${env.env}`);

  const follow = (signals: AbortSignal[]): FollowDeployments => (deployments, opts) =>
    safeFollow({
      cluster,
      namespace: env.namespace,
      deployments,
      timeoutMs: env.envConfig.rolloutTimeoutSeconds * 1000,
      clock,
      signals,
      timeoutLabel: opts.label,
      onProgress: opts.progress ? (p) => emit({ type: "rollout-progress", run: run(), stage: "rollback", progress: p }) : undefined,
    });

  // Apply.
  let followed: Map<string, number>;
  try {
    followed = await strategy.apply();
  } catch (err) {
    const why = errorMessage(err);
    deps.log.warn("apply failed", { error: why });
    const undo = await strategy.undoApply(err, follow([deps.signal]));
    await status("error", `Apply failed: ${why}`.slice(0, 140));
    deps.audit({ result: "apply-failed" });
    emit({ type: "failed", run: run(), reason: why, undo });
    return "failure";
  }

  // Follow the rollout.
  const outcome = await safeFollow({
    cluster,
    namespace: env.namespace,
    deployments: followed,
    timeoutMs: strategy.followTimeoutMs,
    clock,
    signals: [deps.signal, l.hold.lost],
    failOnRestart: strategy.failOnRestart,
    timeoutLabel: strategy.timeoutLabel,
    onProgress: (p) => emit({ type: "rollout-progress", run: run(), stage: "rollout", progress: p }),
  });

  if (outcome.outcome === "done") {
    await status("success", `Deployed ${target.shortSha} to ${env.env}`);
    const note = await l.variant.afterSuccess?.(env, cluster);
    deps.audit({ result: "success" });
    emit({ type: "succeeded", run: run(), progress: outcome.progress, followed: followed.size, note });
    return "success";
  }

  if (outcome.outcome === "interrupted") {
    const stopping = deps.signal.aborted;
    await status("error", stopping ? "Tugboat stopped while following the rollout" : `Stopped: ${outcome.reason}`);
    deps.audit({ result: "interrupted", reason: outcome.reason });
    emit({ type: "interrupted", run: run(), reason: outcome.reason, stopping, progress: outcome.progress, lockSeconds: config.deploy.lockLeaseSeconds });
    return "interrupted";
  }

  // Failed or timed out: undo.
  emit({ type: "rolling-back", run: run(), reason: outcome.reason, progress: outcome.progress });
  const undo = await strategy.undoRollout(follow([deps.signal]));
  await status("failure", outcome.reason.slice(0, 140));
  deps.audit({ result: "rolled-back", reason: outcome.reason });
  emit({ type: "rolled-back", run: run(), reason: outcome.reason, undo, progress: outcome.progress });
  return "rolled-back";
}

/** Following must not throw after the cluster changed: an error becomes a failed outcome (and an undo). */
async function safeFollow(opts: Parameters<typeof followRollout>[0]): Promise<FollowOutcome> {
  try {
    return await followRollout(opts);
  } catch (err) {
    const progress: DeploymentProgress[] = [...opts.deployments.keys()].map((name) => ({ name, phase: "failed", detail: `${name}: cannot follow the rollout` }));
    return { outcome: "failed", reason: `cannot follow the rollout (${errorMessage(err)})`, progress };
  }
}
