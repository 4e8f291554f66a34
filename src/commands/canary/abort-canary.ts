import { textReply } from "../../core/reply.js";
import type { CommandContext } from "../../core/command.js";
import { errorMessage } from "../../core/errors.js";
import type { GithubGateway } from "../../gateways/types.js";
import type { Logger } from "../../core/logger.js";
import { removeCanaries } from "../../domain/deploy/canary.js";
import { resolveAppName, type DeployEnv } from "../../domain/deploy/resolve-deploy-env.js";
import { findCanary } from "./find-canary.js";
import { CANARY_ABORT_USAGE, type CanaryArgs } from "./parse-canary-args.js";

// /canary abort: remove the canary. Production's stable Deployments are untouched.

/** Marks the latest GitHub deployment of the canary environment inactive (or failure). */
export async function closeCanaryDeployment(github: GithubGateway, env: DeployEnv, state: "inactive" | "failure", description: string, log: Logger): Promise<void> {
  try {
    const [latest] = await github.listDeployments(env.repo, { environment: env.env, limit: 1 });
    if (latest && latest.state !== "inactive") await github.createDeploymentStatus(env.repo, latest.id, { state, description });
  } catch (err) {
    log.warn("could not update the canary's GitHub deployment", { error: errorMessage(err) });
  }
}

export async function abortCanary(args: CanaryArgs, ctx: CommandContext): Promise<void> {
  const { config, kube, github } = ctx.services;
  const app = resolveAppName(config, ctx.channel.id, args.app, CANARY_ABORT_USAGE);
  const state = await findCanary(config, kube, app);
  if (state.canaries.length === 0) {
    await ctx.reply.send(textReply(`${app} has no canary running in ${state.env.baseEnv}; nothing to abort.`, "success"));
    return;
  }
  const removed = await removeCanaries(
    state.cluster,
    state.env.namespace,
    state.canaries.map((c) => c.metadata!.name!),
  );
  await closeCanaryDeployment(github, state.env, "inactive", `Canary aborted by ${ctx.actor.id}`, ctx.log);
  ctx.audit({ app, canary: removed, sha: state.sha });
  const text = `Aborted the ${app} canary${state.sha ? ` of ${state.sha.slice(0, 7)}` : ""}: removed ${removed.join(", ")}. ${state.env.baseEnv} runs only its stable pods.`;
  await ctx.reply.send(textReply(text, "success"));
}
