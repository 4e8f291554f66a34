import type { CommandContext } from "../../core/command.js";
import { errorMessage } from "../../core/errors.js";
import { joinText, mention, outside, rich, type Block, type Text, textReply } from "../../core/reply.js";
import { ANN_DEPLOYED_AT, ANN_DEPLOYED_BY, ANN_PR } from "../../domain/deploy/annotations.js";
import { listCanaries } from "../../domain/deploy/canary.js";
import { describeHolder, readLock } from "../../domain/deploy/deploy-lock.js";
import { appDeployments } from "../../domain/deploy/plan-deploy.js";
import { resolveAppName, resolveDeployEnv } from "../../domain/deploy/resolve-deploy-env.js";
import { runningSha } from "../../domain/deploy/set-images.js";
import type { V1Deployment } from "../../gateways/kube-models.js";
import { ageSince, utcMinute } from "../../domain/format/human-duration.js";
import { formatTable } from "../../domain/format/text-table.js";
import { hiddenNote, mayRead } from "../../core/kube-scope.js";
import { STATUS_USAGE } from "./parse-deploy-args.js";
import { activeFreezes, describeFreeze } from "../../domain/freeze/check-freeze.js";
import { nextConfigWindow } from "../../domain/freeze/freeze-windows.js";
import { coordinationOf } from "../../domain/replicas/coordination.js";
import { getOwn } from "../../core/own-keys.js";
import { queueSettings, turnIsLive } from "../../domain/deploy-queue/deploy-queue.js";
import { readQueue } from "../../domain/deploy-queue/queue-store.js";

// /deploy status: what runs where, in every environment the caller's /kube scope covers, their locks and freezes.

function row(env: string, d: V1Deployment, image: string, now: Date): string[] {
  const ann = d.metadata?.annotations ?? {};
  const sha = runningSha(d, image);
  const ready = `${d.status?.readyReplicas ?? 0}/${d.spec?.replicas ?? 1}`;
  const at = ann[ANN_DEPLOYED_AT];
  return [env, d.metadata?.name ?? "", ready, sha ? sha.slice(0, 7) : "-", ann[ANN_PR] ? `#${ann[ANN_PR]}` : "-", ann[ANN_DEPLOYED_BY] || "-", at ? `${ageSince(at, now)} ago` : "-"];
}

/** Each environment's freezes holding now (config windows and ad hoc), and the next config window within a day. */
async function freezeLines(ctx: CommandContext, envs: string[], now: Date): Promise<Text[]> {
  const { config } = ctx.services;
  const c = coordinationOf(ctx.services);
  const lines: Text[] = [];
  for (const env of envs) {
    const windows = await activeFreezes(config, c, [env]).catch(() => undefined);
    if (windows === undefined) lines.push(`*${env}*: could not read its freezes`);
    else for (const w of windows) lines.push(rich`*${env}*: frozen: ${describeFreeze(w, now)}`);
    const next = nextConfigWindow(env, getOwn(config.environments, env)?.freezes ?? [], now, 24 * 3600_000);
    if (next && !windows?.some((w) => w.name === next.name)) lines.push(rich`*${env}*: next freeze "${next.name}" from ${utcMinute(next.start)} to ${utcMinute(next.end)}: ${outside(next.reason)}`);
  }
  return lines;
}

/** Who has the turn and who waits, per environment with a deploy queue (`/deploy queue ENV` has the details). */
async function queueLines(ctx: CommandContext, app: string, envs: string[], now: Date): Promise<Text[]> {
  const { config } = ctx.services;
  const c = coordinationOf(ctx.services);
  const lines: Text[] = [];
  for (const env of envs.filter((e) => !getOwn(config.environments, e)?.canaryOf)) {
    const state = await readQueue(c, { app, env }).catch(() => undefined);
    if (!state) {
      lines.push(`*${env}*: could not read its deploy queue`);
      continue;
    }
    const turn = state.turn && turnIsLive(state.turn, now, queueSettings(config)) ? state.turn : undefined;
    if (!turn && state.entries.length === 0) continue;
    const who = turn ? rich`${mention(turn.user)}'s turn${turn.startedAt ? " (deploying)" : ` (until ${utcMinute(turn.until)})`}` : "nobody's turn yet";
    const waiting = state.entries.length ? rich`; waiting: ${joinText(state.entries.map((e) => mention(e.user)), ", ")}` : "";
    lines.push(rich`*${env}*: ${who}${waiting}`);
  }
  return lines;
}

