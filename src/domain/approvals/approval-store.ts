import { randomBytes } from "node:crypto";
import { z } from "zod";
import type { Logger } from "../../core/logger.js";
import type { V1Lease } from "../../gateways/kube-models.js";
import { describeLease } from "../lease-lock.js";
import { ANN_EXPIRES, SLACK_ID, microTime, type Coordination } from "../replicas/coordination.js";
import { ANN_ASKER, ANN_CHANNEL, ANN_USER, closePromptLease, findPromptLease, openPromptLease, updatePromptLease } from "../replicas/prompt-leases.js";

// An approval request is a prompt Lease (replicas/prompt-leases.ts), tugboat-approval-<id> in the coordination
// namespace, so a vote typed or pressed on whichever replica counts, and the request outlives the replica a vote reached.
// Each vote is written with the read resourceVersion (two votes racing are both judged, one after the other); the
// asking replica renews the Lease while it waits, so a vote for a request whose asker is gone is told so.

export type ApprovalState = "pending" | "approved" | "rejected" | "timeout" | "cancelled";
export type ApprovalPurpose = "deploy" | "break-glass";

export interface Vote {
  by: string;
  vote: "approve" | "reject";
  at: string;
  reason?: string;
}

/** What a request's Lease says, each field checked: it is shared state, not trusted input. */
export interface ApprovalRequest {
  id: string;
  /** The Slack user who asked for the deploy. */
  asker: string;
  app: string;
  env: string;
  channel: string;
  /** What is being deployed, as the deploy names it ("PR #4812 (eed486a)"). */
  what: string;
  /** What is approved: a deploy, or breaking the glass of a freeze (whose approvers the freeze rules name). */
  purpose: ApprovalPurpose;
  required: number;
  expiresAt: Date;
  state: ApprovalState;
  votes: Vote[];
  /** Whether the asking replica still renews the request (false: it stopped, nothing will run). */
  askerWaiting: boolean;
}

const ID = /^[0-9a-f]{8}$/;
const NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** The deploy's channel: a Slack id, or the terminal's own name ("terminal"). Never shown as markup. */
const CHANNEL = /^(?:[A-Z0-9]{2,40}|terminal)$/;
const PREFIX = "tugboat-approval-";
const MAX_WHAT = 200;
export const MAX_VOTE_REASON = 200;

const ANN_APP = "tugboat.dev/app";
const ANN_ENV = "tugboat.dev/environment";
const ANN_WHAT = "tugboat.dev/what";
const ANN_REQUIRED = "tugboat.dev/required";
const ANN_STATE = "tugboat.dev/state";
const ANN_VOTES = "tugboat.dev/votes";
const ANN_PURPOSE = "tugboat.dev/approval-for";

const STATES = new Set<ApprovalState>(["pending", "approved", "rejected", "timeout", "cancelled"]);
const votesSchema = z
  .array(
    z
      .object({
        by: z.string().regex(SLACK_ID),
        vote: z.enum(["approve", "reject"]),
        at: z.iso.datetime(),
        reason: z.string().max(MAX_VOTE_REASON).optional(),
      })
      .strict(),
  )
  .max(50);

export function isApprovalId(id: string): boolean {
  return ID.test(id);
}

function leaseName(id: string): string {
  return `${PREFIX}${id}`;
}

export function readApproval(obj: V1Lease, now: Date): ApprovalRequest | undefined {
  const name = obj.metadata?.name ?? "";
  const id = name.startsWith(PREFIX) ? name.slice(PREFIX.length) : "";
  const ann = obj.metadata?.annotations ?? {};
  const expires = Date.parse(ann[ANN_EXPIRES] ?? "");
  const required = Number(ann[ANN_REQUIRED]);
  const state = ann[ANN_STATE] as ApprovalState;
  let votes: Vote[];
  try {
    votes = votesSchema.parse(JSON.parse(ann[ANN_VOTES] ?? "[]"));
  } catch {
    return undefined;
  }
  const [asker, channel, app, env] = [ann[ANN_USER] ?? "", ann[ANN_CHANNEL] ?? "", ann[ANN_APP] ?? "", ann[ANN_ENV] ?? ""];
  if (!ID.test(id) || !SLACK_ID.test(asker) || !CHANNEL.test(channel) || !NAME.test(app) || !NAME.test(env)) return undefined;
  if (!Number.isFinite(expires) || !Number.isInteger(required) || required < 1 || !STATES.has(state) || !ann[ANN_ASKER]) return undefined;
  return {
    id,
    asker,
    app,
    env,
    channel,
    what: (ann[ANN_WHAT] ?? "").slice(0, MAX_WHAT),
    // Anything but "break-glass" is a deploy's approval, judged by the environment's approval rules.
    purpose: ann[ANN_PURPOSE] === "break-glass" ? "break-glass" : "deploy",
    required,
    expiresAt: new Date(expires),
    state,
    votes,
    askerWaiting: obj.spec?.holderIdentity === ann[ANN_ASKER] && !describeLease(obj, now).expired,
  };
}

