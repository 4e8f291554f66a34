import { randomBytes } from "node:crypto";
import type { webApi } from "@slack/bolt";
import type { ConfirmAnswer } from "../../core/command.js";
import type { Logger } from "../../core/logger.js";
import { mention, rich, type Reply } from "../../core/reply.js";
import { describeSlackError, slackErrorCode } from "./describe-slack-error.js";
import { notInConversation } from "./response-url.js";
import { mrkdwnObject, renderBlocks, toMrkdwn, type SlackBlock } from "./render-blocks.js";
import { uploadFullText } from "./upload-full-text.js";
import { withRetryAfter } from "./retry-after.js";
import { errorMessage } from "../../core/errors.js";
import type { SharedConfirmations } from "../../domain/replicas/shared-confirmations.js";

// Confirm/Cancel buttons that only the person who asked may press. Each prompt carries a random id in the
// buttons' value; the answer resolves the waiting command, and the message then says who confirmed or cancelled.
// With `shared` (two or more replicas) each prompt is also a Lease: a press on any replica records the answer
// there (first writer wins), and this replica's watch on its own prompts resolves the command.

export const CONFIRM_ACTION = "tugboat_confirm";
export const CANCEL_ACTION = "tugboat_cancel";

export interface ConfirmRequest {
  channel: string;
  threadTs?: string;
  /** Only this user may answer. */
  userId: string;
  plan: Reply;
  /** Where chat.postMessage cannot reach the conversation: sends the prompt to the asker alone (response_url). */
  ephemeralFallback?: (message: { text: string; blocks: SlackBlock[] }) => Promise<void>;
}

export interface ButtonPress {
  actionId: string;
  /** The button's value: the confirmation id. */
  value: string;
  userId: string;
  /** The message the button was on, as Slack sends it with the press (to close a dead replica's prompt). */
  message?: { ts?: string; text?: string; blocks?: unknown[] };
  /** The conversation the press came from. */
  channel?: string;
}

/** What the adapter should tell the presser privately, if anything. */
export type PressResult =
  /** `replace`: an ephemeral prompt, which only the press's response_url can update. */
  | { kind: "answered"; answer: ConfirmAnswer; replace?: { text: string; blocks: SlackBlock[] } }
  | { kind: "refused"; message: string }
  | { kind: "unknown"; message: string }
  /** The replica that asked is gone: the prompt was closed as not done. */
  | { kind: "closed"; message: string };

interface Pending {
  id: string;
  request: ConfirmRequest;
  channel: string;
  ts?: string;
  /** Posted to the asker alone (no ts): updated through the press's response_url. */
  ephemeral?: boolean;
  blocks: SlackBlock[];
  text: string;
  timer: NodeJS.Timeout;
  resolve: (answer: ConfirmAnswer) => void;
  /** Settles once the prompt's chat.postMessage has answered (so an early answer can still update it). */
  posted: Promise<void>;
}

export interface ConfirmRegistryOptions {
  client: webApi.WebClient;
  log: Logger;
  timeoutSeconds: number;
  /** Prompts in Kubernetes, for more than one replica. */
  shared?: SharedConfirmations;
  now?: () => Date;
}

export class ConfirmRegistry {
  private readonly pending = new Map<string, Pending>();
  /** Prompts answered while their post was still in flight, until the post returns. */
  private readonly answered = new Map<string, Pending>();
  /** Prompts whose Lease could not be created: only a press on this replica can answer them. */
  private readonly localOnly = new Set<string>();
  private watch?: { stop(): void };

  constructor(private readonly opts: ConfirmRegistryOptions) {}

