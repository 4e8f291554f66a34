import type { CommandContext } from "../../core/command.js";
import { UserError, errorMessage } from "../../core/errors.js";
import { link, mention, rich, type Block, type Reply, textReply } from "../../core/reply.js";
import type { DeploymentStatusInput, KubeCluster } from "../../gateways/types.js";
import { isGatewayError } from "../../gateways/types.js";
import type { DeployStamp } from "../../domain/deploy/annotations.js";
import { describeRestore, executePlan, PartialApplyError, restoreSnapshots, type Snapshot } from "../../domain/deploy/apply-plan.js";
import { describeHolder, holdInsideManualLock, holdLock, readDeployInsideLock, readLock, type LockHold } from "../../domain/deploy/deploy-lock.js";
import { followRollout, type DeploymentProgress, type FollowOutcome } from "../../domain/deploy/follow-rollout.js";
import { planDeploy, type DeployPlan } from "../../domain/deploy/plan-deploy.js";
import { previewPlan } from "../../domain/deploy/preview-plan.js";
import { checkChannel, resolveAppName, resolveDeployEnv, type DeployEnv } from "../../domain/deploy/resolve-deploy-env.js";
import { applyCanary, planCanary, removeCanaryDeployments, type CanaryPlan } from "../../domain/deploy/start-canary.js";
import { checkImageGate, resolveTarget, type Target, type TargetSpec } from "../../domain/resolve-target.js";
import { planReply, progressBlock, seconds, shortTarget, stepsBlock } from "./format-deploy.js";
import { countActions } from "./format-plan-diff.js";
import { DEPLOY_USAGE } from "./parse-deploy-args.js";
import type { DeployOutcome, DeployRequest } from "../../domain/deploy/deploy-request.js";

// The deploy flow: resolve → image gate → plan → (confirm) → lock → GitHub deployment → apply → follow the
// rollout → success, or automatic rollback. Every state is a reply; the channel message is updated in place.

