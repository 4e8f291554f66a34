import { defineCommand, type CommandContext } from "../../core/command.js";
import { DeniedError, UsageError, UserError } from "../../core/errors.js";
import { getOwn } from "../../core/own-keys.js";
import { mention, rich } from "../../core/reply.js";
import { labNamespace } from "../../domain/reviewlab/make-slug.js";
import { findLab } from "../../domain/reviewlab/find-labs.js";
import { deleteLabNamespace, markLabInactive, waitForNamespaceGone } from "../../domain/reviewlab/remove-lab.js";
import { branchOf, labConfig, parseLabTarget, type LabTarget } from "./parse-lab-args.js";
import { seconds } from "./format-labs.js";
import { ProgressMessage } from "./report-progress.js";

const usage = "/reviewlab down BRANCH|PR<n>";

// Who may remove a lab: its owner always; anyone else needs reviewlab:down. The router checks
// spec.permission(args) before run, when the owner is not yet known, so the spec asks for reviewlab:up (what
// every lab user has, and what the owner needed to create the lab); run() then reads the owner from the
// namespace and requires reviewlab:down from everyone else. A clean-up-only role therefore needs both
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
  const started = ctx.services.clock.now().getTime();
  const { config, github, kube } = ctx.services;
  const cfg = labConfig(config);
  const cluster = kube.cluster(cfg.cluster);
  const branch = await branchOf(github, config, ctx.channel.id, args.target, usage);
  const namespace = labNamespace(branch);
  const found = await findLab(cluster, namespace);
  if (found.state === "absent") throw new UserError(`There is no review lab for \`${branch}\` (no namespace ${namespace}). See \`/reviewlab list\`.`);
  if (found.state === "foreign") throw new UserError(`Namespace ${namespace} is not a Tugboat review lab; Tugboat will not delete it.`);
  const lab = found.lab;
  if (lab.branch !== branch) throw new UserError(`Namespace ${namespace} holds the review lab of \`${lab.branch}\`, not \`${branch}\`.`);
  const isOwner = lab.owner === ctx.actor.id;
  if (!isOwner && !(await ctx.auth.allows("reviewlab:down"))) {
    throw new DeniedError(rich`Denied: the review lab for \`${branch}\` belongs to ${mention(lab.owner)}; removing someone else's lab needs the \`reviewlab:down\` permission.`, "reviewlab:down");
  }
  ctx.audit({ branch, namespace, owner: lab.owner, as: isOwner ? "owner" : "reviewlab:down" });

  const progress = new ProgressMessage(ctx.reply, ctx.services.clock, `Removing the review lab for ${branch}…`, [{ type: "text", text: `*Removing the review lab for \`${branch}\`*` }], [
    { label: `Delete namespace ${namespace}`, state: "running" },
    { label: "Wait until it is gone", state: "pending" },
  ]);
  progress.flush(true);
  await deleteLabNamespace(cluster, namespace);
  progress.set(0, "done");
  progress.set(1, "running");
  const gone = await waitForNamespaceGone(cluster, namespace, cfg.readyTimeoutSeconds * 1000, ctx.signal);
  progress.set(1, gone ? "done" : "failed");
  await progress.settle();
  const repo = getOwn(config.apps, lab.app)?.repo;
  const markInactive = async () => void (repo && (await markLabInactive(github, repo, lab, ctx.log)));
  const took = seconds(ctx.services.clock.now().getTime() - started);
  if (!gone) {
    await ctx.reply.send({
      summary: `The review lab for ${branch} is still terminating after ${cfg.readyTimeoutSeconds} s`,
      tone: "warning",
      blocks: [
        { type: "text", text: `Namespace \`${namespace}\` was deleted but is still terminating after ${cfg.readyTimeoutSeconds} s; Kubernetes will finish removing it.` },
        { type: "context", text: took },
      ],
    });
    await markInactive();
    return;
  }
  await ctx.reply.send({
    summary: `Removed the review lab for ${branch} (${took})`,
    tone: "success",
    blocks: [
      { type: "text", text: `*Removed the review lab for \`${branch}\`*: namespace \`${namespace}\` and everything in it are gone.` },
      { type: "context", text: `${took} · cluster ${cluster.name}` },
    ],
  });
  // GitHub after the reply: its writes are paced about a second apart by the gateway.
  await markInactive();
}
