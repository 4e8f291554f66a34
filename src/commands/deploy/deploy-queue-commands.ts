import { checkName } from "../../core/args.js";
import type { CommandContext } from "../../core/command.js";
import { UsageError } from "../../core/errors.js";
import { joinText, mention, rich, textReply, type Text } from "../../core/reply.js";
import { leave, queueSettings, turnIsLive } from "../../domain/deploy-queue/deploy-queue.js";
import { handOverQueue, queuedCommand } from "../../domain/deploy-queue/hand-over.js";
import { listQueues, readQueue, type QueueState } from "../../domain/deploy-queue/queue-store.js";
import { ageSince, utcMinute } from "../../domain/format/human-duration.js";
import { resolveAppName, resolveDeployEnv } from "../../domain/deploy/resolve-deploy-env.js";
import { coordinationOf } from "../../domain/replicas/coordination.js";
import { requireView } from "../../core/kube-scope.js";

// /deploy queue [APP] ENV shows an environment's deploy queue; /deploy queue leave [ENV] takes the caller out of
// it (of every queue they wait in, without ENV). Joining is `/deploy PR… to ENV --queue` (deploy-with-queue.ts).

export const QUEUE_USAGE = "/deploy queue [APP] ENV   ·   /deploy queue leave [ENV]";

export type QueueArgs = { verb: "show"; app?: string; env: string } | { verb: "leave"; env?: string };

export function parseQueueArgs(words: string[]): QueueArgs {
  const u = QUEUE_USAGE;
  const flag = words.find((w) => w.startsWith("-"));
  if (flag) throw new UsageError(`unknown flag ${flag}`, u);
  if (words[0]?.toLowerCase() === "leave") {
    if (words.length > 2) throw new UsageError(`unexpected words: ${words.slice(2).map((w) => `"${w}"`).join(" ")}`, u);
    return { verb: "leave", env: words[1] !== undefined ? checkName(words[1], "environment", u) : undefined };
  }
  if (words.length === 0) throw new UsageError("missing ENV: whose queue?", u);
  if (words.length > 2) throw new UsageError(`unexpected words: ${words.slice(2).map((w) => `"${w}"`).join(" ")}`, u);
  const app = words.length === 2 ? checkName(words[0]!, "app", u) : undefined;
  return { verb: "show", app, env: checkName(words[words.length - 1]!, "environment", u) };
}

/** Reading a queue is like /deploy status; leaving needs nothing more than being bound to a role that reads. */
export function queuePermission(): string {
  return "kube:get";
}

export async function runQueueCommand(args: QueueArgs, ctx: CommandContext): Promise<void> {
  if (args.verb === "show") return showQueue(args, ctx);
  return leaveQueues(args, ctx);
}

function describeQueue(state: QueueState, app: string, now: Date, live: boolean): Text[] {
  const lines: Text[] = [];
  if (state.turn && live) {
    const t = state.turn;
    const when = t.startedAt ? `deploying since ${utcMinute(t.startedAt)}` : `has until ${utcMinute(t.until)} to start`;
    lines.push(rich`Turn: ${mention(t.user)} (\`${queuedCommand(t, app)}\`${t.auto ? ", --auto" : ""}) ${when}`);
  }
  state.entries.forEach((e, i) => {
    lines.push(rich`${String(i + 1)}. ${mention(e.user)}: \`${queuedCommand(e, app)}\`${e.auto ? " (--auto)" : ""}, waiting ${ageSince(e.joinedAt, now)}`);
  });
  return lines;
}

async function showQueue(args: { app?: string; env: string }, ctx: CommandContext): Promise<void> {
  const { config } = ctx.services;
  const app = resolveAppName(config, ctx.channel.id, args.app, QUEUE_USAGE);
  const env = resolveDeployEnv(config, app, args.env, QUEUE_USAGE);
  // Who waits and what they will deploy is a reading view like /deploy status: those who may deploy there see it,
  // others only within their /kube scope.
  await requireView(ctx, `deploy:${env.env}`, env);
  const c = coordinationOf(ctx.services);
  const key = { app, env: env.baseEnv };
  const state = await readQueue(c, key);
  const now = c.now();
  const live = turnIsLive(state.turn, now, queueSettings(config));
  const lines = describeQueue(state, app, now, live);
  const title = `${app} ${env.baseEnv}: deploy queue`;
  if (lines.length === 0) {
    await ctx.reply.send(textReply(`${title}: nobody is waiting. \`/deploy PR… to ${env.env} --queue\` joins it when ${env.baseEnv} is locked or busy.`, "success"));
    return;
  }
  await ctx.reply.send(textReply(title, "success", { type: "header", text: title }, { type: "text", text: joinText(lines, "\n") }, { type: "context", text: `\`/deploy queue leave ${env.baseEnv}\` leaves it.` }));
}

async function leaveQueues(args: { env?: string }, ctx: CommandContext): Promise<void> {
  const { config } = ctx.services;
  const env = args.env;
  if (env !== undefined && !Object.hasOwn(config.environments, env)) {
    throw new UsageError(`unknown environment "${env}" (one of: ${Object.keys(config.environments).join(", ")})`, QUEUE_USAGE);
  }
  const base = env !== undefined ? (config.environments[env]!.canaryOf ?? env) : undefined;
  const c = coordinationOf(ctx.services);
  const keys = (await listQueues(c))
    .filter((q) => q.state.entries.some((e) => e.user === ctx.actor.id) || q.state.turn?.user === ctx.actor.id)
    .map((q) => q.key)
    .filter((k) => base === undefined || k.env === base);
  const left: string[] = [];
  for (const key of keys) {
    const out = await leave(c, key, ctx.actor.id);
    if (out.removed.length === 0 && !out.hadTurn) continue;
    left.push(`${key.app} ${key.env}${out.hadTurn ? " (your turn passes on)" : ""}`);
    // Giving up a turn frees the environment for the next person.
    if (out.hadTurn) await handOverQueue(ctx.services, key, ctx.log);
  }
  ctx.audit({ queueLeft: left });
  const where = args.env !== undefined ? ` for ${args.env}` : "";
  const text = left.length ? `Left the deploy queue of ${left.join(", ")}.` : `You are in no deploy queue${where}.`;
  await ctx.reply.send(textReply(text, "success"));
}
