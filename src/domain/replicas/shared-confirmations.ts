import type { Logger } from "../../core/logger.js";
import type { KObject } from "../../gateways/types.js";
import { ANN_EXPIRES, SLACK_ID, LABEL_ASKER, LABEL_MANAGED_BY, LABEL_PURPOSE, digest, replicaAlive, type Coordination } from "./coordination.js";
import { ANN_ASKER, ANN_CHANNEL, ANN_USER, closePromptLease, observePromptLeases, openPromptLease, updatePromptLease } from "./prompt-leases.js";

// Pending Confirm/Cancel prompts as Leases (tugboat-confirm-<id>, on prompt-leases.ts), so a press counts on whichever replica it reaches.
// The replica that receives a press writes the answer with the read resourceVersion (two presses cannot both
// win; neither can a press and the asker's time-out); the asking replica observes its own prompts and runs the
// command. A press whose asker is gone (its presence Lease expired) closes the prompt: nothing was done.

export type SharedAnswer = "confirmed" | "cancelled" | "timeout";

const ANN_TS = "tugboat.dev/message-ts";
const ANN_ANSWER = "tugboat.dev/answer";
const ANN_ANSWERED_BY = "tugboat.dev/answered-by";

/** What a prompt object says, each field checked: the object is shared state, not trusted input. */
export interface SharedPrompt {
  id: string;
  asker: string;
  userId: string;
  channel?: string;
  ts?: string;
  expiresAt: Date;
  answer?: SharedAnswer;
  answeredBy?: string;
}

export type RecordResult =
  | { kind: "unknown" }
  | { kind: "refused"; userId: string }
  | { kind: "recorded"; prompt: SharedPrompt; askerAlive: boolean };

const ID = /^[0-9a-f]{24}$/;
const TS = /^\d{1,12}\.\d{1,8}$/;

export function isPromptId(id: string): boolean {
  return ID.test(id);
}

function leaseName(id: string): string {
  return `tugboat-confirm-${id}`;
}

export function readPrompt(obj: KObject): SharedPrompt | undefined {
  const name = obj.metadata?.name ?? "";
  const id = name.startsWith("tugboat-confirm-") ? name.slice("tugboat-confirm-".length) : "";
  const ann = obj.metadata?.annotations ?? {};
  const expires = Date.parse(ann[ANN_EXPIRES] ?? "");
  const userId = ann[ANN_USER] ?? "";
  if (!ID.test(id) || !SLACK_ID.test(userId) || !Number.isFinite(expires) || !ann[ANN_ASKER]) return undefined;
  const answer = ann[ANN_ANSWER];
  return {
    id,
    asker: ann[ANN_ASKER],
    userId,
    channel: SLACK_ID.test(ann[ANN_CHANNEL] ?? "") ? ann[ANN_CHANNEL] : undefined,
    ts: TS.test(ann[ANN_TS] ?? "") ? ann[ANN_TS] : undefined,
    expiresAt: new Date(expires),
    answer: answer === "confirmed" || answer === "cancelled" || answer === "timeout" ? answer : undefined,
    answeredBy: SLACK_ID.test(ann[ANN_ANSWERED_BY] ?? "") ? ann[ANN_ANSWERED_BY] : undefined,
  };
}

export class SharedConfirmations {
  constructor(
    private readonly c: Coordination,
    private readonly log: Logger,
  ) {}

  /** Records a new prompt of this replica's, before it is posted. */
  async open(p: { id: string; userId: string; channel: string; expiresAt: Date }): Promise<void> {
    await openPromptLease(this.c, {
      name: leaseName(p.id),
      purpose: "confirmation",
      labels: { [LABEL_ASKER]: digest(this.c.instanceId, 16) },
      annotations: { [ANN_ASKER]: this.c.instanceId, [ANN_USER]: p.userId, [ANN_CHANNEL]: p.channel, [ANN_EXPIRES]: p.expiresAt.toISOString() },
    });
  }

