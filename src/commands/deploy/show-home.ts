import type { CommandContext } from "../../core/command.js";
import { UsageError, errorMessage } from "../../core/errors.js";
import { link, rich, type Block, type Reply, type Text } from "../../core/reply.js";
import { mayRead } from "../../core/kube-scope.js";
import { listLabs } from "../../domain/reviewlab/find-labs.js";
import type { LabInfo } from "../../domain/reviewlab/lab-metadata.js";
import { humanDuration, utcMinute } from "../../domain/format/human-duration.js";
import { statusBlocks } from "./show-status.js";
import { historyBlocks } from "./show-history.js";

// What App Home shows (and `/deploy home` prints): per app, what runs where (sha, PR, who, when), its locks, freezes,
// queues and canaries (/deploy status), the viewer's own review labs and the last deploys with their outcome
// (/deploy history). Everything follows the viewer's /kube scope like those views: an app none of whose
// environments the viewer may read is left out altogether, its name included.

/** Last deploys per app: enough to see the outcome of recent work, few enough that several apps fit one view. */
export const HOME_HISTORY = 5;

function labLine(lab: LabInfo, now: Date): Text {
  const pr = lab.pr !== undefined ? ` · PR #${lab.pr}` : "";
  return rich`${link(lab.url, lab.branch)} · \`${lab.sha.slice(0, 7)}\`${pr} · expires ${utcMinute(lab.expiresAt)} (in ${humanDuration(lab.expiresAt.getTime() - now.getTime())})`;
}

/** The viewer's own labs of each app, within their /kube scope; undefined when they could not be read. */
async function viewersLabs(ctx: CommandContext): Promise<Map<string, LabInfo[]> | undefined> {
  const cfg = ctx.services.config.reviewlab;
  if (!cfg) return new Map();
  try {
    const mine = (await listLabs(ctx.services.kube.cluster(cfg.cluster))).filter((l) => l.owner === ctx.actor.id);
    const byApp = new Map<string, LabInfo[]>();
    for (const lab of mine) {
      if (!(await mayRead(ctx, { cluster: cfg.cluster, namespace: lab.namespace }))) continue;
      byApp.set(lab.app, [...(byApp.get(lab.app) ?? []), lab]);
    }
    return byApp;
  } catch (err) {
    ctx.log.warn("could not list review labs for App Home", { error: errorMessage(err) });
    return undefined;
  }
}

export async function homeReply(ctx: CommandContext): Promise<Reply> {
  const { config, clock } = ctx.services;
  const now = clock.now();
  const labs = await viewersLabs(ctx);
  const blocks: Block[] = [{ type: "header", text: "Tugboat: what runs where" }];
  let shown = 0;
  for (const app of Object.keys(config.apps)) {
    const status = await statusBlocks(app, ctx);
    if (status.readable === 0) continue;
    shown++;
    if (shown > 1) blocks.push({ type: "divider" });
    blocks.push(...status.blocks);
    const mine = labs?.get(app) ?? [];
    if (labs === undefined) blocks.push({ type: "text", text: "*Your review labs*: could not be read." });
    else if (mine.length > 0) blocks.push({ type: "text", text: "*Your review labs*" }, { type: "list", items: mine.map((l) => labLine(l, now)) });
    try {
      const history = await historyBlocks(app, undefined, HOME_HISTORY, ctx);
      blocks.push({ type: "text", text: `*${history.title}*` }, ...history.blocks.filter((b) => b.type !== "header"));
    } catch (err) {
      blocks.push({ type: "text", text: `*Last deploys*: could not be read (${errorMessage(err)}).` });
    }
  }
  if (shown === 0) blocks.push({ type: "text", text: "Nothing to show: no app has an environment within your /kube scope." });
  blocks.push({ type: "context", text: `Updated ${utcMinute(now)} · \`/deploy status\`, \`/deploy history\` and \`/reviewlab list --mine\` have the details.` });
  return { summary: "Tugboat: what runs where", tone: "success", blocks };
}

export const HOME_USAGE = "/deploy home";

export function parseHomeArgs(words: string[]): Record<string, never> {
  if (words.length > 0) throw new UsageError(`unexpected argument "${words[0]}"`, HOME_USAGE);
  return {};
}