  /** Posts the plan with Confirm/Cancel and waits for the asker's answer, or the time-out. */
  async ask(request: ConfirmRequest): Promise<ConfirmAnswer> {
    // Hex: the id also names the prompt's Lease (a DNS label).
    const id = randomBytes(12).toString("hex");
    const shared = this.opts.shared;
    if (shared) {
      const now = this.opts.now?.() ?? new Date();
      await shared.open({ id, userId: request.userId, channel: request.channel, expiresAt: new Date(now.getTime() + this.opts.timeoutSeconds * 1000) }).catch((err) => {
        this.localOnly.add(id);
        this.opts.log.warn("could not record a confirmation in Kubernetes; only this replica can take its answer", { error: errorMessage(err) });
      });
    }
    const rendered = renderBlocks(request.plan, { reserveBlocks: 2, reserveChars: 200 });
    const buttons: SlackBlock = {
      type: "actions",
      block_id: `tugboat_confirm_${id}`,
      elements: [
        { type: "button", action_id: CONFIRM_ACTION, text: { type: "plain_text", text: "Confirm" }, style: "primary", value: id },
        { type: "button", action_id: CANCEL_ACTION, text: { type: "plain_text", text: "Cancel" }, value: id },
      ],
    };
    const note: SlackBlock = {
      type: "context",
      elements: [mrkdwnObject(toMrkdwn(rich`Only ${mention(request.userId)} can confirm this. It times out in ${formatDuration(this.opts.timeoutSeconds)}.`))],
    };
    let markPosted: () => void = () => {};
    const posted = new Promise<void>((r) => (markPosted = r));
    const answer = new Promise<ConfirmAnswer>((resolve) => {
      const timer = setTimeout(() => void this.expire(id), this.opts.timeoutSeconds * 1000);
      this.pending.set(id, { id, request, channel: request.channel, blocks: rendered.blocks, text: rendered.text, timer, resolve, posted });
    });
    try {
      const res = await withRetryAfter(() => this.opts.client.chat.postMessage({
        channel: request.channel,
        text: `Confirm? ${rendered.text}`,
        blocks: [...rendered.blocks, note, buttons],
        ...(request.threadTs ? { thread_ts: request.threadTs } : {}),
        unfurl_links: false,
        unfurl_media: false,
      }));
      const p = this.pending.get(id) ?? this.answered.get(id);
      if (p) {
        p.ts = res.ts;
        if (res.channel) p.channel = res.channel;
      }
      markPosted();
      if (shared && res.ts && !this.localOnly.has(id)) {
        await shared.posted(id, res.channel ?? request.channel, res.ts).catch((err) => this.opts.log.warn("could not record where a confirmation was posted", { error: errorMessage(err) }));
      }
      // A plan too long for the prompt: its full text goes into the prompt's thread, as for any reply.
      if (rendered.upload && res.ts) {
        await uploadFullText(this.opts.client, { channel: res.channel ?? request.channel, threadTs: request.threadTs ?? res.ts }, rendered.upload, this.opts.log);
      }
    } catch (err) {
      if (notInConversation(slackErrorCode(err)) && request.ephemeralFallback && (await this.postEphemeral(id, request, [...rendered.blocks, note, buttons], rendered.text))) {
        markPosted();
        return answer;
      }
      markPosted();
      // Without a prompt nobody can confirm: that is a cancel, never a silent yes.
      this.opts.log.warn("could not post a confirmation prompt", { reason: describeSlackError(err), channel: request.channel });
      const p = this.pending.get(id);
      if (p) {
        clearTimeout(p.timer);
        this.pending.delete(id);
        p.resolve("cancelled");
        if (shared && !this.localOnly.delete(id)) await shared.close(id);
      }
    }
    return answer;
  }

  /** The prompt for the asker alone; true when it was sent. */
  private async postEphemeral(id: string, request: ConfirmRequest, blocks: SlackBlock[], text: string): Promise<boolean> {
    try {
      await request.ephemeralFallback!({ text: `Confirm? ${text}`, blocks });
      const p = this.pending.get(id);
      if (p) p.ephemeral = true;
      return true;
    } catch (err) {
      this.opts.log.warn("could not send the confirmation prompt through the response_url", { reason: describeSlackError(err) });
      return false;
    }
  }

  /** Handles a Confirm/Cancel press (already acked by the adapter). */
  async press(press: ButtonPress): Promise<PressResult> {
    const p = this.pending.get(press.value);
    if (p && press.userId !== p.request.userId) return refused(p.request.userId);
    const answer: ConfirmAnswer = press.actionId === CONFIRM_ACTION ? "confirmed" : "cancelled";
    const shared = this.opts.shared;
    if (shared && !this.localOnly.has(press.value)) {
      const recorded = await shared.record(press.value, press.userId, answer);
      if (recorded.kind === "unknown") return { kind: "unknown", message: NOT_OPEN };
      if (recorded.kind === "refused") return refused(recorded.userId);
      if (!this.pending.has(press.value)) {
        if (recorded.askerAlive) return { kind: "answered", answer };
        // Where the prompt is: as recorded, or (the asker died before recording it) where Slack says the button was.
        const where = recorded.prompt.ts ? recorded.prompt : { channel: press.channel, ts: press.message?.ts };
        return { kind: "closed", message: await this.closeOrphan(press, where.channel, where.ts) };
      }
    }
    if (!p || !this.pending.has(p.id)) return { kind: "unknown", message: NOT_OPEN };
    const line = await this.finish(p.id, answer, press.userId);
    if (p.ephemeral && line) return { kind: "answered", answer, replace: { text: `${line} ${p.text}`, blocks: [...p.blocks, { type: "context", elements: [mrkdwnObject(line)] }] } };
    return { kind: "answered", answer };
  }