export async function runDeploy(req: DeployRequest, ctx: CommandContext): Promise<DeployOutcome> {
  const { config, github, kube, clock } = ctx.services;
  const app = resolveAppName(config, ctx.channel.id, req.app, DEPLOY_USAGE);
  const env = resolveDeployEnv(config, app, req.env, DEPLOY_USAGE);
  checkChannel(config, env.env, ctx.channel.id);
  if (req.force) {
    await ctx.auth.require("deploy:force");
    ctx.audit({ forced: true });
  }
  ctx.audit({ app, environment: env.env, dryRun: req.dryRun || undefined });
  const cluster = kube.cluster(env.cluster);
  const verb = req.verb ?? "Deploy";
  const what = req.target.kind === "resolved" ? shortTarget(req.target.target) : "the target";

  await ctx.reply.send(textReply(`${verb}: resolving ${what} for ${app} ${env.env}…`, "info", stepsBlock([["resolve target", "running"]])));

  // 1. What to ship.
  const target = req.target.kind === "resolved" ? req.target.target : await resolveTarget(github, env.repo, req.target);
  ctx.audit({ sha: target.sha, pr: target.pr?.number });
  if (req.force) {
    const gate = await github.checkContexts(env.repo, target.sha, env.appConfig.imageContexts).catch(() => []);
    const skipped = gate.filter((g) => g.state !== "success").map((g) => `${g.context}=${g.state}`);
    ctx.audit({ forced: true, gateSkipped: skipped });
  } else {
    await checkImageGate(github, env.repo, target, env.appConfig.imageContexts);
  }

  // 2. Is someone else deploying?
  const lockNamespace = env.namespace;
  const existing = await readLock(cluster, lockNamespace, env.lockName, clock.now());
  const ownManualLock = existing && !existing.expired && existing.kind === "manual" && existing.owner === ctx.actor.id;
  if (existing && !existing.expired && !ownManualLock) throw lockedError(env, existing, clock.now());
  if (ownManualLock) {
    // The owner may deploy inside their manual lock, but only one deploy at a time.
    const inside = await readDeployInsideLock(cluster, lockNamespace, env.lockName, clock.now());
    if (inside) throw lockedError(env, inside, clock.now());
  }

  // 3. The plan.
  const stamp: DeployStamp = { pr: target.pr?.number, sha: target.sha, actor: ctx.actor.id, at: clock.now() };
  const plan: DeployPlan | CanaryPlan = env.canary
    ? await planCanary({ cluster, env, stamp, channel: ctx.channel.id })
    : await planDeploy({ github, cluster, target, env, stamp });
  const title = `${verb} ${shortTarget(target)} to ${env.app} ${env.env}`;

  // What every write would do, asked of the API server (dryRun=All), for the dry run and any confirmation.
  const preview = req.dryRun || env.envConfig.confirm ? await previewPlan(cluster, plan, { fieldManager: config.deploy.fieldManager, stamp }) : undefined;
  if (preview) ctx.audit({ plan: countActions(preview) });

  if (req.dryRun) {
    const note = `Dry run: the API server accepted every write of this plan (dryRun=All); nothing was changed.`;
    const r = planReply(`Dry run: ${title}`, env, target, ctx.actor.id, preview!, note);
    r.tone = "success";
    await ctx.reply.send(r);
    return "dry-run";
  }

  if (env.envConfig.confirm) {
    const note = rich`${env.env} needs confirmation: only ${mention(ctx.actor.id)} can confirm.`;
    const ok = await ctx.confirm(planReply(`${title}?`, env, target, ctx.actor.id, preview!, note));
    if (!ok) {
      await ctx.reply.send(textReply(`Cancelled: ${title}. Nothing was changed.`, "warning"));
      return "cancelled";
    }
  }

  // 4. The lock.
  let hold: LockHold | undefined;
  {
    const take = ownManualLock ? holdInsideManualLock : holdLock;
    const got = await take(
      cluster,
      lockNamespace,
      env.lockName,
      {
        holder: `${ctx.services.instanceId}/${ctx.requestId}`,
        owner: ctx.actor.id,
        reason: `deploying ${shortTarget(target)} to ${env.env}`,
        kind: "deploy",
        durationSeconds: config.deploy.lockLeaseSeconds,
        now: clock.now(),
      },
      clock,
    );
    if (!got.held) throw lockedError(env, got.heldBy, clock.now());
    hold = got.hold;
  }
  let abandon = false;
  try {
    const outcome = await deployLocked({ ctx, env, cluster, target, plan, stamp, title, hold, afterSuccess: req.afterSuccess });
    abandon = outcome === "interrupted" && ctx.signal.aborted;
    return outcome;
  } finally {
    if (abandon) hold?.abandon();
    else await hold?.release();
  }
}

function lockedError(env: DeployEnv, info: Parameters<typeof describeHolder>[0], now: Date): UserError {
  const unlock = info.kind === "manual" ? ` \`/deploy unlock ${env.app} ${env.baseEnv}\` removes it.` : " Try again when it is done.";
  return new UserError(rich`${env.app} ${env.baseEnv} is locked (${env.lockName}): ${describeHolder(info, now)}.${unlock}`);
}

interface LockedInput {
  ctx: CommandContext;
  env: DeployEnv;
  cluster: KubeCluster;
  target: Target;
  plan: DeployPlan | CanaryPlan;
  stamp: DeployStamp;
  title: string;
  hold?: LockHold;
  afterSuccess?: DeployRequest["afterSuccess"];
}

