import type { TugboatConfig } from "../../config/schema.js";
import { errorMessage } from "../../core/errors.js";
import type { Logger } from "../../core/logger.js";
import { getOwn } from "../../core/own-keys.js";
import { joinText, mention, rich, textReply, type Text } from "../../core/reply.js";
import type { Notifier } from "../../core/services.js";
import { utcMinute } from "../format/human-duration.js";
import type { Coordination } from "../replicas/coordination.js";
import { activeFreezes, describeFreeze, freezeScope, frozenText } from "./check-freeze.js";
import type { FreezeWindow } from "./freeze-windows.js";
import { approvalRulesFor, type ApprovalRules } from "../approvals/approval-rules.js";
import { permissionMatches } from "../../core/policy.js";

// The freeze step of a deploy ("is the environment frozen?", before planning): refused while a window holds, naming
// each window, its reason and its end, unless the deploy breaks the glass. Breaking the glass (`--break-glass
// REASON`) needs deploy:break-glass (checked by the router before anything runs) and an approval from another
// person; it is audited and posted to the environment's channels.

export type GlassApproval = { approved: true; by: string[] } | { approved: false; why: Text };

export interface FreezeCheck {
  config: TugboatConfig;
  coordination: Coordination;
  app: string;
  env: string;
  actor: string;
  /** Where the deploy was asked for. */
  channel: string;
  /** `--break-glass REASON`. */
  breakGlass?: string;
  /**
   * Asks someone other than the actor to approve breaking the glass; undefined when no approval can be asked
   * for here, and then breaking the glass is refused.
   */
  approve?: (request: { windows: FreezeWindow[]; reason: string }) => Promise<GlassApproval>;
  audit(facts: Record<string, unknown>): void;
  notifier: Notifier;
  log: Logger;
}

/** Undefined when the deploy may go on; else why it may not. */
export async function checkFreeze(check: FreezeCheck): Promise<Text | undefined> {
  const { config, coordination: c, app, env } = check;
  const windows = await activeFreezes(config, c, freezeScope(config, env));
  const now = c.now();
  if (windows.length === 0) return undefined;
  const facts = windows.map((w) => ({ kind: w.kind, name: w.name, environment: w.environment, until: w.end.toISOString(), reason: w.reason, by: w.by }));
  if (check.breakGlass === undefined) {
    check.audit({ frozen: facts });
    return frozenText(app, env, windows, now);
  }
  const reason = check.breakGlass;
  check.audit({ breakGlass: { reason, windows: facts } });
  if (!check.approve) {
    return rich`${frozenText(app, env, windows, now)} Breaking the glass needs an approval from another person, and none can be asked for here; nothing was changed.`;
  }
  const answer = await check.approve({ windows, reason });
  if (!answer.approved) {
    check.audit({ breakGlass: { reason, windows: facts, approved: false } });
    return rich`Breaking the glass of ${app} ${env} was not approved: ${answer.why}. Nothing was changed.`;
  }
  if (answer.by.length === 0 || answer.by.includes(check.actor)) throw new Error("a break-glass approval must come from someone other than the person who asked for it");
  check.audit({ breakGlass: { reason, windows: facts, approved: true, approvedBy: answer.by } });
  await announce(check, windows, reason, answer.by, now);
  return undefined;
}

/** How long a break-glass waits for its approval when the environment's approval rules do not say. */
export const BREAK_GLASS_TIMEOUT_MINUTES = 30;

/**
 * Who approves breaking the glass of `env`: the environment's approvers when it has approval rules (at least one,
 * never the asker), else the roles that may break the glass themselves.
 */
export function breakGlassRules(config: TugboatConfig, env: string): ApprovalRules {
  const own = approvalRulesFor(config, env);
  const breakers = Object.entries(config.roles)
    .filter(([, role]) => role.permissions.some((p) => permissionMatches(p, "deploy:break-glass")))
    .map(([name]) => name);
  return { required: Math.max(1, own?.required ?? 1), from: own?.from ?? breakers, allowSelf: false, timeoutMinutes: own?.timeoutMinutes ?? BREAK_GLASS_TIMEOUT_MINUTES };
}

/** The environment's channels (a canary's base's when it has none), else the app's: where a break-glass is told. */
export function environmentChannels(config: TugboatConfig, app: string, env: string): string[] {
  const e = getOwn(config.environments, env);
  const own = e?.channels ?? (e?.canaryOf ? getOwn(config.environments, e.canaryOf)?.channels : undefined);
  return own ?? getOwn(config.apps, app)?.channels ?? [];
}

async function announce(check: FreezeCheck, windows: FreezeWindow[], reason: string, approvedBy: string[], now: Date): Promise<void> {
  const lines: Text[] = [
    rich`${mention(check.actor)} broke the glass to deploy ${check.app} ${check.env} during a freeze, approved by ${joinText(approvedBy.map(mention), ", ")}: ${reason}`,
    rich`Frozen by: ${joinText(windows.map((w) => describeFreeze(w, now)), "; ")}.`,
  ];
  const reply = textReply(rich`Break-glass deploy of ${check.app} ${check.env} by ${mention(check.actor)} (frozen until ${utcMinute(windows[windows.length - 1]!.end)})`, "warning", { type: "text", text: joinText(lines, "\n") });
  for (const channel of environmentChannels(check.config, check.app, check.env)) {
    try {
      await check.notifier.post(channel, reply);
    } catch (err) {
      check.log.warn("could not post the break-glass notice", { channel, error: errorMessage(err) });
    }
  }
}