  /** Closes every open prompt (shutdown): the commands see a time-out, and the messages say why. */
  async closeAll(reason: string): Promise<void> {
    this.watch?.stop();
    this.watch = undefined;
    await Promise.allSettled(
      [...this.pending.keys()].map(async (id) => {
        // Closed for every replica first, so a press elsewhere is told so rather than taken.
        if (this.opts.shared && !this.localOnly.has(id)) await this.opts.shared.settle(id).catch(() => undefined);
        await this.finish(id, "timeout", undefined, reason);
      }),
    );
  }

  /** Starts taking answers recorded by other replicas (a watch on this replica's prompt Leases). */
  async listen(): Promise<void> {
    if (!this.opts.shared || this.watch) return;
    this.watch = await this.opts.shared.observeAnswers((prompt) => {
      if (prompt.answer === "confirmed" || prompt.answer === "cancelled") void this.finish(prompt.id, prompt.answer, prompt.answeredBy);
    });
  }

  /** The time-out, unless a press on another replica got there first (the Lease decides). */
  private async expire(id: string): Promise<void> {
    const shared = this.opts.shared;
    if (shared && !this.localOnly.has(id)) {
      const settled = await shared.settle(id).catch((err) => {
        this.opts.log.warn("could not close a confirmation in Kubernetes", { error: errorMessage(err) });
        return undefined;
      });
      if (settled && settled.answer !== "timeout") return void (await this.finish(id, settled.answer, settled.by));
    }
    await this.finish(id, "timeout");
  }

  /** A press for a prompt whose replica is gone: the prompt now says nothing was done, for everyone. */
  private async closeOrphan(press: ButtonPress, channel: string | undefined, ts: string | undefined): Promise<string> {
    const line = ":warning: The Tugboat replica that asked for this stopped before the answer; nothing was done. Run the command again.";
    const blocks = Array.isArray(press.message?.blocks)
      ? (press.message!.blocks as SlackBlock[]).filter((b) => !(b?.type === "actions" && String(b.block_id ?? "").startsWith("tugboat_confirm_")))
      : [];
    if (channel && ts) {
      await withRetryAfter(() =>
        this.opts.client.chat.update({ channel, ts, text: line, blocks: [...blocks, { type: "context", elements: [mrkdwnObject(line)] }] }),
      ).catch((err) => this.opts.log.warn("could not close the prompt of a stopped replica", { reason: describeSlackError(err) }));
    }
    await this.opts.shared?.close(press.value);
    return line;
  }

  get openCount(): number {
    return this.pending.size;
  }

  /** Resolves the prompt and updates it where it can; returns the closing line. */
  private async finish(id: string, answer: ConfirmAnswer, byUser?: string, reason?: string): Promise<string | undefined> {
    const p = this.pending.get(id);
    if (!p) return undefined;
    this.pending.delete(id);
    clearTimeout(p.timer);
    p.resolve(answer);
    if (this.opts.shared && !this.localOnly.delete(id)) void this.opts.shared.close(id);
    const line = toMrkdwn(
      answer === "confirmed"
        ? rich`:white_check_mark: Confirmed by ${mention(byUser ?? "")}.`
        : answer === "cancelled"
          ? rich`:no_entry_sign: Cancelled by ${mention(byUser ?? "")}. Nothing was done.`
          : `:hourglass: ${reason ?? `Nobody answered within ${formatDuration(this.opts.timeoutSeconds)}`}; nothing was done.`,
    );
    if (p.ephemeral) return line;
    if (!p.ts) {
      this.answered.set(id, p);
      await p.posted;
      this.answered.delete(id);
    }
    const ts = p.ts;
    if (!ts) return line;
    try {
      await withRetryAfter(() => this.opts.client.chat.update({
        channel: p.channel,
        ts,
        text: `${line} ${p.text}`,
        blocks: [...p.blocks, { type: "context", elements: [mrkdwnObject(line)] }],
      }));
    } catch (err) {
      this.opts.log.warn("could not update a confirmation prompt", { reason: describeSlackError(err) });
    }
    return line;
  }
}

const NOT_OPEN = "This confirmation is no longer open (it was answered, timed out, or Tugboat restarted).";

function refused(userId: string): PressResult {
  return { kind: "refused", message: toMrkdwn(rich`Only ${mention(userId)} can confirm this.`) };
}

function formatDuration(seconds: number): string {
  if (seconds % 60 === 0 && seconds >= 60) return `${seconds / 60} minute${seconds === 60 ? "" : "s"}`;
  return `${seconds} second${seconds === 1 ? "" : "s"}`;
}
