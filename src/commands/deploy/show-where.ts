import type { CommandContext } from "../../core/command.js";
import { allowedChannels, resolveAppName, resolveDeployEnv } from "../../domain/deploy/resolve-deploy-env.js";
import { channelMention, joinText, rich, type Block, type Text, textReply } from "../../core/reply.js";
import { WHERE_USAGE } from "./parse-deploy-args.js";

// /deploy where: the environments the caller may deploy the app to.

export async function showWhere(args: { app?: string }, ctx: CommandContext): Promise<void> {
  const { config } = ctx.services;
  const app = resolveAppName(config, ctx.channel.id, args.app, WHERE_USAGE);
  const yes: string[] = [];
  const no: Text[] = [];
  for (const name of Object.keys(config.environments)) {
    const env = resolveDeployEnv(config, app, name);
    const allowed = await ctx.auth.allows(`deploy:${name}`);
    const channels = allowedChannels(config, name);
    const here = !channels || channels.includes(ctx.channel.id);
    const where = `${env.cluster} / ${env.namespace}${env.canary ? ` (canary of ${env.baseEnv})` : ""}${env.envConfig.confirm ? ", asks for confirmation" : ""}`;
    if (allowed && here) yes.push(`*${name}*: ${where}`);
    else if (allowed) no.push(rich`*${name}*: only from ${joinText(channels!.map(channelMention), ", ")}`);
    else no.push(`*${name}*: needs \`deploy:${name}\``);
  }
  const title = yes.length ? `You may deploy ${app} to ${yes.length} environment${yes.length === 1 ? "" : "s"} from here` : `You may not deploy ${app} anywhere from here`;
  const blocks: Block[] = [{ type: "header", text: title }];
  if (yes.length) blocks.push({ type: "list", items: yes });
  if (no.length) blocks.push({ type: "text", text: "*Not from here:*" }, { type: "list", items: no });
  await ctx.reply.send(textReply(title, "success", ...blocks));
}
