import { defineCommand, type CommandContext, type CommandSpec } from "../../core/command.js";
import { UsageError } from "../../core/errors.js";
import { isoSeconds } from "../../domain/reviewlab/describe-lab.js";
import { labConfig } from "../../domain/reviewlab/lab-use-case.js";
import { pinLab } from "../../domain/reviewlab/pin-lab.js";
import { appForPull, labDeps, parseLabTarget, type LabTarget } from "./parse-lab-args.js";

// /reviewlab pin and unpin: keep a lab past its expiry (a demo, a long review) until it is unpinned. Pinning is an
// open-ended extend, so it needs the same permission.

function pinCommand(pinned: boolean): CommandSpec<{ target: LabTarget }> {
  const verb = pinned ? "pin" : "unpin";
  const usage = `/reviewlab ${verb} BRANCH|PR<n>`;
  return defineCommand<{ target: LabTarget }>({
    family: "reviewlab",
    verb,
    summary: pinned
      ? "Keeps a review lab past its expiry until it is unpinned (closing its PR still removes it). Needs reviewlab:extend."
      : "Lets a pinned review lab expire again: it goes at its expiry (at once if that has passed).",
    usage,
    examples: [`/reviewlab ${verb} my-branch`, `/reviewlab ${verb} PR4816`],
    sideEffects: true,
    parse(words) {
      if (words.length > 1) throw new UsageError(`too many arguments ("${words.slice(1).join(" ")}")`, usage);
      return { target: parseLabTarget(words[0], usage) };
    },
    permission: () => "reviewlab:extend",
    run: (args, ctx) => runPin(args.target, pinned, usage, ctx),
  });
}

async function runPin(target: LabTarget, pinned: boolean, usage: string, ctx: CommandContext): Promise<void> {
  labConfig(ctx.services.config);
  const app = appForPull(ctx, target, usage);
  const outcome = await pinLab({ target, app, pinned, actorId: ctx.actor.id, requestId: ctx.requestId, channelId: ctx.channel.id }, labDeps(ctx), () => {});
  if (outcome.type === "refused") throw outcome.error;
  const lab = `The review lab for \`${outcome.branch}\``;
  const text = pinned
    ? `${lab} ${outcome.changed ? "is pinned" : "was already pinned"}: it stays past its expiry (${isoSeconds(outcome.expiresAt)}) until \`/reviewlab unpin ${outcome.branch}\`.`
    : `${lab} ${outcome.changed ? "is unpinned" : "was not pinned"}: it expires ${isoSeconds(outcome.expiresAt)}${outcome.expiresAt.getTime() <= ctx.services.clock.now().getTime() ? " (already passed: the reaper removes it on its next pass)" : ""}.`;
  await ctx.reply.send({ summary: text, tone: "success", blocks: [{ type: "text", text }] });
}

export const pinCommandSpec = pinCommand(true);
export const unpinCommandSpec = pinCommand(false);
