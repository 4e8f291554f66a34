import type { CommandContext } from "../../core/command.js";
import { UsageError, UserError, errorMessage } from "../../core/errors.js";
import { rich, type Block, textReply } from "../../core/reply.js";
import { ANN_DEPLOYED_AT, ANN_DEPLOYED_BY, ANN_PR, ANN_SHA } from "../../domain/deploy/annotations.js";
import { describeHolder, holdLock } from "../../domain/deploy/deploy-lock.js";
import { followRollout, type FollowOutcome } from "../../domain/deploy/follow-rollout.js";
import { appDeployments } from "../../domain/deploy/plan-deploy.js";
import { checkChannel, resolveAppName, resolveDeployEnv } from "../../domain/deploy/resolve-deploy-env.js";
import { listRevisions, revisionOf, rollbackDeployment, templateOf } from "../../domain/deploy/rollback.js";
import { imageChanges, imageTag } from "../../domain/deploy/set-images.js";
import { diffObject } from "../../domain/deploy/object-diff.js";
import { progressBlock, seconds } from "../../domain/deploy/format-deploy.js";
import { planDiffBlocks } from "../../domain/deploy/format-plan-diff.js";
import { ROLLBACK_USAGE, type AppEnvArgs } from "./parse-deploy-args.js";

// /deploy rollback APP ENV: every Deployment of the app back to its previous revision (kubectl rollout undo).

const short = (image?: string) => (image ? image.replace(/:([0-9a-f]{40})$/, (_m, s: string) => `:${s.slice(0, 7)}`) : "?");

interface RollbackStep {
  name: string;
  current: number;
  previous: number;
  from?: string;
  to?: string;
  sha: string;
}

