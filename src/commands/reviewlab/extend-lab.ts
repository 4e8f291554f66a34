import { defineCommand, type CommandContext } from "../../core/command.js";
import { parseDuration } from "../../core/args.js";
import { UsageError, UserError } from "../../core/errors.js";
import { labNamespace } from "../../domain/reviewlab/make-slug.js";
import { findLab } from "../../domain/reviewlab/find-labs.js";
import { humanDuration } from "../../domain/format/human-duration.js";
import { expiryPatch } from "../../domain/reviewlab/lab-metadata.js";
import { namespaceResource } from "../../domain/reviewlab/remove-lab.js";
import { branchOf, labConfig, parseLabTarget, type LabTarget } from "./parse-lab-args.js";

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
  run: extendLab,
});

async function extendLab(args: ExtendArgs, ctx: CommandContext): Promise<void> {
  const { config, github, kube, clock } = ctx.services;
  const cfg = labConfig(config);
  const cluster = kube.cluster(cfg.cluster);
  const branch = await branchOf(github, config, ctx.channel.id, args.target, usage);
  const namespace = labNamespace(branch);
  const found = await findLab(cluster, namespace);
  if (found.state !== "lab" || found.lab.branch !== branch) {
    throw new UserError(`There is no review lab for \`${branch}\`. See \`/reviewlab list\`.`);
  }
  const lab = found.lab;
  if (lab.terminating) throw new UserError(`The review lab for \`${branch}\` is being removed.`);
  const now = clock.now();
  const base = Math.max(lab.expiresAt.getTime(), now.getTime());
  const wanted = base + args.seconds * 1000;
  const limit = now.getTime() + cfg.maxExtendHours * 3600_000;
  if (wanted > limit) {
    const room = Math.max(0, limit - base);
    const allowed = room >= 60_000 ? `you can extend it by at most ${humanDuration(room)} (until ${iso(new Date(limit))})` : "it cannot be extended further now";
    throw new UserError(
      `A review lab may be kept at most ${cfg.maxExtendHours} h from now; \`${branch}\` expires ${iso(lab.expiresAt)}, so ${allowed}.`,
    );
  }
  const expiresAt = new Date(wanted);
  await cluster.patch(await namespaceResource(cluster), namespace, undefined, expiryPatch(expiresAt), "merge");
  ctx.audit({ branch, namespace, from: lab.expiresAt.toISOString(), to: expiresAt.toISOString() });
  const text = `The review lab for \`${branch}\` now expires ${iso(expiresAt)} (in ${humanDuration(wanted - now.getTime())}).`;
  await ctx.reply.send({ summary: text, tone: "success", blocks: [{ type: "text", text }] });
}

function iso(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, "Z");
}
