import type { CommandContext } from "../../core/command.js";
import { UsageError } from "../../core/errors.js";
import { resolveAppName } from "../../domain/deploy/resolve-deploy-env.js";
import { ageSince } from "../../domain/format/human-duration.js";
import { formatTable } from "../../domain/format/text-table.js";
import { reply } from "./format-deploy.js";
import { HISTORY_USAGE, type HistoryArgs } from "./parse-deploy-args.js";

// /deploy history: recent GitHub Deployments of the app.

export async function showHistory(args: HistoryArgs, ctx: CommandContext): Promise<void> {
  const { config, github, clock } = ctx.services;
  let appName: string | undefined;
  let env: string | undefined;
  for (const w of args.names) {
    if (config.apps[w] && appName === undefined && env === undefined) appName = w;
    else if (config.environments[w] && env === undefined) env = w;
    else if (args.names.length === 2 && w === args.names[0]) throw new UsageError(`unknown app "${w}" (known apps: ${Object.keys(config.apps).join(", ")})`, HISTORY_USAGE);
    else throw new UsageError(`"${w}" is neither an app (${Object.keys(config.apps).join(", ")}) nor an environment (${Object.keys(config.environments).join(", ")})`, HISTORY_USAGE);
  }
  const app = resolveAppName(config, ctx.channel.id, appName, HISTORY_USAGE);
  const repo = config.apps[app]!.repo;
  const records = await github.listDeployments(repo, { environment: env, limit: args.limit });
  const now = clock.now();
  const rows = records.slice(0, args.limit).map((d) => {
    const pr = d.payload.pr ? `#${d.payload.pr}` : "-";
    const actor = typeof d.payload.actor === "string" ? d.payload.actor : d.creator;
    return [String(d.id), d.environment, d.sha.slice(0, 7), pr, actor, d.state ?? "-", `${ageSince(d.createdAt, now)} ago`];
  });
  const title = `${app}: last ${rows.length} deployment${rows.length === 1 ? "" : "s"}${env ? ` to ${env}` : ""}`;
  await ctx.reply.send(
    reply(title, "success", { type: "header", text: title }, { type: "code", text: rows.length ? formatTable(["ID", "ENV", "SHA", "PR", "BY", "STATE", "WHEN"], rows) : "(no deployments yet)" }),
  );
}