export async function rollbackEnvironment(args: AppEnvArgs, ctx: CommandContext): Promise<void> {
  const { config, kube, clock, github } = ctx.services;
  const app = resolveAppName(config, ctx.channel.id, args.app, ROLLBACK_USAGE);
  const env = resolveDeployEnv(config, app, args.env, ROLLBACK_USAGE);
  if (env.canary) throw new UsageError(`a canary is not rolled back; \`/canary abort ${app}\` removes it`, ROLLBACK_USAGE);
  checkChannel(config, env.env, ctx.channel.id);
  const cluster = kube.cluster(env.cluster);
  await ctx.reply.send(textReply(`Rollback of ${app} ${env.env}: reading revisions…`, "info", { type: "progress", items: [{ label: "read revisions", state: "running" }] }));

  const deploys = await appDeployments(cluster, env.namespace, env.image);
  if (deploys.length === 0) throw new UserError(`${env.namespace} on ${env.cluster} has no Deployment running ${env.image}.`);
  const plan: RollbackStep[] = [];
  for (const d of deploys) {
    const current = revisionOf(d);
    const revisions = await listRevisions(cluster, d);
    const previous = revisions.find((r) => r.revision < current && r.revision > 0);
    if (!previous) throw new UserError(`${d.metadata!.name} has no previous revision to roll back to (it is at revision ${current}).`);
    const template = templateOf(previous.replicaSet);
    const from = imageChanges(d.spec?.template, env.image, "")[0]?.from;
    const to = imageChanges(template, env.image, "")[0]?.from;
    plan.push({ name: d.metadata!.name!, current, previous: previous.revision, from, to, sha: to ? imageTag(to) : "" });
  }
  const shas = [...new Set(plan.map((p) => p.sha).filter(Boolean))];
  const items = plan.map((p) => `\`${p.name}\`: revision ${p.current} → ${p.previous} (${short(p.from)} → ${short(p.to)})`);
  const title = `Roll back ${app} ${env.env}`;
  // The PR that shipped the previous sha, from GitHub's deployment history.
  const history = await github.listDeployments(env.repo, { environment: env.env, limit: 30 }).catch(() => []);
  const prFor = (sha: string) => history.find((h) => h.sha === sha && h.payload.pr)?.payload.pr;
  const rolledAt = clock.now().toISOString();
  const rollbackOf = (p: RollbackStep, dryRun = false) => {
    const pr = p.sha ? prFor(p.sha) : undefined;
    const annotations = { [ANN_SHA]: p.sha || null, [ANN_PR]: pr ? String(pr) : "", [ANN_DEPLOYED_BY]: ctx.actor.id, [ANN_DEPLOYED_AT]: rolledAt };
    return rollbackDeployment(cluster, env.namespace, p.name, { toRevision: p.previous, annotations, dryRun });
  };
  if (env.envConfig.confirm) {
    // What each Deployment would become, asked of the API server with the rollback's own patch (dryRun=All).
    const objects = await Promise.all(
      plan.map(async (p) => {
        const r = await rollbackOf(p, true);
        return diffObject(r.before, r.after);
      }),
    );
    const preview = { objects };
    const diff = planDiffBlocks(preview, `rollback-${app}-${env.env}.diff`, title);
    const ask = textReply(`${title}?`, "info", { type: "header", text: `${title}?` }, { type: "list", items }, ...diff.blocks);
    if (diff.attachment) ask.attachment = diff.attachment;
    const ok = await ctx.confirm(ask);
    if (!ok) {
      await ctx.reply.send(textReply(`Cancelled: ${title}. Nothing was changed.`, "warning"));
      return;
    }
  }
  const got = await holdLock(
    cluster,
    env.namespace,
    env.lockName,
    { holder: `${ctx.services.instanceId}/${ctx.requestId}`, owner: ctx.actor.id, reason: `rolling back ${env.env}`, kind: "deploy", durationSeconds: config.deploy.lockLeaseSeconds, now: clock.now() },
    clock,
  );
  if (!got.held) throw new UserError(rich`${app} ${env.env} is locked (${env.lockName}): ${describeHolder(got.heldBy, clock.now())}.`);
  const started = clock.now().getTime();
  try {
    // The plan (and the confirmation) came before the lock: another replica may have deployed meanwhile.
    const now = await appDeployments(cluster, env.namespace, env.image);
    for (const p of plan) {
      const revision = revisionOf(now.find((d) => d.metadata?.name === p.name));
      if (revision !== p.current) {
        throw new UserError(`${app} ${env.env} changed while this rollback waited: ${p.name} is at revision ${revision || "none"} now, not ${p.current}. Nothing was rolled back; run the rollback again to see the new plan.`);
      }
    }
    const sha = shas.length === 1 ? shas[0]! : undefined;
    const logUrl = await ctx.reply.permalink();
    const deployment = sha
      ? await github
          .createDeployment(env.repo, {
            ref: sha,
            environment: env.env,
            description: `Rollback by ${ctx.actor.id} via Tugboat`,
            payload: { app, pr: prFor(sha) ?? null, actor: ctx.actor.id, channel: ctx.channel.id, rollback: true },
            transientEnvironment: env.envConfig.transient,
            productionEnvironment: env.envConfig.production,
          })
          .catch((err) => (ctx.log.warn("could not create a GitHub deployment for the rollback", { error: errorMessage(err) }), undefined))
      : undefined;
    const status = (state: "in_progress" | "success" | "failure" | "error", description: string) =>
      deployment
        ? github.createDeploymentStatus(env.repo, deployment.id, { state, description, logUrl, environmentUrl: state === "success" ? env.envConfig.url : undefined }).catch(() => undefined)
        : Promise.resolve();
    await status("in_progress", "Rolling back");
    const followed = new Map<string, number>();
    const done: typeof plan = [];
    try {
      for (const p of plan) {
        await rollbackOf(p);
        done.push(p);
        followed.set(p.name, 0);
      }
    } catch (err) {
      // Nothing half rolled back: the Deployments already moved go forward again to the revision they ran.
      const why = errorMessage(err);
      const undoErrors: string[] = [];
      for (const p of done) {
        const before = deploys.find((d) => d.metadata?.name === p.name)?.metadata?.annotations ?? {};
        const annotations: Record<string, string | null> = {};
        for (const k of [ANN_SHA, ANN_PR, ANN_DEPLOYED_BY, ANN_DEPLOYED_AT]) annotations[k] = before[k] ?? null;
        await rollbackDeployment(cluster, env.namespace, p.name, { toRevision: p.current, annotations }).catch((e) => undoErrors.push(`${p.name}: ${errorMessage(e)}`));
      }
      await status("error", `Rollback failed: ${why}`.slice(0, 140));
      ctx.audit({ app, environment: env.env, result: "rollback-failed", reason: why });
      const undo = done.length === 0 ? "Nothing was changed." : undoErrors.length ? `Putting back ${done.map((p) => p.name).join(", ")} also failed (${undoErrors.join("; ")}); check ${env.namespace} by hand.` : `${done.map((p) => p.name).join(", ")} went back to the revision they ran; nothing was changed.`;
      throw new UserError(`Could not roll back ${app} ${env.env}: ${why.replace(/\.$/, "")}. ${undo}`);
    }
    ctx.audit({ app, environment: env.env, rollback: plan.map((p) => ({ name: p.name, from: p.current, to: p.previous })) });
    let queue = Promise.resolve();
    const outcome = await followRollout({
      cluster,
      namespace: env.namespace,
      deployments: followed,
      timeoutMs: env.envConfig.rolloutTimeoutSeconds * 1000,
      clock,
      signals: [ctx.signal, got.hold.lost],
      timeoutLabel: "the rollback",
      onProgress: (p) => {
        queue = queue.then(() => ctx.reply.send(textReply(`Rolling back ${app} ${env.env}…`, "info", { type: "text", text: `*${title}*` }, progressBlock(p)))).catch(() => {});
      },
    }).catch((err): FollowOutcome => ({
      // The Deployments changed: an error while following is a failed rollback, never an open GitHub deployment.
      outcome: "failed",
      reason: `cannot follow the rollback (${errorMessage(err)})`,
      progress: [...followed.keys()].map((name) => ({ name, phase: "failed" as const, detail: `${name}: cannot follow the rollback` })),
    }));
    await queue;
    const blocks: Block[] = [{ type: "text", text: `*${title}*` }, { type: "list", items }, progressBlock(outcome.progress, outcome.outcome === "done" ? "done" : "failed")];
    blocks.push({ type: "context", text: `${deployment ? `GitHub deployment ${deployment.id} · ` : ""}${seconds(clock.now().getTime() - started)}` });
    if (outcome.outcome === "done") {
      await status("success", "Rolled back");
      const summary = `Rolled back ${app} ${env.env} to the previous revision${sha ? ` (${sha.slice(0, 7)})` : ""}.`;
      await ctx.reply.send(textReply(summary, "success", { type: "text", text: summary }, ...blocks));
    } else {
      await status("failure", "reason" in outcome ? outcome.reason : "failed");
      const summary = `The rollback of ${app} ${env.env} did not become healthy: ${"reason" in outcome ? outcome.reason : ""}`;
      ctx.outcome("failure");
      await ctx.reply.send(textReply(summary, "error", { type: "text", text: summary }, ...blocks));
    }
  } finally {
    await got.hold.release();
  }
}
