import type { CommandContext } from "../../core/command.js";
import type { Text } from "../../core/reply.js";
import { deploy, type DeploySteps } from "../../domain/deploy/deploy-use-case.js";
import { runDeployInChat } from "../../domain/deploy/deploy-replies.js";
import { resolveAppName, resolveDeployEnv } from "../../domain/deploy/resolve-deploy-env.js";
import { breakGlassRules, checkFreeze } from "../../domain/freeze/break-glass.js";
import { shortTarget } from "../../domain/deploy/describe-target.js";
import type { Target } from "../../domain/resolve-target.js";
import { coordinationOf } from "../../domain/replicas/coordination.js";
import { deployApprovals, requireApprovals } from "../../domain/approvals/require-approvals.js";
import { DEPLOY_USAGE, type DeployArgs } from "./parse-deploy-args.js";
import { deployWithQueue } from "./deploy-with-queue.js";

// /deploy PR… to ENV: names checked against the config (a wrong one gets the usage), then the deploy use case, its
// events rendered as the channel message and its confirmation as Confirm/Cancel for the caller. Around it, the
// environment's deploy queue (deploy-with-queue.ts); inside it, the freeze step (domain/freeze/break-glass.ts).

export async function deployFromChat(args: DeployArgs, ctx: CommandContext): Promise<void> {
  const { config } = ctx.services;
  const app = resolveAppName(config, ctx.channel.id, args.app, DEPLOY_USAGE);
  const env = resolveDeployEnv(config, app, args.env, DEPLOY_USAGE);
  const input = { app, env: env.env, target: args.target, actor: ctx.actor.id, channel: ctx.channel.id, requestId: ctx.requestId, dryRun: args.dryRun, force: args.force };
  // A break-glass approval comes from the environment's own approvers when it has any (breakGlassRules): that
  // approval covers the deploy's, so nobody is asked twice.
  const glass = { approved: false };
  const approvals = deployApprovals(ctx, ctx.channel.id);
  const steps: DeploySteps = {
    freeze: (check) => freezeStep(args, ctx, app, check.env.env, check.target, glass),
    approvals: (run, preview) => (glass.approved ? Promise.resolve({ approved: true }) : approvals(run, preview)),
  };
  await deployWithQueue({ env, targetText: args.targetText, queue: args.queue, auto: args.auto, dryRun: args.dryRun }, ctx, () =>
    runDeployInChat(ctx, (deps) => deploy(input, { ...deps, steps: { ...deps.steps, ...steps } })),
  );
}

/** A dry run changes nothing, so a freeze does not stop it; anything else meets the environment's freezes. */
async function freezeStep(args: DeployArgs, ctx: CommandContext, app: string, env: string, target: Target, glass: { approved: boolean }): Promise<{ reason: Text } | undefined> {
  if (args.dryRun) return undefined;
  const why = await checkFreeze({
    config: ctx.services.config,
    coordination: coordinationOf(ctx.services),
    app,
    env,
    actor: ctx.actor.id,
    channel: ctx.channel.id,
    breakGlass: args.breakGlass,
    approve: async ({ reason }) => {
      const verdict = await requireApprovals(
        { app, env, asker: ctx.actor.id, channel: ctx.channel.id, what: `${shortTarget(target)} during a freeze (break glass: ${reason})`, purpose: "break-glass" },
        ctx,
        breakGlassRules(ctx.services.config, env),
      );
      glass.approved = verdict.approved;
      return verdict.approved ? { approved: true, by: verdict.approvers } : { approved: false, why: verdict.reason };
    },
    audit: (facts) => ctx.audit(facts),
    notifier: ctx.services.notifier,
    log: ctx.log,
  });
  return why ? { reason: why } : undefined;
}
