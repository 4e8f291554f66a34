import type { CommandContext } from "../../core/command.js";
import { UsageError } from "../../core/errors.js";
import { resolveAppName, resolveDeployEnv } from "../../domain/deploy/resolve-deploy-env.js";
import { runRollbackInChat } from "../../domain/deploy/rollback-replies.js";
import { rollbackEnvironment as rollback } from "../../domain/deploy/rollback-use-case.js";
import { ROLLBACK_USAGE, type AppEnvArgs } from "./parse-deploy-args.js";

// /deploy rollback APP ENV: every Deployment of the app back to its previous revision (kubectl rollout undo), by the
// rollback use case, rendered as the channel message.

export async function rollbackEnvironment(args: AppEnvArgs, ctx: CommandContext): Promise<void> {
  const { config } = ctx.services;
  const app = resolveAppName(config, ctx.channel.id, args.app, ROLLBACK_USAGE);
  const env = resolveDeployEnv(config, app, args.env, ROLLBACK_USAGE);
  if (env.canary) throw new UsageError(`a canary is not rolled back; \`/canary abort ${app}\` removes it`, ROLLBACK_USAGE);
  const input = { app, env: env.env, actor: ctx.actor.id, channel: ctx.channel.id, requestId: ctx.requestId };
  await runRollbackInChat(ctx, (deps) => rollback(input, deps));
}
