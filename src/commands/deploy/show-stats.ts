import type { CommandContext } from "../../core/command.js";
import { checkName, parseFlags } from "../../core/args.js";
import { UsageError } from "../../core/errors.js";
import { getOwn } from "../../core/own-keys.js";
import { textReply, type Block } from "../../core/reply.js";
import { hiddenNote, mayRead } from "../../core/kube-scope.js";
import { resolveAppName, resolveDeployEnv } from "../../domain/deploy/resolve-deploy-env.js";
import { readDoraFigures, type DoraResult } from "../../domain/dora/read-deploy-history.js";
import { humanDuration } from "../../domain/format/human-duration.js";
import { formatTable } from "../../domain/format/text-table.js";

// /deploy stats: an app's DORA figures per environment over the last days, from GitHub Deployments and statuses.

export const STATS_USAGE = "/deploy stats [APP] [ENV] [--days 30]";

export interface StatsArgs {
  names: string[];
  days: number;
}

export function parseStatsArgs(words: string[]): StatsArgs {
  const { positionals, flags } = parseFlags(words, { days: { kind: "int", min: 1, max: 365 } }, STATS_USAGE);
  if (positionals.length > 2) throw new UsageError(`unexpected words: ${positionals.slice(2).map((w) => `"${w}"`).join(" ")}`, STATS_USAGE);
  for (const w of positionals) checkName(w, "app", STATS_USAGE);
  return { names: positionals, days: (flags.days as number | undefined) ?? 30 };
}

const percent = (r: number | undefined) => (r === undefined ? "-" : `${Math.round(r * 100)}%`);
const duration = (ms: number | undefined) => (ms === undefined ? "-" : humanDuration(ms));

function rowOf(env: string, f: DoraResult): string[] {
  const perDay = f.deploysPerDay >= 1 || f.deploysPerDay === 0 ? f.deploysPerDay.toFixed(1) : f.deploysPerDay.toFixed(2);
  const restore = f.unrestored ? `${duration(f.timeToRestoreMs)} (failing now)` : duration(f.timeToRestoreMs);
  return [env, `${perDay}/day (${f.successes})`, duration(f.leadTimeMs), `${percent(f.changeFailureRate)} (${f.failures} of ${f.successes + f.failures})`, restore];
}

export async function showStats(args: StatsArgs, ctx: CommandContext): Promise<void> {
  const { config, github, clock, metrics } = ctx.services;
  let appName: string | undefined;
  let envName: string | undefined;
  for (const w of args.names) {
    if (getOwn(config.apps, w) && appName === undefined && envName === undefined) appName = w;
    else if (getOwn(config.environments, w) && envName === undefined) envName = w;
    else throw new UsageError(`"${w}" is neither an app (${Object.keys(config.apps).join(", ")}) nor an environment (${Object.keys(config.environments).join(", ")})`, STATS_USAGE);
  }
  const app = resolveAppName(config, ctx.channel.id, appName, STATS_USAGE);
  // A canary's deploys are its base environment's changes in miniature: the figures are the base's.
  const envs = (envName ? [envName] : Object.keys(config.environments)).map((e) => resolveDeployEnv(config, app, e)).filter((e) => !e.canary || e.env === envName);
  const rows: string[][] = [];
  const hidden: string[] = [];
  const notes: string[] = [];
  const until = clock.now();
  for (const env of envs) {
    if (!(await mayRead(ctx, { cluster: env.cluster, namespace: env.namespace }))) {
      hidden.push(env.env);
      continue;
    }
    const f = await readDoraFigures(github, { repo: env.repo, environment: env.env, until, days: args.days });
    metrics?.doraFigures?.({ app, env: env.env, days: args.days, figures: f });
    rows.push(rowOf(env.env, f));
    if (f.truncated) notes.push(`${env.env}: only the newest ${f.read} deployments were read.`);
  }
  const title = `${app}: DORA figures over the last ${args.days} day${args.days === 1 ? "" : "s"}`;
  const blocks: Block[] = [{ type: "header", text: title }];
  blocks.push({
    type: "code",
    text: rows.length ? formatTable(["ENV", "DEPLOY FREQUENCY", "LEAD TIME", "CHANGE FAILURE RATE", "TIME TO RESTORE"], rows) : "(no environment that you may see)",
  });
  blocks.push({
    type: "context",
    text: "From GitHub Deployments: frequency counts successful deploys; lead time is the median from a deploy's first new commit to its success; failures are deploys that failed or were rolled back; time to restore is the median from a failure to the next success.",
  });
  for (const n of notes) blocks.push({ type: "context", text: n });
  const note = hiddenNote(hidden);
  if (note) blocks.push({ type: "context", text: note });
  await ctx.reply.send(textReply(title, "success", ...blocks));
}
