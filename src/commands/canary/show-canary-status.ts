import { textReply } from "../../core/reply.js";
import type { CommandContext } from "../../core/command.js";
import type { Block } from "../../core/reply.js";
import { ANN_CANARY_STARTED } from "../../domain/deploy/annotations.js";
import { CANARY_LABEL } from "../../domain/deploy/canary.js";
import { podsOwnedBy } from "../../domain/deploy/pod-owners.js";
import { runningSha } from "../../domain/deploy/set-images.js";
import { resolveAppName, resolveDeployEnv } from "../../domain/deploy/resolve-deploy-env.js";
import type { V1Pod } from "../../gateways/kube-models.js";
import { ageSince } from "../../domain/format/human-duration.js";
import { formatTable } from "../../domain/format/text-table.js";
import { requireView } from "../../core/kube-scope.js";
import { canaryEnvName, findCanary } from "../../domain/deploy/find-canary.js";
import { CANARY_STATUS_USAGE, type CanaryArgs } from "./parse-canary-args.js";
import { recordedAnalysis } from "../../domain/canary-analysis/canary-round.js";
import { analysisStatusLine } from "../../domain/canary-analysis/evaluate-analysis.js";
import { figuresTable } from "../../domain/canary-analysis/canary-message.js";
import { analysisFor, type CanaryAnalysisConfig } from "../../domain/canary-analysis/analysis-config.js";

// /canary status: each canary against its stable Deployment: ready, restarts, age and sha; then the latest figures
// canary vs stable, as the canary's message shows them.

function restarts(pods: V1Pod[]): number {
  return pods.reduce((n, p) => n + (p.status?.containerStatuses ?? []).reduce((m, c) => m + (c.restartCount ?? 0), 0), 0);
}

/** The latest metrics analysis (canary vs stable, and each query's thresholds and result), when the guard has recorded one. */
function analysisBlocks(result: ReturnType<typeof recordedAnalysis>, analysis: CanaryAnalysisConfig | undefined, now: Date): Block[] {
  if (!result) return [];
  const line: Block = { type: "text", text: analysisStatusLine(result, now) };
  return analysis && result.figures.length > 0 ? [line, { type: "code", text: figuresTable(result, analysis) }] : [line];
}

export async function showCanaryStatus(args: CanaryArgs, ctx: CommandContext): Promise<void> {
  const { config, kube, clock } = ctx.services;
  const app = resolveAppName(config, ctx.channel.id, args.app, CANARY_STATUS_USAGE);
  const place = resolveDeployEnv(config, app, canaryEnvName(config));
  await requireView(ctx, "canary:status", place);
  const state = await findCanary(config, kube, app);
  const { env, cluster, canaries } = state;
  if (canaries.length === 0) {
    await ctx.reply.send(textReply(`${app} has no canary running in ${env.baseEnv}.`, "success"));
    return;
  }
  const { items: pods } = await cluster.pods.list({ namespace: env.namespace });
  const { items: replicaSets } = await cluster.replicaSets.list({ namespace: env.namespace });
  const now = clock.now();
  const rows: string[][] = [];
  for (const canary of canaries) {
    const stableName = canary.metadata!.labels![CANARY_LABEL]!;
    const stable = await cluster.deployments.find(stableName, env.namespace);
    for (const [track, d] of [["stable", stable], ["canary", canary]] as const) {
      if (!d) continue;
      // By owner: the canary's pods also match the stable Deployment's selector.
      const mine = podsOwnedBy(d, replicaSets, pods);
      const started = track === "canary" ? (d.metadata?.annotations?.[ANN_CANARY_STARTED] ?? d.metadata?.creationTimestamp) : d.metadata?.creationTimestamp;
      const sha = runningSha(d, env.image);
      rows.push([d.metadata!.name!, track, `${d.status?.readyReplicas ?? 0}/${d.spec?.replicas ?? 1}`, String(restarts(mine)), ageSince(started, now), sha ? sha.slice(0, 7) : "-"]);
    }
  }
  const title = `${app} canary${state.pr ? ` of PR #${state.pr}` : ""}${state.sha ? ` (${state.sha.slice(0, 7)})` : ""} in ${env.baseEnv}`;
  const blocks: Block[] = [
    { type: "header", text: title },
    { type: "code", text: formatTable(["DEPLOYMENT", "TRACK", "READY", "RESTARTS", "AGE", "SHA"], rows) },
    ...analysisBlocks(canaries.map(recordedAnalysis).find(Boolean), analysisFor(config, app), now),
    { type: "context", text: `\`/canary promote ${app}\` ships it to ${env.baseEnv}; \`/canary abort ${app}\` removes it.` },
  ];
  await ctx.reply.send(textReply(title, "success", ...blocks));
}
