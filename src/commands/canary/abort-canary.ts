import { mention, rich, textReply, type Reply } from "../../core/reply.js";
import type { CommandContext } from "../../core/command.js";
import { abortCanary as abort, type AbortCanaryEvent } from "../../domain/deploy/abort-canary.js";
import { resolveAppName } from "../../domain/deploy/resolve-deploy-env.js";
import { CANARY_ABORT_USAGE, type CanaryArgs } from "./parse-canary-args.js";
import { endCanaryMessage } from "../../domain/canary-analysis/end-canary-message.js";

// /canary abort: remove the canary. Production's stable Deployments are untouched.

function abortReply(e: AbortCanaryEvent): Reply {
  if (e.type === "no-canary") return textReply(`${e.app} has no canary running in ${e.env.baseEnv}; nothing to abort.`, "success");
  return textReply(`Aborted the ${e.app} canary${e.sha ? ` of ${e.sha.slice(0, 7)}` : ""}: removed ${e.removed.join(", ")}. ${e.env.baseEnv} runs only its stable pods.`, "success");
}

export async function abortCanary(args: CanaryArgs, ctx: CommandContext): Promise<void> {
  const app = resolveAppName(ctx.services.config, ctx.channel.id, args.app, CANARY_ABORT_USAGE);
  let last: AbortCanaryEvent | undefined;
  await abort({ app, actor: ctx.actor.id }, { ...ctx.services, log: ctx.log, audit: (facts) => ctx.audit(facts), emit: (e) => (last = e) });
  if (last) await ctx.reply.send(abortReply(last));
  if (last?.type === "canary-aborted") {
    const text = rich`Aborted by ${mention(ctx.actor.id)} with /canary abort: removed ${last.removed.join(", ")}; ${last.env.baseEnv} runs only its stable pods.`;
    await endCanaryMessage({ ...ctx.services, log: ctx.log, app, baseEnv: last.env.baseEnv, canaries: last.canaries, now: ctx.services.clock.now(), end: { outcome: "aborted", text } });
  }
}
