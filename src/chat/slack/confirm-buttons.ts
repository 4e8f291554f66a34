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

// Confirm/Cancel buttons that only the person who asked may press. Each prompt carries a random id in the
// buttons' value; the answer resolves the waiting command, and the message then says who confirmed or cancelled.

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
}

/** What the adapter should tell the presser privately, if anything. */
export type PressResult =
  /** `replace`: an ephemeral prompt, which only the press's response_url can update. */
  | { kind: "answered"; answer: ConfirmAnswer; replace?: { text: string; blocks: SlackBlock[] } }
  | { kind: "refused"; message: string }
  | { kind: "unknown"; message: string };

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
}

export class ConfirmRegistry {
  private readonly pending = new Map<string, Pending>();
  /** Prompts answered while their post was still in flight, until the post returns. */
  private readonly answered = new Map<string, Pending>();

  constructor(private readonly opts: ConfirmRegistryOptions) {}

  /** Posts the plan with Confirm/Cancel and waits for the asker's answer, or the time-out. */
  async ask(request: ConfirmRequest): Promise<ConfirmAnswer> {
    const id = randomBytes(12).toString("base64url");
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
      const timer = setTimeout(() => void this.finish(id, "timeout"), this.opts.timeoutSeconds * 1000);
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
    if (!p) return { kind: "unknown", message: "This confirmation is no longer open (it was answered, timed out, or Tugboat restarted)." };
    if (press.userId !== p.request.userId) {
      return { kind: "refused", message: toMrkdwn(rich`Only ${mention(p.request.userId)} can confirm this.`) };
    }
    const answer: ConfirmAnswer = press.actionId === CONFIRM_ACTION ? "confirmed" : "cancelled";
    const line = await this.finish(p.id, answer, press.userId);
    if (p.ephemeral && line) return { kind: "answered", answer, replace: { text: `${line} ${p.text}`, blocks: [...p.blocks, { type: "context", elements: [mrkdwnObject(line)] }] } };
    return { kind: "answered", answer };
  }

  /** Closes every open prompt (shutdown): the commands see a time-out, and the messages say why. */
  async closeAll(reason: string): Promise<void> {
    await Promise.allSettled([...this.pending.keys()].map((id) => this.finish(id, "timeout", undefined, reason)));
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

function formatDuration(seconds: number): string {
  if (seconds % 60 === 0 && seconds >= 60) return `${seconds / 60} minute${seconds === 60 ? "" : "s"}`;
  return `${seconds} second${seconds === 1 ? "" : "s"}`;
}