export function approvalsOf(r: Pick<ApprovalRequest, "votes">): string[] {
  return r.votes.filter((v) => v.vote === "approve").map((v) => v.by);
}

export type VoteResult =
  | { kind: "recorded"; request: ApprovalRequest }
  /** Decided, timed out, withdrawn, or never there. */
  | { kind: "closed"; request?: ApprovalRequest }
  | { kind: "asker-gone"; request: ApprovalRequest }
  | { kind: "already"; request: ApprovalRequest };

export class ApprovalStore {
  constructor(
    private readonly c: Coordination,
    private readonly log: Logger,
  ) {}

  get coordination(): Coordination {
    return this.c;
  }

  /** Records a new request of this replica's, with a fresh id; the asker renews it while waiting (see renew). */
  async open(p: { asker: string; app: string; env: string; channel: string; what: string; purpose?: ApprovalPurpose; required: number; expiresAt: Date }): Promise<ApprovalRequest> {
    const id = randomBytes(4).toString("hex");
    const obj = await openPromptLease(this.c, {
      name: leaseName(id),
      purpose: "approval",
      leaseDurationSeconds: this.c.leaseSeconds,
      annotations: {
        [ANN_ASKER]: this.c.instanceId,
        [ANN_USER]: p.asker,
        [ANN_APP]: p.app,
        [ANN_ENV]: p.env,
        [ANN_CHANNEL]: p.channel,
        [ANN_WHAT]: p.what.slice(0, MAX_WHAT),
        [ANN_PURPOSE]: p.purpose ?? "deploy",
        [ANN_REQUIRED]: String(p.required),
        [ANN_STATE]: "pending",
        [ANN_VOTES]: "[]",
        [ANN_EXPIRES]: p.expiresAt.toISOString(),
      },
    });
    const request = readApproval(obj, this.c.now());
    if (!request) throw new Error(`the approval request ${id} could not be read back`);
    return request;
  }

  async find(id: string): Promise<ApprovalRequest | undefined> {
    if (!isApprovalId(id)) return undefined;
    const obj = await findPromptLease(this.c, leaseName(id));
    return obj && readApproval(obj, this.c.now());
  }

  /**
   * A vote from whichever replica, judged against the request as it is when written: the request must still be pending,
   * its asker still waiting, and the voter must not have voted. Enough approvals make it approved; one rejection
   * rejects it.
   */
  async vote(id: string, vote: Omit<Vote, "at">): Promise<VoteResult> {
    if (!isApprovalId(id)) return { kind: "closed" };
    return updatePromptLease<VoteResult>(
      this.c,
      leaseName(id),
      (obj) => {
        const request = obj && readApproval(obj, this.c.now());
        if (!request || request.state !== "pending" || request.expiresAt.getTime() <= this.c.now().getTime()) return { answer: { kind: "closed", request } };
        if (!request.askerWaiting) return { answer: { kind: "asker-gone", request } };
        if (request.votes.some((v) => v.by === vote.by)) return { answer: { kind: "already", request } };
        const votes: Vote[] = [...request.votes, { ...vote, at: this.c.now().toISOString() }];
        const state: ApprovalState = vote.vote === "reject" ? "rejected" : approvalsOf({ votes }).length >= request.required ? "approved" : "pending";
        return {
          write: { [ANN_VOTES]: JSON.stringify(votes), [ANN_STATE]: state },
          then: (written) => ({ kind: "recorded", request: readApproval(written, this.c.now()) ?? { ...request, votes, state } }),
        };
      },
      () => ({ kind: "closed" }),
    );
  }

  /**
   * The asker ends a request that is still pending (time-out, shutdown); returns the request as it stands, which
   * may have been decided by a vote that landed first.
   */
  async settle(id: string, state: "timeout" | "cancelled"): Promise<ApprovalRequest | undefined> {
    return updatePromptLease<ApprovalRequest | undefined>(
      this.c,
      leaseName(id),
      (obj) => {
        const request = obj && readApproval(obj, this.c.now());
        if (!request || request.state !== "pending") return { answer: request };
        return { write: { [ANN_STATE]: state }, then: (written) => readApproval(written, this.c.now()) ?? { ...request, state } };
      },
      () => undefined,
    );
  }

  /** The asker's renewal while it waits (false when the request is gone or no longer this replica's). */
  async renew(id: string): Promise<boolean> {
    return updatePromptLease<boolean>(
      this.c,
      leaseName(id),
      (obj) => (obj && obj.spec?.holderIdentity === this.c.instanceId ? { write: {}, spec: { renewTime: microTime(this.c.now()) }, then: () => true } : { answer: false }),
      () => false,
    );
  }

  async close(id: string): Promise<void> {
    await closePromptLease(this.c, leaseName(id), this.log);
  }

  /** The field selector that picks one request's Lease (for following its votes). */
  static selectorFor(id: string): string {
    return `metadata.name=${leaseName(id)}`;
  }
}
