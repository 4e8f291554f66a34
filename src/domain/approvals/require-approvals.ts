import type { TugboatConfig } from "../../config/schema.js";
import type { Logger } from "../../core/logger.js";
import { mention, plainText, rich, type Reply, type Text } from "../../core/reply.js";
import type { Clock } from "../../core/services.js";
import type { KubeGateway } from "../../gateways/types.js";
import { coordinationOf } from "../replicas/coordination.js";
import { approvalCard, approvalNeed, describeApprovers } from "./approval-card.js";
import { approvalRulesFor, whoMayApprove, type ApprovalRules } from "./approval-rules.js";
import { ApprovalStore, type ApprovalPurpose } from "./approval-store.js";
import { awaitApprovals } from "./await-approvals.js";
import type { DeploySteps } from "../deploy/deploy-use-case.js";
import type { DeployRun } from "../deploy/deploy-events.js";
import { UserError } from "../../core/errors.js";
import { shortTarget } from "../deploy/describe-target.js";
import { planReply } from "../deploy/format-deploy.js";

// The approvals step as a deploy run from chat (or a webhook, a button) uses it: the card is the deploy's own
// message, updated with each vote; the verdict says in one line why a deploy did not start. Freezes' break-glass
// calls it too (with its own `what`), for "an approval from another person".

export interface ApprovalSubject {
  app: string;
  env: string;
  /** Who asked (Slack user id) and the channel the deploy belongs to (approvers' bindings are read there). */
  asker: string;
  channel: string;
  /** What is being deployed ("PR #4812 (eed486a)"). */
  what: string;
  /** The plan as confirmed, shown on the card. */
  plan?: Reply;
  /** Breaking the glass of a freeze is approved by the freeze's rules (domain/freeze/break-glass.ts), not the deploy's. */
  purpose?: ApprovalPurpose;
}

/** What the step needs of whoever runs the deploy (a CommandContext is one). */
export interface ApprovalContext {
  services: { config: TugboatConfig; kube: KubeGateway; clock: Clock; instanceId: string };
  log: Logger;
  signal?: AbortSignal;
  /** A shutdown has begun: the wait ends (cancelled) at once. */
  draining?: AbortSignal;
  /** The deploy's message: the card is shown there, and the deploy's later replies replace it. */
  reply: { send(reply: Reply): Promise<void> };
  audit(facts: Record<string, unknown>): void;
  /** How the command really ended: a deploy that was not approved did not do what was asked (audit, metrics). */
  outcome?(outcome: "failure"): void;
}

export type ApprovalResult = { approved: true; approvers: string[] } | { approved: false; reason: string };

/** Waits for the environment's approvals (approved at once when it needs none). */
export async function requireApprovals(subject: ApprovalSubject, ctx: ApprovalContext, rules = approvalRulesFor(ctx.services.config, subject.env)): Promise<ApprovalResult> {
  if (!rules) return { approved: true, approvers: [] };
  const who = whoMayApprove(ctx.services.config, rules, subject.channel, subject.asker);
  const store = new ApprovalStore(coordinationOf(ctx.services), ctx.log);
  const outcome = await awaitApprovals(
    { app: subject.app, env: subject.env, asker: subject.asker, channel: subject.channel, what: subject.what, purpose: subject.purpose, rules },
    { store, clock: ctx.services.clock, log: ctx.log, signal: ctx.draining ?? ctx.signal, show: (request) => ctx.reply.send(approvalCard(request, rules, who, subject.plan, subject.purpose)) },
  );
  const id = outcome.request.id;
  switch (outcome.kind) {
    case "approved":
      ctx.audit({ approval: { id, outcome: "approved", approvers: outcome.approvers } });
      return { approved: true, approvers: outcome.approvers };
    case "rejected":
      ctx.audit({ approval: { id, outcome: "rejected", by: outcome.by, reason: outcome.reason } });
      return { approved: false, reason: `rejected by @${outcome.by}${outcome.reason ? ` (${outcome.reason})` : ""}` };
    case "timed-out":
      ctx.audit({ approval: { id, outcome: "timed-out", approvers: outcome.request.votes.map((v) => v.by) } });
      return { approved: false, reason: `no ${approvalNeed(rules)} within ${rules.timeoutMinutes} minutes (from ${plainText(describeApprovers(who, rules))})` };
    case "interrupted":
      ctx.audit({ approval: { id, outcome: "interrupted", reason: outcome.reason } });
      return { approved: false, reason: `the wait for approval ended: ${outcome.reason}` };
  }
}

/** For a dry run: who may approve this deploy, or undefined when the environment needs no approval. */
export function approvalPreview(config: TugboatConfig, env: string, channel: string, asker: string): Text | undefined {
  const rules = approvalRulesFor(config, env);
  if (!rules) return undefined;
  return rich`${env} needs ${approvalNeed(rules)} before a deploy starts, from ${describeApprovers(whoMayApprove(config, rules, channel, asker), rules)}.`;
}

/**
 * The deploy use case's approvals seam (DeploySteps.approvals) for a deploy asked for in `channel`: the card shows
 * the plan as confirmed; a deploy that was not approved ends with the reason as its one line.
 */
export function deployApprovals(ctx: ApprovalContext, channel: string): NonNullable<DeploySteps["approvals"]> {
  return async (run, preview) => {
    const rules = approvalRulesFor(ctx.services.config, run.env.env);
    if (!rules) return { approved: true };
    const what = shortTarget(run.target);
    const note = rich`${run.env.env} needs ${approvalNeed(rules)}: ${mention(run.actor)} asked, someone else approves.`;
    const plan = preview ? planReply(`${run.title}?`, run.env, run.target, run.actor, preview, note, run.changes) : undefined;
    const verdict = await requireApprovals({ app: run.env.app, env: run.env.env, asker: run.actor, channel, what, plan }, ctx, rules);
    if (verdict.approved) return { approved: true };
    ctx.outcome?.("failure");
    return { approved: false, reason: verdict.reason };
  };
}

/** A dry run's reply, with who may approve the deploy when its environment needs approvals. */
export function withApprovalPreview<R extends Reply | UserError | undefined>(reply: R, run: DeployRun, chat: { services: { config: TugboatConfig }; channel?: { id: string } }): R {
  const note = reply && !(reply instanceof UserError) ? approvalPreview(chat.services.config, run.env.env, chat.channel?.id ?? "", run.actor) : undefined;
  if (reply && !(reply instanceof UserError) && note) reply.blocks.push({ type: "context", text: note });
  return reply;
}
