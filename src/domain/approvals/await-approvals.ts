import type { Clock } from "../../core/services.js";
import type { Logger } from "../../core/logger.js";
import { errorMessage } from "../../core/errors.js";
import { keepRenewing } from "../lease-lock.js";
import { observePromptLeases } from "../replicas/prompt-leases.js";
import { ApprovalStore, approvalsOf, readApproval, type ApprovalPurpose, type ApprovalRequest } from "./approval-store.js";
import type { ApprovalRules } from "./approval-rules.js";

// The "wait for approvals" step of a deploy (after the asker's confirmation, before the lock): records the request,
// shows it (the approval card), follows the votes written by every replica, and ends when enough approvals arrived,
// someone rejected it, it timed out, or the bot is stopping. Nothing here knows about chat: `show` renders.

export interface ApprovalAsk {
  app: string;
  env: string;
  asker: string;
  channel: string;
  /** What is being deployed ("PR #4812 (eed486a)"). */
  what: string;
  purpose?: ApprovalPurpose;
  rules: ApprovalRules;
}

export interface ApprovalDeps {
  store: ApprovalStore;
  clock: Clock;
  log: Logger;
  /** Aborted when the bot stops: the request ends as cancelled. */
  signal?: AbortSignal;
  /** Called with the request when it is opened and after every vote (the card shows each). */
  show(request: ApprovalRequest): Promise<void>;
}

export type ApprovalOutcome =
  | { kind: "approved"; request: ApprovalRequest; approvers: string[] }
  | { kind: "rejected"; request: ApprovalRequest; by: string; reason?: string }
  | { kind: "timed-out"; request: ApprovalRequest }
  | { kind: "interrupted"; request: ApprovalRequest; reason: string };

export async function awaitApprovals(ask: ApprovalAsk, deps: ApprovalDeps): Promise<ApprovalOutcome> {
  const { store, clock } = deps;
  const c = store.coordination;
  const timeoutMs = ask.rules.timeoutMinutes * 60_000;
  const opened = await store.open({ asker: ask.asker, app: ask.app, env: ask.env, channel: ask.channel, what: ask.what, purpose: ask.purpose, required: ask.rules.required, expiresAt: new Date(clock.now().getTime() + timeoutMs) });
  const id = opened.id;
  const ended = new AbortController();
  // From the moment the request exists, so it ends when its card says.
  const timeUp = clock.sleep(timeoutMs, ended.signal).then(
    () => "timeout" as const,
    () => undefined,
  );
  const renewal = keepRenewing(() => store.renew(id), c.leaseSeconds, `approval ${id}`, clock);
  let shown = opened;
  let showing = deps.show(opened).catch((err) => deps.log.warn("could not show the approval request", { id, error: errorMessage(err) }));

  let decide: (r: ApprovalRequest) => void = () => {};
  const decided = new Promise<ApprovalRequest>((resolve) => (decide = resolve));
  const seen = (request: ApprovalRequest) => {
    if (request.votes.length !== shown.votes.length || request.state !== shown.state) {
      shown = request;
      showing = showing.then(() => deps.show(request)).catch((err) => deps.log.warn("could not show the approval request", { id, error: errorMessage(err) }));
    }
    if (request.state !== "pending") decide(request);
  };
  const stopping = deps.signal;
  const stopped = new Promise<"cancelled">((resolve) => {
    if (stopping?.aborted) resolve("cancelled");
    stopping?.addEventListener("abort", () => resolve("cancelled"), { once: true });
  });
  const lost = new Promise<"cancelled">((resolve) => renewal.lost.addEventListener("abort", () => resolve("cancelled"), { once: true }));
  let following: { stop(): void } | undefined;
  try {
    following = await observePromptLeases(c, { fieldSelector: ApprovalStore.selectorFor(id), keepTrying: true }, (obj) => {
      const request = readApproval(obj, clock.now());
      if (request?.id === id) seen(request);
    });
    const first = await Promise.race([decided, timeUp, stopped, lost]);
    let final: ApprovalRequest;
    if (first === undefined) throw new Error("the approval wait ended without a decision");
    if (typeof first === "string") {
      // Our end is written like a vote: if a vote landed first, it stands.
      final = (await store.settle(id, first).catch(() => undefined)) ?? { ...shown, state: first };
      seen(final);
    } else {
      final = first;
    }
    await showing;
    return outcomeOf(final, renewal.lost.aborted ? "this replica lost its hold on the request" : "Tugboat is restarting; ask for the deploy again");
  } finally {
    ended.abort();
    following?.stop();
    renewal.stop();
    await store.close(id);
  }
}

function outcomeOf(request: ApprovalRequest, whyCancelled: string): ApprovalOutcome {
  switch (request.state) {
    case "approved":
      return { kind: "approved", request, approvers: approvalsOf(request) };
    case "rejected": {
      const no = request.votes.find((v) => v.vote === "reject");
      return { kind: "rejected", request, by: no?.by ?? "", reason: no?.reason };
    }
    case "timeout":
      return { kind: "timed-out", request };
    default:
      return { kind: "interrupted", request, reason: whyCancelled };
  }
}