async function deployLocked(input: LockedInput): Promise<DeployOutcome> {
  const { ctx, env, cluster, target, plan, stamp, title, hold } = input;
  const { config, github, clock } = ctx.services;
  const started = clock.now().getTime();
  let queue = Promise.resolve();
  const send = (r: Reply) => {
    queue = queue.then(() => ctx.reply.send(r)).catch((err) => ctx.log.warn("could not update the deploy message", { error: errorMessage(err) }));
    return queue;
  };
  const header: Block = { type: "text", text: `*${title}*` };
  const running = (text: string, progress?: DeploymentProgress[]) =>
    send(textReply(text, "info", header, progress ? progressBlock(progress) : stepsBlock([["apply", "running"]]), { type: "context", text }));

  await running(`Applying ${shortTarget(target)} to ${env.env}…`);

  // GitHub deployment: created before the cluster changes, so a failure to create it changes nothing.
  const logUrl = await ctx.reply.permalink();
  const deployment = await github.createDeployment(env.repo, {
    ref: target.sha,
    environment: env.env,
    description: `${shortTarget(target)} by ${ctx.actor.id} via Tugboat`,
    payload: { app: env.app, pr: target.pr?.number ?? null, actor: ctx.actor.id, channel: ctx.channel.id, requestId: ctx.requestId, branch: target.branch ?? null },
    // A canary is always a transient environment (it goes away on promote or abort), whatever the config says.
    transientEnvironment: env.envConfig.transient || env.canary,
    productionEnvironment: env.envConfig.production,
  });
  ctx.audit({ githubDeployment: deployment.id });
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
      ctx.log.warn("could not post a GitHub deployment status", { deployment: deployment.id, state, error: errorMessage(err) });
    }
  };
  await status("in_progress", `Deploying ${target.shortSha} to ${env.env}`);
  const links = () => rich`GitHub deployment ${deployment.id}${env.envConfig.url ? rich` · ${link(env.envConfig.url, env.env)}` : ""} · ${seconds(clock.now().getTime() - started)}`;

  // Apply.
  let snapshots: Snapshot[] = [];
  let followed: Map<string, number>;
  try {
    if (plan.mode === "canary") {
      const done = await applyCanary(cluster, plan, config.deploy.fieldManager);
      followed = done.deployments;
    } else {
      const done = await executePlan(cluster, plan, { fieldManager: config.deploy.fieldManager, stamp });
      snapshots = done.snapshots;
      followed = done.deployments;
    }
  } catch (err) {
    const why = errorMessage(err);
    ctx.log.warn("apply failed", { error: why });
    let undo: string;
    if (plan.mode === "canary") {
      const removed = await removeCanaryDeployments(cluster, env.namespace, plan).catch(() => []);
      undo = removed.length ? `Removed the canary (${removed.join(", ")}).` : "No canary was left behind.";
    } else {
      const snaps = err instanceof PartialApplyError ? err.snapshots : snapshots;
      const restored = await restoreSnapshots(cluster, snaps, config.deploy.fieldManager);
      if (restored.rolledBack.size > 0) {
        await safeFollow({ cluster, namespace: env.namespace, deployments: restored.rolledBack, timeoutMs: env.envConfig.rolloutTimeoutSeconds * 1000, clock, signals: [ctx.signal] });
      }
      undo = describeRestore(restored, env.namespace);
    }
    await status("error", `Apply failed: ${why}`.slice(0, 140));
    await queue;
    await ctx.reply.send(textReply(`${title} failed while applying: ${why}. ${undo}`, "error", header, { type: "text", text: `Applying failed: ${why}\n${undo}` }, { type: "context", text: links() }));
    ctx.audit({ result: "apply-failed" });
    ctx.outcome("failure");
    return "failure";
  }

  // Follow the rollout.
  const timeoutMs = (env.canary ? config.deploy.canaryReadySeconds : env.envConfig.rolloutTimeoutSeconds) * 1000;
  const signals = [ctx.signal, ...(hold ? [hold.lost] : [])];
  const outcome: FollowOutcome = await safeFollow({
    cluster,
    namespace: env.namespace,
    deployments: followed,
    timeoutMs,
    clock,
    signals,
    failOnRestart: env.canary,
    timeoutLabel: env.canary ? "the canary" : "the rollout",
    onProgress: (p) => void running(`Rolling out ${shortTarget(target)} to ${env.env}…`, p),
  });
  await queue;

  if (outcome.outcome === "done") {
    await status("success", `Deployed ${target.shortSha} to ${env.env}`);
    let extra: string | undefined;
    if (input.afterSuccess) extra = await input.afterSuccess(env, cluster);
    const summary = env.canary
      ? `Canary of ${shortTarget(target)} is live in ${env.baseEnv}: one pod next to ${followed.size === 1 ? "its Deployment" : "each Deployment"}. \`/canary promote\` ships it; \`/canary abort\` removes it.`
      : `Deployed ${shortTarget(target)} to ${env.app} ${env.env} in ${seconds(clock.now().getTime() - started)}.`;
    const blocks: Block[] = [header, { type: "text", text: summary }, progressBlock(outcome.progress, "done")];
    if (extra) blocks.push({ type: "text", text: extra });
    blocks.push({ type: "context", text: links() });
    await ctx.reply.send(textReply(summary, "success", ...blocks));
    ctx.audit({ result: "success" });
    return "success";
  }

  if (outcome.outcome === "interrupted") {
    const why = outcome.reason;
    const stopping = ctx.signal.aborted;
    await status("error", stopping ? "Tugboat stopped while following the rollout" : `Stopped: ${why}`);
    const text = stopping
      ? `Tugboat is shutting down while this deploy was rolling out. The rollout continues in the cluster without it; the lock expires in ${config.deploy.lockLeaseSeconds}s. Check \`/deploy status\`.`
      : `Stopped following this deploy: ${why}. Another deploy may have taken over; check \`/deploy status\`.`;
    await ctx.reply.send(textReply(text, "warning", header, { type: "text", text }, progressBlock(outcome.progress), { type: "context", text: links() }));
    ctx.audit({ result: "interrupted", reason: why });
    ctx.outcome("interrupted");
    return "interrupted";
  }

  // Failed or timed out: roll back.
  const why = outcome.reason;
  await running(`${title} failed (${why}); rolling back…`, outcome.progress);
  let undo: string;
  if (plan.mode === "canary") {
    const removed = await removeCanaryDeployments(cluster, env.namespace, plan).catch((err) => {
      ctx.log.error("could not remove the canary", { error: errorMessage(err) });
      return [] as string[];
    });
    undo = `Aborted the canary: removed ${removed.join(", ") || "nothing"}; production is untouched.`;
  } else {
    const restored = await restoreSnapshots(cluster, snapshots, config.deploy.fieldManager);
    let healthy: FollowOutcome | undefined;
    if (restored.rolledBack.size > 0) {
      healthy = await safeFollow({
        cluster,
        namespace: env.namespace,
        deployments: restored.rolledBack,
        timeoutMs: env.envConfig.rolloutTimeoutSeconds * 1000,
        clock,
        signals: [ctx.signal],
        timeoutLabel: "the rollback",
        onProgress: (p) => void running(`Rolling back ${env.app} ${env.env}…`, p),
      });
      await queue;
    }
    const names = [...restored.rolledBack.keys()].join(", ");
    if (restored.errors.length) undo = `Rolling back failed for: ${restored.errors.join("; ")}. Check ${env.namespace} by hand.`;
    else if (healthy && healthy.outcome !== "done") undo = `Rolled back ${names} to the previous revision, but that is not healthy either: ${"reason" in healthy ? healthy.reason : ""}.`;
    else undo = `Rolled back ${names || "nothing"} to the previous revision; it is healthy again.`;
  }
  await status("failure", `${why}`.slice(0, 140));
  const summary = `${title} failed: ${why}. ${undo}`;
  await ctx.reply.send(textReply(summary, "error", header, { type: "text", text: `*Failed:* ${why}\n${undo}` }, progressBlock(outcome.progress, "failed"), { type: "context", text: links() }));
  ctx.audit({ result: "rolled-back", reason: why });
  ctx.outcome("rolled-back");
  return "failure";
}

/** Following must not throw after the cluster changed: an error becomes a failed outcome (and a rollback). */
async function safeFollow(opts: Parameters<typeof followRollout>[0]): Promise<FollowOutcome> {
  try {
    return await followRollout(opts);
  } catch (err) {
    const progress = [...opts.deployments.keys()].map((name) => ({ name, phase: "failed" as const, detail: `${name}: cannot follow the rollout` }));
    return { outcome: "failed", reason: `cannot follow the rollout (${errorMessage(err)})`, progress };
  }
}

export function isNotFound(err: unknown): boolean {
  return isGatewayError(err, "not-found");
}
