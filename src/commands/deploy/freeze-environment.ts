import type { CommandContext } from "../../core/command.js";
import { UsageError, errorMessage } from "../../core/errors.js";
import { handOverQueue } from "../../domain/deploy-queue/hand-over.js";
import { getOwn } from "../../core/own-keys.js";
import { joinText, mention, rich, textReply, type Text } from "../../core/reply.js";
import { didYouMean } from "../../core/suggest.js";
import { describeFreeze } from "../../domain/freeze/check-freeze.js";
import { putAdHocFreeze, removeAdHocFreeze } from "../../domain/freeze/freeze-store.js";
import { configWindowsAt } from "../../domain/freeze/freeze-windows.js";
import { humanDuration, utcMinute } from "../../domain/format/human-duration.js";
import { coordinationOf } from "../../domain/replicas/coordination.js";
import type { TugboatConfig } from "../../config/schema.js";
import { FREEZE_USAGE, UNFREEZE_USAGE, type FreezeArgs } from "./parse-freeze-args.js";

// /deploy freeze ENV DURATION REASON and /deploy unfreeze ENV (permission deploy:freeze:<env>): an ad hoc freeze
// of one environment for every app, kept in a Lease in Tugboat's coordination namespace (freeze-store.ts). The
// config's windows are not lifted by unfreeze; the reply says which still hold.

export function freezePermission(env: string): string {
  return `deploy:freeze:${env}`;
}

function knownEnvironment(config: TugboatConfig, env: string, usage: string): string {
  if (getOwn(config.environments, env)) return env;
  const known = Object.keys(config.environments);
  const hint = didYouMean(env, known);
  throw new UsageError(`unknown environment "${env}" (one of: ${known.join(", ")})${hint ? `.${hint}` : ""}`, usage);
}

/** Canary environments deploy next to `env`, so its freeze holds them too. */
function canariesOf(config: TugboatConfig, env: string): string[] {
  return Object.entries(config.environments)
    .filter(([name, e]) => e.canaryOf === env && name !== env)
    .map(([name]) => name);
}

export async function freezeEnvironment(args: FreezeArgs, ctx: CommandContext): Promise<void> {
  const { config } = ctx.services;
  const env = knownEnvironment(config, args.env, FREEZE_USAGE);
  const c = coordinationOf(ctx.services);
  const { freeze, replaced } = await putAdHocFreeze(c, { environment: env, by: ctx.actor.id, reason: args.reason, seconds: args.seconds });
  ctx.audit({ environment: env, freeze: { until: freeze.end.toISOString(), reason: args.reason, replaced: replaced ? { by: replaced.by, until: replaced.end.toISOString(), reason: replaced.reason } : undefined } });
  const canaries = canariesOf(config, env);
  const also = canaries.length ? ` (and ${canaries.join(", ")})` : "";
  const lines: Text[] = [
    rich`Froze ${env} for ${humanDuration(args.seconds * 1000)}, until ${utcMinute(freeze.end)}: ${args.reason}. Deploys to ${env}${also} are refused until then, for every app.`,
  ];
  if (replaced) lines.push(rich`This replaces the ${describeFreeze(replaced, c.now())}.`);
  lines.push(rich`\`/deploy unfreeze ${env}\` lifts it; \`--break-glass REASON\` deploys anyway (needs \`deploy:break-glass\` and an approval from someone else).`);
  const text = joinText(lines, "\n");
  await ctx.reply.send(textReply(rich`Froze ${env} until ${utcMinute(freeze.end)}: ${args.reason}`, "success", { type: "text", text }));
}

export async function unfreezeEnvironment(args: { env: string }, ctx: CommandContext): Promise<void> {
  const { config } = ctx.services;
  const env = knownEnvironment(config, args.env, UNFREEZE_USAGE);
  const c = coordinationOf(ctx.services);
  const lifted = await removeAdHocFreeze(c, env);
  const now = c.now();
  ctx.audit({ environment: env, unfreeze: lifted ? { by: lifted.by, until: lifted.end.toISOString(), reason: lifted.reason } : "none" });
  const still = configWindowsAt(env, getOwn(config.environments, env)?.freezes ?? [], now);
  const first: Text = lifted
    ? rich`Unfroze ${env}${lifted.by && lifted.by !== ctx.actor.id ? rich` (the freeze was ${mention(lifted.by)}'s: ${lifted.reason})` : ""}.`
    : `${env} had no ad hoc freeze.`;
  const lines: Text[] = [first];
  if (still.length) {
    lines.push(rich`Still frozen by the config: ${joinText(still.map((w) => describeFreeze(w, now)), "; ")}. Config windows are not lifted by \`/deploy unfreeze\`; \`--break-glass REASON\` deploys through them.`);
  }
  await ctx.reply.send(textReply(first, still.length ? "warning" : "success", { type: "text", text: joinText(lines, "\n") }));
  // Deploy queues waited out the freeze: with the environment free, their next person gets the turn.
  if (lifted && still.length === 0) {
    for (const app of Object.keys(config.apps)) {
      await handOverQueue(ctx.services, { app, env }, ctx.log).catch((err: unknown) => ctx.log.warn("could not move the deploy queue on; the leader will", { app, error: errorMessage(err) }));
    }
  }
}
