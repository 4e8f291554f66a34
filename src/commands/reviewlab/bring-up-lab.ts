import { defineCommand, type CommandContext } from "../../core/command.js";
import { parseFlags } from "../../core/args.js";
import { UsageError, UserError } from "../../core/errors.js";
import { link, rich, type Block, type Reply } from "../../core/reply.js";
import { countByKind } from "../../domain/apply-objects.js";
import { bringUpLab, type LabUpEvent, type LabUpSummary } from "../../domain/reviewlab/bring-up-lab.js";
import { isoSeconds } from "../../domain/reviewlab/describe-lab.js";
import { describeTarget, labConfig } from "../../domain/reviewlab/lab-use-case.js";
import { labDeps, parseLabTarget, pickApp, type LabTarget } from "./parse-lab-args.js";
import { seconds } from "./format-labs.js";
import { ProgressMessage } from "./report-progress.js";

const usage = "/reviewlab up BRANCH|PR<n> [APP] [--force] [--reset-expiry]";

interface UpArgs {
  target: LabTarget;
  app?: string;
  force: boolean;
  /** The expiry becomes reviewlab.ttlHours from now even when that is sooner than it was. */
  resetExpiry: boolean;
}

export const upCommand = defineCommand<UpArgs>({
  family: "reviewlab",
  verb: "up",
  summary:
    "Brings up (or updates) the review lab of a branch or PR in its own namespace `review-lab-<slug>` and replies with its URL. " +
    "The image gate applies (`--force` skips it and needs deploy:force). Labs expire 72 h after the last `up`, never sooner than an " +
    "extension made before; `--reset-expiry` sets the 72 h even when that is sooner and needs reviewlab:extend.",
  usage,
  examples: ["/reviewlab up my-branch", "/reviewlab up PR4816", "/reviewlab up feature/faster-unicorn github"],
  sideEffects: true,
  parse(words) {
    const { positionals, flags } = parseFlags(words, { force: { kind: "boolean" }, "reset-expiry": { kind: "boolean" } }, usage);
    if (positionals.length > 2) throw new UsageError(`too many arguments ("${positionals.slice(2).join(" ")}")`, usage);
    return { target: parseLabTarget(positionals[0], usage), app: positionals[1], force: flags.force === true, resetExpiry: flags["reset-expiry"] === true };
  },
  // --force and --reset-expiry are authorized here, before anything runs: the use case only skips the image gate, or
  // lets the expiry come sooner (cutting someone's /reviewlab extend, hence the permission that governs expiries).
  permission: (a) => ["reviewlab:up", ...(a.force ? ["deploy:force"] : []), ...(a.resetExpiry ? ["reviewlab:extend"] : [])],
  run: runUp,
});

const STEP = { resolve: 0, render: 1, apply: 2, ready: 3 } as const;

