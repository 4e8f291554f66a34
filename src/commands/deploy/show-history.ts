import { textReply } from "../../core/reply.js";
import type { CommandContext } from "../../core/command.js";
import { UsageError } from "../../core/errors.js";
import type { Block } from "../../core/reply.js";
import { resolveAppName, resolveDeployEnv } from "../../domain/deploy/resolve-deploy-env.js";
import { ageSince } from "../../domain/format/human-duration.js";
import { formatTable } from "../../domain/format/text-table.js";
import { getOwn } from "../../core/own-keys.js";
import type { DeploymentRecord } from "../../gateways/types.js";
import { hiddenNote, mayRead, type Place } from "../../core/kube-scope.js";
import { HISTORY_USAGE, type HistoryArgs } from "./parse-deploy-args.js";

// /deploy history: recent GitHub Deployments of the app, within the caller's /kube scope. Review-lab deployments
// (environment review-lab/<slug>) are labelled as such and name the lab's owner.

const REVIEW_LAB = "review-lab/";

function text(v: unknown): string | undefined {
  return typeof v === "string" && v !== "" ? v : undefined;
}

/** Deployment records are anyone's with repo access: one short line per cell, so a value cannot bend the table. */
function cell(v: string): string {
  const line = v.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, " ").trim();
  return line.length > 60 ? `${line.slice(0, 59)}…` : line;
}

/** Where a deployment ran, from the config (or, for a review lab, its payload). */
function placeOf(ctx: CommandContext, app: string, d: DeploymentRecord): Place | undefined {
  const { config } = ctx.services;
  if (d.environment.startsWith(REVIEW_LAB)) {
    const namespace = text(d.payload.namespace);
    const cluster = config.reviewlab?.cluster;
    return namespace && cluster ? { cluster, namespace } : undefined;
  }
  if (!getOwn(config.environments, d.environment)) return undefined;
  const env = resolveDeployEnv(config, app, d.environment);
  return { cluster: env.cluster, namespace: env.namespace };
}

function rowOf(d: DeploymentRecord, now: Date): string[] {
  const lab = d.environment.startsWith(REVIEW_LAB);
  const pr = typeof d.payload.pr === "number" ? `#${d.payload.pr}` : "-";
  // The person: Tugboat records the Slack user as `actor` (review labs before it did: `owner`); GitHub's creator is the bot.
  const by = text(d.payload.actor) ?? text(d.payload.owner) ?? d.creator;
  const env = lab ? `${d.environment} (review lab)` : d.environment;
  return [String(d.id), cell(env), cell(d.sha.slice(0, 7)), pr, cell(by), cell(d.state ?? "-"), `${ageSince(d.createdAt, now)} ago`];
}

export async function showHistory(args: HistoryArgs, ctx: CommandContext): Promise<void> {
  const { config } = ctx.services;
  let appName: string | undefined;
  let env: string | undefined;
  for (const w of args.names) {
    if (getOwn(config.apps, w) && appName === undefined && env === undefined) appName = w;
    else if (getOwn(config.environments, w) && env === undefined) env = w;
    else if (args.names.length === 2 && w === args.names[0]) throw new UsageError(`unknown app "${w}" (known apps: ${Object.keys(config.apps).join(", ")})`, HISTORY_USAGE);
    else throw new UsageError(`"${w}" is neither an app (${Object.keys(config.apps).join(", ")}) nor an environment (${Object.keys(config.environments).join(", ")})`, HISTORY_USAGE);
  }
  const app = resolveAppName(config, ctx.channel.id, appName, HISTORY_USAGE);
  const history = await historyBlocks(app, env, args.limit, ctx);
  await ctx.reply.send(textReply(history.title, "success", ...history.blocks));
}

/** An app's last `limit` deployments (to `env`) within the caller's /kube scope, as blocks under their title. */
export async function historyBlocks(app: string, env: string | undefined, limit: number, ctx: CommandContext): Promise<{ title: string; blocks: Block[] }> {
  const { config, github, clock } = ctx.services;
  const repo = config.apps[app]!.repo;
  const records = await github.listDeployments(repo, { environment: env, limit: limit });
  const now = clock.now();
  const rows: string[][] = [];
  const hidden = new Set<string>();
  for (const d of records.slice(0, limit)) {
    if (await mayRead(ctx, placeOf(ctx, app, d))) rows.push(rowOf(d, now));
    else hidden.add(d.environment);
  }
  const where = env ? ` to ${env}` : "";
  const title = rows.length ? `${app}: last ${rows.length} deployment${rows.length === 1 ? "" : "s"}${where}` : `${app}: no deployments${where} to show`;
  const blocks: Block[] = [
    { type: "header", text: title },
    { type: "code", text: rows.length ? formatTable(["ID", "ENV", "SHA", "PR", "BY", "STATE", "WHEN"], rows) : hidden.size ? "(none that you may see)" : "(no deployments yet)" },
  ];
  const note = hiddenNote([...hidden]);
  if (note) blocks.push({ type: "context", text: note });
  return { title, blocks };
}