  /** Where the prompt was posted, so another replica can close it if this one dies. */
  async posted(id: string, channel: string, ts: string): Promise<void> {
    // A conflict is a press landing first: read again (and give up quietly if presses keep landing).
    await updatePromptLease(this.c, leaseName(id), (obj) => (obj ? { write: { [ANN_CHANNEL]: channel, [ANN_TS]: ts }, then: () => undefined } : { answer: undefined }), () => undefined);
  }

  /** A press on whichever replica: the first answer written wins. */
  async record(id: string, userId: string, answer: "confirmed" | "cancelled"): Promise<RecordResult> {
    if (!isPromptId(id)) return { kind: "unknown" };
    const got = await this.write(id, answer, userId, (p) => (p.userId === userId ? undefined : { kind: "refused", userId: p.userId }));
    if (got.kind !== "written") return got.kind === "refused" ? got : { kind: "unknown" };
    return { kind: "recorded", prompt: got.prompt, askerAlive: await replicaAlive(this.c, got.prompt.asker) };
  }

  /**
   * The asker's time-out (or shutdown): marks the prompt timed out unless a press got there first, and returns the
   * answer that stands (undefined when the prompt is gone).
   */
  async settle(id: string): Promise<{ answer: SharedAnswer; by?: string } | undefined> {
    const got = await this.write(id, "timeout", undefined, () => undefined);
    if (got.kind === "written") return { answer: "timeout" };
    if (got.kind === "answered") return { answer: got.answer, by: got.by };
    return undefined;
  }

  async close(id: string): Promise<void> {
    await closePromptLease(this.c, leaseName(id), this.log);
  }

  /**
   * Calls `onAnswer` for every answered prompt of this replica's: those already answered when it starts and each
   * answer after, through the port's informer (which re-lists and backs off by itself, and never gives up here:
   * prompts must keep working through an outage). Resolves once the first list is in (or after a few seconds).
   */
  async observeAnswers(onAnswer: (prompt: SharedPrompt) => void): Promise<{ stop(): void }> {
    const labelSelector = `${LABEL_MANAGED_BY}=tugboat,${LABEL_PURPOSE}=confirmation,${LABEL_ASKER}=${digest(this.c.instanceId, 16)}`;
    return observePromptLeases(this.c, { labelSelector, keepTrying: true }, (obj) => {
      const p = readPrompt(obj);
      if (p?.answer && p.answer !== "timeout" && p.asker === this.c.instanceId) onAnswer(p);
    });
  }

  /**
   * Writes an answer if the prompt is still open, with the read resourceVersion; on a conflict reads again
   * (someone else's answer then stands).
   */
  private async write(
    id: string,
    answer: SharedAnswer,
    by: string | undefined,
    refuse: (p: SharedPrompt) => { kind: "refused"; userId: string } | undefined,
  ): Promise<Written> {
    return updatePromptLease<Written>(
      this.c,
      leaseName(id),
      (obj) => {
        const prompt = obj && readPrompt(obj);
        if (!prompt) return { answer: { kind: "gone" } };
        if (prompt.answer) return { answer: { kind: "answered", answer: prompt.answer, by: prompt.answeredBy } };
        if (answer !== "timeout" && prompt.expiresAt.getTime() <= this.c.now().getTime()) return { answer: { kind: "gone" } };
        const refused = refuse(prompt);
        if (refused) return { answer: refused };
        return {
          write: { [ANN_ANSWER]: answer, ...(by ? { [ANN_ANSWERED_BY]: by } : {}) },
          then: (written) => ({ kind: "written", prompt: readPrompt(written) ?? { ...prompt, answer, answeredBy: by } }),
        };
      },
      () => ({ kind: "gone" }),
    );
  }
}

type Written = { kind: "written"; prompt: SharedPrompt } | { kind: "answered"; answer: SharedAnswer; by?: string } | { kind: "refused"; userId: string } | { kind: "gone" };