// The command parses, picks the app from the channel and renders the use case's events into one message.
async function runUp(args: UpArgs, ctx: CommandContext): Promise<void> {
  labConfig(ctx.services.config);
  const app = pickApp(ctx.services.config, ctx.channel.id, args.app, usage);
  const what = describeTarget(args.target);
  const progress = new ProgressMessage(ctx.reply, ctx.services.clock, `Bringing up the review lab for ${what}…`, [{ type: "text", text: `*Review lab for \`${what}\`*` }], [
    { label: "Resolve the branch and check its image", state: "running" },
    { label: "Render templates", state: "pending" },
    { label: "Apply objects", state: "pending" },
    { label: "Wait for Deployments", state: "pending" },
  ]);
  progress.flush(true);
  const render = async (e: LabUpEvent): Promise<void> => {
    switch (e.type) {
      case "resolved":
        progress.set(STEP.resolve, "done", `${e.label} → ${e.shortSha}${e.pr !== undefined ? ` (PR #${e.pr})` : ""}${e.forced ? ", image gate skipped (--force)" : ", image ready"}`);
        progress.set(STEP.render, "running");
        return;
      case "rendered":
        progress.set(STEP.render, "done", `${e.templates} template${e.templates === 1 ? "" : "s"} from ${e.source}`);
        return;
      case "applying":
        if (e.applied === 0) progress.set(STEP.apply, "running", `0/${e.total}`);
        else progress.detail(STEP.apply, `${e.applied}/${e.total}`);
        return;
      case "applied":
        progress.set(STEP.apply, "done", `${e.total}/${e.total}`);
        return;
      case "rollout-progress":
        if (e.available === 0 && progress.steps[STEP.ready]!.state === "pending") progress.set(STEP.ready, "running", `0/${e.total} available`);
        else progress.detail(STEP.ready, `${e.available}/${e.total} available`);
        return;
      case "ready":
        progress.set(STEP.ready, "done", `${e.deployments}/${e.deployments} available`);
        await progress.settle();
        await ctx.reply.send(readyReply(e, progress, e.warnings));
        return;
      case "github-warnings":
        await ctx.reply.send(readyReply(lastReady!, progress, e.warnings));
        return;
      case "apply-failed":
        progress.set(STEP.apply, "failed", `${e.applied}/${e.total}`);
        return;
      case "not-ready":
      case "follow-failed":
        progress.set(STEP.ready, "failed");
        return;
      case "refused":
      case "superseded":
        return;
    }
  };
  let lastReady: LabUpSummary | undefined;
  let outcome;
  try {
    outcome = await bringUpLab(
      { target: args.target, app, force: args.force, expiry: args.resetExpiry ? "reset" : "extend", actorId: ctx.actor.id, requestId: ctx.requestId, channelId: ctx.channel.id, logUrl: () => ctx.reply.permalink() },
      labDeps(ctx),
      async (e) => {
        if (e.type === "ready") lastReady = e;
        await render(e);
      },
    );
  } catch (err) {
    progress.failRunning();
    await progress.settle();
    throw err;
  }
  if (outcome.type === "ready") return;
  progress.failRunning();
  await progress.settle();
  throw new UserError(failureText(outcome));
}

type Failure = Exclude<Awaited<ReturnType<typeof bringUpLab>>, { type: "ready" }>;

function failureText(o: Failure): UserError["text"] {
  switch (o.type) {
    case "refused":
      return o.error.text;
    case "superseded":
      return `\`${o.branch}\` has moved on to ${o.head.slice(0, 7)}; the review lab was not brought up at ${o.sha.slice(0, 7)}.`;
    case "apply-failed": {
      const cleanup = o.applied > 0 ? ` ${o.applied} of ${o.total} objects were applied; remove them with \`/reviewlab down ${o.branch}\`.` : " Nothing was created.";
      return withWarnings(`Could not bring up the review lab for \`${o.branch}\`: ${o.cause}.${cleanup}`, o.warnings);
    }
    case "follow-failed":
      return (
        `The review lab for \`${o.branch}\` was applied, but Tugboat could not follow its rollout: ${o.cause}.\n` +
        `The lab is left in place (namespace \`${o.namespace}\`, ${o.url}). Remove it with \`/reviewlab down ${o.branch}\`.`
      );
    case "not-ready": {
      const why = o.reason === "failed" ? "a Deployment exceeded its progress deadline" : `not ready within ${o.timeoutSeconds} s`;
      return withWarnings(
        [
          `The review lab for \`${o.branch}\` did not become ready (${why}):`,
          ...(o.problems.length > 0 ? o.problems : ["no pod reported a reason"]).map((p) => `• ${p}`),
          `The lab is left in place for inspection (namespace \`${o.namespace}\`, ${o.url}). Remove it with \`/reviewlab down ${o.branch}\`.`,
          `${countByKind(o.objects)} · ${seconds(o.finishedAt.getTime() - o.startedAt.getTime())}`,
        ].join("\n"),
        o.warnings,
      );
    }
  }
}

function readyReply(lab: LabUpSummary, progress: ProgressMessage, warnings: string[]): Reply {
  const took = seconds(lab.finishedAt.getTime() - lab.startedAt.getTime());
  const counts = countByKind(lab.objects);
  const verb = lab.previousSha === undefined ? "is up" : lab.previousSha === lab.sha ? "is up again" : `was updated from ${lab.previousSha.slice(0, 7)}`;
  const blocks: Reply["blocks"] = [
    { type: "text", text: rich`*Review lab for \`${lab.branch}\` ${verb}*: ${link(lab.url)}` },
    {
      type: "fields",
      fields: [
        { label: "Sha", value: `\`${lab.shortSha}\`` },
        { label: "PR", value: lab.pr ? link(lab.pr.url, `#${lab.pr.number}`) : "none" },
        { label: "Namespace", value: `\`${lab.namespace}\`` },
        { label: "Expires", value: `${isoSeconds(lab.expiresAt)} (in ${Math.round((lab.expiresAt.getTime() - lab.finishedAt.getTime()) / 3600_000)} h)` },
      ],
    },
    { type: "text", text: `Created: ${counts} (${took})` },
    {
      type: "context",
      text: `cluster ${lab.cluster} · templates from ${lab.templateSource} · Secret ${lab.secret.name} layered from ${lab.secret.used.join(", ") || "nothing"} (${lab.secret.keyCount} keys)`,
    },
    ...progress.blocks().filter((b) => b.type === "progress"),
  ];
  if (warnings.length > 0) blocks.push({ type: "context", text: `Warnings: ${warnings.join("; ")}` });
  blocks.push(...labButtons(lab));
  return { summary: `Review lab for ${lab.branch} is ready at ${lab.url}: ${counts} (${took})`, tone: "success", blocks };
}

/**
 * Extend and Take down, run as the presser (their own reviewlab permissions decide). The lab is named by its PR, or
 * by its branch when that is one plain word (a branch name from GitHub is outside input: no flags, no quoting).
 */
function labButtons(lab: LabUpSummary): Block[] {
  const name = lab.pr ? `PR${lab.pr.number}` : /^[A-Za-z0-9._/][A-Za-z0-9._/-]{0,199}$/.test(lab.branch) ? lab.branch : undefined;
  if (name === undefined) return [];
  return [
    {
      type: "actions",
      buttons: [
        { label: "Extend 1 day", command: `/reviewlab extend ${name} 1d` },
        { label: "Take down", command: `/reviewlab down ${name}`, style: "danger" },
      ],
    },
  ];
}

function withWarnings(text: string, warnings: string[]): string {
  return warnings.length > 0 ? `${text}\nWarnings: ${warnings.join("; ")}` : text;
}
