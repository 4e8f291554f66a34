import { defineCommand, type CommandContext } from "../../core/command.js";
import { parseFlags } from "../../core/args.js";
import { UsageError } from "../../core/errors.js";
import { mapLimit } from "../../domain/apply-objects.js";
import { listLabs } from "../../domain/reviewlab/find-labs.js";
import { labConfig } from "../../domain/reviewlab/lab-use-case.js";
import { labTable } from "./format-labs.js";
import { countReadyPods, type PodCount } from "../../domain/reviewlab/describe-lab.js";
import { mayRead, viewPermission } from "../../core/kube-scope.js";

async function filterAsync<T>(items: T[], keep: (item: T) => Promise<boolean>): Promise<T[]> {
  const kept = await Promise.all(items.map(keep));
  return items.filter((_, i) => kept[i]);
}

const usage = "/reviewlab list [--mine]";

export const listCommand = defineCommand<{ mine: boolean }>({
  family: "reviewlab",
  verb: "list",
  summary: "Lists review labs: branch, sha, owner, age, expiry, ready pods and URL.",
  usage,
  examples: ["/reviewlab list", "/reviewlab list --mine"],
  sideEffects: false,
  parse(words) {
    const { positionals, flags } = parseFlags(words, { mine: { kind: "boolean" } }, usage);
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`, usage);
    return { mine: flags.mine === true };
  },
  permission: () => viewPermission("reviewlab:list"),
  run: async (args, ctx: CommandContext) => {
    const cfg = labConfig(ctx.services.config);
    const cluster = ctx.services.kube.cluster(cfg.cluster);
    const now = ctx.services.clock.now();
    const all = (await listLabs(cluster)).filter((l) => !args.mine || l.owner === ctx.actor.id);
    // Without reviewlab:list, the caller sees the labs their /kube scope covers.
    const everything = await ctx.auth.allows("reviewlab:list");
    const labs = everything ? all : await filterAsync(all, (l) => mayRead(ctx, { cluster: cfg.cluster, namespace: l.namespace }));
    const hidden = all.length - labs.length;
    const hiddenText = hidden ? ` ${hidden} more outside your /kube scope are not shown.` : "";
    if (labs.length === 0) {
      const none = args.mine ? "You have no review labs" : "There are no review labs";
      const text = hidden ? `${none} within your /kube scope.${hiddenText}` : `${none}.`;
      await ctx.reply.send({ summary: text, tone: "success", blocks: [{ type: "text", text }, { type: "context", text: `Start one with \`/reviewlab up BRANCH\`.` }] });
      return;
    }
    const pods = new Map<string, PodCount | undefined>();
    await mapLimit(labs, 8, async (lab) => {
      try {
        pods.set(lab.namespace, countReadyPods((await cluster.pods.list({ namespace: lab.namespace })).items));
      } catch {
        pods.set(lab.namespace, undefined);
      }
    });
    const n = labs.length;
    const summary = `${n} review lab${n === 1 ? "" : "s"}${args.mine ? " of yours" : ""}`;
    await ctx.reply.send({
      summary,
      tone: "success",
      blocks: [
        { type: "text", text: `*${summary}* (limits: ${cfg.maxPerUser} per person, ${cfg.maxTotal} in total)` },
        { type: "code", text: labTable(labs, pods, now) },
        ...(hiddenText ? [{ type: "context" as const, text: hiddenText.trim() }] : []),
      ],
    });
  },
});