export async function showStatus(args: { app?: string }, ctx: CommandContext): Promise<void> {
  const app = resolveAppName(ctx.services.config, ctx.channel.id, args.app, STATUS_USAGE);
  const status = await statusBlocks(app, ctx);
  await ctx.reply.send(textReply(`${app}: what runs where`, status.problems ? "warning" : "success", ...status.blocks));
}

/** An app's status within the caller's /kube scope: what runs where, locks, freezes, queues (and App Home's part). */
export interface AppStatus {
  blocks: Block[];
  /** Environments the caller may read (none: the app is outside their scope altogether). */
  readable: number;
  problems: boolean;
}

export async function statusBlocks(app: string, ctx: CommandContext): Promise<AppStatus> {
  const { config, kube, clock } = ctx.services;
  const now = clock.now();
  const rows: string[][] = [];
  const locks: Text[] = [];
  const problems: string[] = [];
  const envs = Object.keys(config.environments);
  const results = await Promise.all(
    envs.map(async (name) => {
      const env = resolveDeployEnv(config, app, name);
      if (!(await mayRead(ctx, env))) return { name, rows: [], hidden: true };
      try {
        const cluster = kube.cluster(env.cluster);
        if (env.canary) {
          const canaries = await listCanaries(cluster, env.namespace);
          return { name, rows: canaries.map((d) => row(name, d, env.image, now)) };
        }
        const [deploys, lock] = await Promise.all([appDeployments(cluster, env.namespace, env.image), readLock(cluster, env.namespace, env.lockName, now)]);
        return {
          name,
          rows: deploys.map((d) => row(name, d, env.image, now)),
          lock: lock ? rich`*${name}*: ${lock.expired ? "expired lock, " : ""}${describeHolder(lock, now)}` : undefined,
        };
      } catch (err) {
        return { name, rows: [], problem: `${name}: ${errorMessage(err)}` };
      }
    }),
  );
  const hidden: string[] = [];
  for (const r of results) {
    rows.push(...r.rows);
    if ("hidden" in r) hidden.push(r.name);
    if ("lock" in r && r.lock) locks.push(r.lock);
    if ("problem" in r && r.problem) problems.push(r.problem);
  }
  const blocks: Block[] = [{ type: "header", text: `${app}: what runs where` }];
  // What could not be read comes first, and "none found" / "not locked" are said only of what was read.
  if (problems.length) blocks.push({ type: "text", text: `Could not read: ${problems.join("; ")}` });
  const read = results.filter((r) => !("hidden" in r) && !("problem" in r)).length;
  if (rows.length) blocks.push({ type: "code", text: formatTable(["ENV", "DEPLOYMENT", "READY", "SHA", "PR", "DEPLOYED BY", "WHEN"], rows) });
  else if (read > 0) blocks.push({ type: "code", text: problems.length ? "(no Deployments found in the environments read)" : "(no Deployments found)" });
  if (locks.length) blocks.push({ type: "text", text: rich`*Locks*\n${joinText(locks, "\n")}` });
  else if (read > 0) blocks.push({ type: "text", text: problems.length ? "No lock in the environments read." : "No environment is locked." });
  const freezes = await freezeLines(ctx, results.filter((r) => !("hidden" in r)).map((r) => r.name), now);
  if (freezes.length) blocks.push({ type: "text", text: rich`*Freezes*\n${joinText(freezes, "\n")}` });
  const queues = await queueLines(ctx, app, results.filter((r) => !("hidden" in r)).map((r) => r.name), now);
  if (queues.length) blocks.push({ type: "text", text: rich`*Deploy queues*\n${joinText(queues, "\n")}` });
  const note = hiddenNote(hidden);
  if (note) blocks.push({ type: "context", text: note });
  return { blocks, readable: envs.length - hidden.length, problems: problems.length > 0 };
}
