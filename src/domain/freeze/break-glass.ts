import type { TugboatConfig } from "../../config/schema.js";
import { errorMessage } from "../../core/errors.js";
import type { Logger } from "../../core/logger.js";
import { getOwn } from "../../core/own-keys.js";
import { joinText, mention, outside, rich, textReply, type Text } from "../../core/reply.js";
import type { Notifier } from "../../core/services.js";
import { utcMinute } from "../format/human-duration.js";
import type { Coordination } from "../replicas/coordination.js";
import { activeFreezes, describeFreeze, freezeScope, frozenText } from "./check-freeze.js";
import type { FreezeWindow } from "./freeze-windows.js";
import { approvalRulesFor, type ApprovalRules } from "../approvals/approval-rules.js";
import { permissionMatches } from "../../core/policy.js";

// The freeze step of a deploy ("is the environment frozen?", before planning): refused while a window holds, naming
// each window, its reason and its end, unless the deploy breaks the glass. Breaking the glass (`--break-glass
// REASON`) needs deploy:break-glass (checked by the router before anything runs) and, at the approvals step (after
// the plan and the confirmation, if asked, so the approver sees what ships), an approval from another person; it is audited
// and posted to the environment's channels.

export type GlassApproval = { approved: true; by: string[] } | { approved: false; why: Text };

export interface FreezeCheck {
  config: TugboatConfig;
  coordination: Coordination;
  app: string;
  env: string;
  actor: string;
  /** `--break-glass REASON`. */
  breakGlass?: string;
  audit(facts: Record<string, unknown>): void;
}

/** Open: no window holds. Refused: why. Break-glass: the windows it goes through, once someone else approves. */
export type FreezeDecision = { kind: "open" } | { kind: "refused"; why: Text } | { kind: "break-glass"; windows: FreezeWindow[]; reason: string };

/** The freeze step, before planning: refused while a window holds, unless the deploy breaks the glass. */
export async function checkFreeze(check: FreezeCheck): Promise<FreezeDecision> {
  const { config, coordination: c, app, env } = check;
  const windows = await activeFreezes(config, c, freezeScope(config, env));
  if (windows.length === 0) return { kind: "open" };
  if (check.breakGlass === undefined) {
    check.audit({ frozen: windowFacts(windows) });
    return { kind: "refused", why: frozenText(app, env, windows, c.now()) };
  }
  check.audit({ breakGlass: { reason: check.breakGlass, windows: windowFacts(windows) } });
  return { kind: "break-glass", windows, reason: check.breakGlass };
}

function windowFacts(windows: FreezeWindow[]): Array<Record<string, string | undefined>> {
  return windows.map((w) => ({ kind: w.kind, name: w.name, environment: w.environment, until: w.end.toISOString(), reason: w.reason, by: w.by }));
}

export interface GlassBreak {
  config: TugboatConfig;
  app: string;
  env: string;
  actor: string;
  windows: FreezeWindow[];
  reason: string;
  /** Asks someone other than the actor to approve (the approval card shows the plan as confirmed). */
  approve(): Promise<GlassApproval>;
  audit(facts: Record<string, unknown>): void;
  notifier: Notifier;
  log: Logger;
  now: Date;
}

/**
 * The approvals step of a deploy that breaks the glass, after its plan (and confirmation): undefined once someone
 * else approved (audited, and posted to the environment's channels), else why not.
 */
export async function approveBreakGlass(g: GlassBreak): Promise<Text | undefined> {
  const answer = await g.approve();
  const facts = { reason: g.reason, windows: windowFacts(g.windows) };
  if (!answer.approved) {
    g.audit({ breakGlass: { ...facts, approved: false } });
    return rich`breaking the glass of the freeze was not approved (${answer.why})`;
  }
  if (answer.by.length === 0 || answer.by.includes(g.actor)) throw new Error("a break-glass approval must come from someone other than the person who asked for it");
  g.audit({ breakGlass: { ...facts, approved: true, approvedBy: answer.by } });
  await announce(g, answer.by);
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

async function announce(g: GlassBreak, approvedBy: string[]): Promise<void> {
  const lines: Text[] = [
    rich`${mention(g.actor)} broke the glass to deploy ${g.app} ${g.env} during a freeze, approved by ${joinText(approvedBy.map(mention), ", ")}: ${outside(g.reason)}`,
    rich`Frozen by: ${joinText(g.windows.map((w) => describeFreeze(w, g.now)), "; ")}.`,
  ];
  const reply = textReply(rich`Break-glass deploy of ${g.app} ${g.env} by ${mention(g.actor)} (frozen until ${utcMinute(g.windows[g.windows.length - 1]!.end)})`, "warning", { type: "text", text: joinText(lines, "\n") });
  for (const channel of environmentChannels(g.config, g.app, g.env)) {
    try {
      await g.notifier.post(channel, reply);
    } catch (err) {
      g.log.warn("could not post the break-glass notice", { channel, error: errorMessage(err) });
    }
  }
}
