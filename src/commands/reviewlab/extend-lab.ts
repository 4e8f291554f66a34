import { defineCommand, type CommandContext } from "../../core/command.js";
import { parseDuration } from "../../core/args.js";
import { UsageError } from "../../core/errors.js";
import { humanDuration } from "../../domain/format/human-duration.js";
import { isoSeconds } from "../../domain/reviewlab/describe-lab.js";
import { extendLab } from "../../domain/reviewlab/extend-lab.js";
import { labConfig } from "../../domain/reviewlab/lab-use-case.js";
import { appForPull, labDeps, parseLabTarget, type LabTarget } from "./parse-lab-args.js";

const usage = "/reviewlab extend BRANCH|PR<n> DURATION";

interface ExtendArgs {
  target: LabTarget;
  seconds: number;
}

export const extendCommand = defineCommand<ExtendArgs>({
  family: "reviewlab",
  verb: "extend",
  summary: "Moves a review lab's expiry later by DURATION (e.g. 12h, 2d). A lab may be kept at most reviewlab.maxExtendHours from now.",
  usage,
  examples: ["/reviewlab extend my-branch 2d", "/reviewlab extend PR4816 12h"],
  sideEffects: true,
  parse(words) {
    if (words.length > 2) throw new UsageError(`too many arguments ("${words.slice(2).join(" ")}")`, usage);
    const target = parseLabTarget(words[0], usage);
    if (words[1] === undefined) throw new UsageError("say how long to extend by, e.g. 12h or 2d", usage);
    const seconds = parseDuration(words[1], "DURATION", usage);
    if (seconds <= 0) throw new UsageError("DURATION must be longer than 0", usage);
    return { target, seconds };
  },
  permission: () => "reviewlab:extend",
  run: runExtend,
});

async function runExtend(args: ExtendArgs, ctx: CommandContext): Promise<void> {
  labConfig(ctx.services.config);
  const app = appForPull(ctx, args.target, usage);
  const outcome = await extendLab({ target: args.target, app, bySeconds: args.seconds, actorId: ctx.actor.id, requestId: ctx.requestId, channelId: ctx.channel.id }, labDeps(ctx), () => {});
  if (outcome.type === "refused") throw outcome.error;
  const text = `The review lab for \`${outcome.branch}\` now expires ${isoSeconds(outcome.to)} (in ${humanDuration(outcome.to.getTime() - outcome.at.getTime())}).`;
  await ctx.reply.send({ summary: text, tone: "success", blocks: [{ type: "text", text }] });
}
