import type { CommandContext } from "../../core/command.js";
import { deploy } from "../../domain/deploy/deploy-use-case.js";
import { runDeployInChat } from "../../domain/deploy/deploy-replies.js";
import { resolveAppName, resolveDeployEnv } from "../../domain/deploy/resolve-deploy-env.js";
import { deployApprovals } from "../../domain/approvals/require-approvals.js";
import { DEPLOY_USAGE, type DeployArgs } from "./parse-deploy-args.js";
import { deployWithQueue } from "./deploy-with-queue.js";
import { freezeSteps } from "./freeze-steps.js";

// /deploy PR… to ENV: names checked against the config (a wrong one gets the usage), then the deploy use case, its
// events rendered as the channel message and its confirmation as Confirm/Cancel for the caller. Around it, the
// environment's deploy queue (deploy-with-queue.ts); inside it, the freeze and approvals steps (freeze-steps.ts).

export async function deployFromChat(args: DeployArgs, ctx: CommandContext): Promise<void> {
  const { config } = ctx.services;
  const app = resolveAppName(config, ctx.channel.id, args.app, DEPLOY_USAGE);
  const env = resolveDeployEnv(config, app, args.env, DEPLOY_USAGE);
  const input = { app, env: env.env, target: args.target, actor: ctx.actor.id, channel: ctx.channel.id, requestId: ctx.requestId, dryRun: args.dryRun, force: args.force, reason: args.reason };
  const steps = freezeSteps(args, ctx, app, deployApprovals(ctx, ctx.channel.id));
  await deployWithQueue({ env, targetText: args.targetText, queue: args.queue, auto: args.auto, dryRun: args.dryRun }, ctx, () =>
    runDeployInChat(ctx, (deps) => deploy(input, { ...deps, steps: { ...deps.steps, ...steps } })),
  );
}

