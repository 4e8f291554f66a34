import { defineCommand, type CommandContext } from "../../core/command.js";
import { DeniedError, UsageError, UserError } from "../../core/errors.js";
import { parseFlags } from "../../core/args.js";
import { mention, rich, textReply } from "../../core/reply.js";
import { describeApprovers } from "../../domain/approvals/approval-card.js";
import { approvalRulesFor, whoMayApprove } from "../../domain/approvals/approval-rules.js";
import { ApprovalStore, approvalsOf, isApprovalId, MAX_VOTE_REASON, type ApprovalRequest } from "../../domain/approvals/approval-store.js";
import { coordinationOf } from "../../domain/replicas/coordination.js";
import { breakGlassRules } from "../../domain/freeze/break-glass.js";
import { withClearErrors } from "../../core/with-clear-errors.js";
import { checkLockReason } from "./parse-deploy-args.js";

// /deploy approve ID and /deploy reject ID [reason]: a vote on a deploy waiting for approval (the two-person rule),
// typed or pressed (the card's buttons run these lines as the presser). Whichever replica it reaches takes it: the vote is written to
// the request's Lease, and the replica that asked starts the deploy (or ends it) when it sees the decision.

export const APPROVE_USAGE = "/deploy approve ID";
export const REJECT_USAGE = "/deploy reject ID [reason...]";

export interface VoteArgs {
  id: string;
  reason?: string;
}

function parseVote(words: string[], usage: string, withReason: boolean): VoteArgs {
  // A reason is free text: flags are not read after the id.
  const [first, ...rest] = withReason ? words : parseFlags(words, {}, usage).positionals;
  if (first === undefined) throw new UsageError("missing the approval request's id (it is on the approval card)", usage);
  if (first.startsWith("-")) throw new UsageError(`unknown flag ${first}`, usage);
  if (!isApprovalId(first.toLowerCase())) throw new UsageError(`"${first}" is not an approval request id (8 hex digits, as on the card)`, usage);
  if (!withReason && rest.length > 0) throw new UsageError(`unexpected words: ${rest.map((w) => `"${w}"`).join(" ")}`, usage);
  const reason = rest.join(" ").trim();
  if ([...reason].length > MAX_VOTE_REASON) throw new UsageError(`the reason is too long (at most ${MAX_VOTE_REASON} characters)`, usage);
  checkLockReason(reason, usage);
  return { id: first.toLowerCase(), reason: reason || undefined };
}

async function castVote(vote: "approve" | "reject", args: VoteArgs, ctx: CommandContext): Promise<void> {
  const { config } = ctx.services;
  const store = new ApprovalStore(coordinationOf(ctx.services), ctx.log);
  const request = await store.find(args.id);
  if (!request || request.state !== "pending") throw new UserError(`Approval request ${args.id} is not open: it was decided, timed out or withdrawn, or there is none with that id.`);
  ctx.audit({ app: request.app, environment: request.env, approval: args.id, vote, asker: request.asker });
  // Breaking the glass of a freeze has its own approvers (domain/freeze/break-glass.ts).
  const rules = request.purpose === "break-glass" ? breakGlassRules(config, request.env) : approvalRulesFor(config, request.env);
  if (!rules) throw new UserError(`${request.env} no longer needs approvals here (this replica's config); nothing was recorded.`);
  const who = whoMayApprove(config, rules, request.channel, request.asker);
  const self = ctx.actor.id === request.asker;
  // The asker may withdraw their own request; an approval from them does not count unless the config allows it.
  if (self && vote === "approve" && !rules.allowSelf) {
    throw new DeniedError(rich`Denied: you asked for this deploy, and ${request.env} needs an approval from someone else (${describeApprovers(who, rules)}).`, "deploy:approve");
  }
  // Everyone else (and an asker approving their own, where allowSelf lets them) must be one of the approvers.
  const withdrawing = self && vote === "reject";
  if (!withdrawing && !(await ctx.auth.isOneOf(rules.from, request.channel))) {
    throw new DeniedError(rich`Denied: approvals for ${request.app} ${request.env} come from ${describeApprovers(who, rules)}; you are not one of them.`, "deploy:approve");
  }
  const result = await store.vote(args.id, { by: ctx.actor.id, vote, ...(args.reason ? { reason: args.reason } : {}) });
  switch (result.kind) {
    case "closed":
      throw new UserError(`Approval request ${args.id} is no longer open (it was decided, timed out or withdrawn meanwhile).`);
    case "asker-gone":
      await store.close(args.id);
      throw new UserError(`The Tugboat replica that asked for approval ${args.id} stopped waiting; nothing was deployed. The deploy has to be asked for again.`);
    case "already":
      throw new UserError(`You already voted on approval request ${args.id}.`);
    case "recorded":
      ctx.audit({ result: result.request.state, approvals: approvalsOf(result.request).length, required: result.request.required });
      await ctx.reply.send(voteReply(vote, result.request, ctx.actor.id));
  }
}

function voteReply(vote: "approve" | "reject", r: ApprovalRequest, by: string) {
  const subject = `the deploy of ${r.what} to ${r.app} ${r.env} (asked by @${r.asker})`;
  if (vote === "reject") return textReply(rich`Rejected ${subject}: it will not run.`, "success", { type: "text", text: rich`${mention(by)} rejected the deploy of ${r.what} to ${r.app} ${r.env} (asked by ${mention(r.asker)}); it will not run.` });
  const count = approvalsOf(r).length;
  const text =
    r.state === "approved"
      ? rich`${mention(by)} approved the deploy of ${r.what} to ${r.app} ${r.env} (asked by ${mention(r.asker)}): ${count} of ${r.required}, so it starts now.`
      : rich`${mention(by)} approved the deploy of ${r.what} to ${r.app} ${r.env} (asked by ${mention(r.asker)}): ${count} of ${r.required}; it waits for ${r.required - count} more.`;
  return textReply(rich`Approved ${subject}: ${count} of ${r.required}.`, "success", { type: "text", text });
}

export const approveCommand = defineCommand({
  family: "deploy",
  verb: "approve",
  summary: "Approve a deploy that waits for approval (environments with `approvals`); the asker's own approval does not count.",
  usage: APPROVE_USAGE,
  examples: ["/deploy approve 1a2b3c4d"],
  sideEffects: true,
  parse: (w) => parseVote(w, APPROVE_USAGE, false),
  permission: () => "deploy:approve",
  run: (a, ctx) => withClearErrors("Could not record the approval", () => castVote("approve", a, ctx)),
});

export const rejectCommand = defineCommand({
  family: "deploy",
  verb: "reject",
  summary: "Reject a deploy that waits for approval (the asker may withdraw their own); it ends with nothing changed.",
  usage: REJECT_USAGE,
  examples: ["/deploy reject 1a2b3c4d not during the incident"],
  sideEffects: true,
  parse: (w) => parseVote(w, REJECT_USAGE, true),
  permission: () => "deploy:approve",
  run: (a, ctx) => withClearErrors("Could not record the rejection", () => castVote("reject", a, ctx)),
});
