import { defineCommand, type CommandContext } from "../../core/command.js";
import { UsageError } from "../../core/errors.js";
import type { Reply } from "../../core/reply.js";
import { labConfig } from "../../domain/reviewlab/lab-use-case.js";
import { removeLab, type LabDownOutcome } from "../../domain/reviewlab/tear-down-lab.js";
import { appForPull, labDeps, parseLabTarget, type LabTarget } from "./parse-lab-args.js";
import { seconds } from "./format-labs.js";
import { ProgressMessage } from "./report-progress.js";

const usage = "/reviewlab down BRANCH|PR<n>";

// Who may remove a lab: its owner always; anyone else needs reviewlab:down. The router checks
// spec.permission(args) before run, when the owner is not yet known, so the spec asks for reviewlab:up (what
// every lab user has, and what the owner needed to create the lab); run() then reads the owner from the
// namespace (the use case asks `mayRemoveOthers`) and requires reviewlab:down from everyone else. A clean-up-only role therefore needs both
// reviewlab:up and reviewlab:down (or reviewlab:*).

export const downCommand = defineCommand<{ target: LabTarget }>({
  family: "reviewlab",
  verb: "down",
  summary: "Removes a review lab (its namespace and everything in it) and marks its GitHub deployment inactive. Owners may always remove their own lab; anyone else needs reviewlab:down.",
  usage,
  examples: ["/reviewlab down my-branch", "/reviewlab down PR4816"],
  sideEffects: true,
  parse(words) {
    if (words.length > 1) throw new UsageError(`too many arguments ("${words.slice(1).join(" ")}")`, usage);
    return { target: parseLabTarget(words[0], usage) };
  },
  permission: () => "reviewlab:up",
  run: tearDownLab,
});

async function tearDownLab(args: { target: LabTarget }, ctx: CommandContext): Promise<void> {
  labConfig(ctx.services.config);
  const app = appForPull(ctx, args.target, usage);
  let progress: ProgressMessage | undefined;
  const outcome = await removeLab(
    { target: args.target, app, actorId: ctx.actor.id, requestId: ctx.requestId, channelId: ctx.channel.id, mayRemoveOthers: () => ctx.auth.allows("reviewlab:down") },
    labDeps(ctx),
    async (e) => {
      switch (e.type) {
        case "found":
          progress = new ProgressMessage(ctx.reply, ctx.services.clock, `Removing the review lab for ${e.branch}…`, [{ type: "text", text: `*Removing the review lab for \`${e.branch}\`*` }], [
            { label: `Delete namespace ${e.namespace}`, state: "running" },
            { label: "Wait until it is gone", state: "pending" },
          ]);
          progress.flush(true);
          return;
        case "deleted":
          progress?.set(0, "done");
          progress?.set(1, "running");
          return;
        case "removed":
        case "still-terminating":
          progress?.set(1, e.type === "removed" ? "done" : "failed");
          await progress?.settle();
          await ctx.reply.send(downReply(e));
          return;
        case "refused":
          return;
      }
    },
  );
  if (outcome.type === "refused") throw outcome.error;
}

function downReply(e: Exclude<LabDownOutcome, { type: "refused" }>): Reply {
  const took = seconds(e.finishedAt.getTime() - e.startedAt.getTime());
  if (e.type === "still-terminating") {
    return {
      summary: `The review lab for ${e.branch} is still terminating after ${e.timeoutSeconds} s`,
      tone: "warning",
      blocks: [
        { type: "text", text: `Namespace \`${e.namespace}\` was deleted but is still terminating after ${e.timeoutSeconds} s; Kubernetes will finish removing it.` },
        { type: "context", text: took },
      ],
    };
  }
  return {
    summary: `Removed the review lab for ${e.branch} (${took})`,
    tone: "success",
    blocks: [
      { type: "text", text: `*Removed the review lab for \`${e.branch}\`*: namespace \`${e.namespace}\` and everything in it are gone.` },
      { type: "context", text: `${took} · cluster ${e.cluster}` },
    ],
  };
}
