import { createHash } from "node:crypto";
import type { webApi } from "@slack/bolt";
import type { ReplyHandle } from "../../core/command.js";
import type { Logger } from "../../core/logger.js";
import type { Reply } from "../../core/reply.js";
import { describeSlackError, retryAfterSeconds } from "./describe-slack-error.js";
import { renderBlocks, type RenderedReply, type SlackBlock } from "./render-blocks.js";
import { uploadFullText } from "./upload-full-text.js";

// The channel-visible, updatable message of one request: the first send posts (chat.postMessage), later sends
// update the same ts (chat.update) at most once per interval. Updates coalesce: only the newest state waiting is
// sent, and the last one is always delivered. A 429 delays this message only: the WebClient rejects rate-limited
// calls instead of pausing its whole queue, and the message waits for Retry-After before its next write.

/** Timers, injectable so tests can drive time without sleeping. */
export interface Scheduler {
  now(): number;
  /** Runs fn after ms; returns a cancel function. */
  after(ms: number, fn: () => void): () => void;
}

export const realScheduler: Scheduler = {
  now: Date.now,
  after: (ms, fn) => {
    const t = setTimeout(fn, ms);
    return () => clearTimeout(t);
  },
};

/** Rate-limited writes of one state tried before it is given up (a final state then goes to the log). */
const MAX_RATE_LIMITED = 5;

export interface MessageReplyOptions {
  client: webApi.WebClient;
  channel: string;
  /** Post into this thread (a mention inside a thread). */
  threadTs?: string;
  log: Logger;
  /** Minimum time between two writes of this message. */
  updateIntervalMs: number;
  /** Blocks above every rendering (e.g. who ran which slash command). */
  preface?: SlackBlock[];
  /** Called when the first post fails (e.g. not_in_channel), to tell the caller privately. */
  onPostFailed?: (reply: Reply, reason: string) => Promise<void>;
  scheduler?: Scheduler;
}

/** Intermediate updates: tone info with a progress block. Everything else is a final state. */
export function isIntermediate(reply: Reply): boolean {
  return reply.tone === "info" && reply.blocks.some((b) => b.type === "progress");
}

export class MessageReply implements ReplyHandle {
  private ts: string | undefined;
  private channel: string;
  /** Why the first post failed; later states go to the caller privately. */
  private failed: string | undefined;
  private pending: { reply: Reply; waiters: Array<() => void> } | undefined;
  private running = false;
  private lastWriteAt = Number.NEGATIVE_INFINITY;
  /** No write before this (Slack's Retry-After for this message). */
  private notBefore = 0;
  private rateLimited = 0;
  private timer: (() => void) | undefined;
  private idleWaiters: Array<() => void> = [];
  private firstPost: Promise<void> | undefined;
  private resolveFirstPost: (() => void) | undefined;
  private readonly uploaded = new Set<string>();
  private permalinkCache: string | undefined;
  private readonly scheduler: Scheduler;

  constructor(private readonly opts: MessageReplyOptions) {
    this.channel = opts.channel;
    this.scheduler = opts.scheduler ?? realScheduler;
  }

  /** The posted message's ts, once posted. */
  get messageTs(): string | undefined {
    return this.ts;
  }

  send(reply: Reply): Promise<void> {
    return new Promise<void>((resolve) => {
      if (this.pending) {
        // Coalesce: the newer state replaces the one still waiting; both callers are answered when it is written.
        this.pending.reply = reply;
        this.pending.waiters.push(resolve);
      } else {
        this.pending = { reply, waiters: [resolve] };
      }
      if (!this.firstPost) this.firstPost = new Promise<void>((r) => (this.resolveFirstPost = r));
      // An intermediate update after the first post is "queued safely" at once; the command need not wait for Slack.
      const posted = this.ts !== undefined || this.running;
      if (posted && isIntermediate(reply)) resolve();
      this.pump();
    });
  }

  async permalink(): Promise<string | undefined> {
    if (this.permalinkCache) return this.permalinkCache;
    if (this.firstPost) await this.firstPost;
    if (!this.ts) return undefined;
    try {
      const res = await this.opts.client.chat.getPermalink({ channel: this.channel, message_ts: this.ts });
      this.permalinkCache = res.permalink;
      return res.permalink;
    } catch (err) {
      this.opts.log.warn("chat.getPermalink failed", { reason: describeSlackError(err) });
      return undefined;
    }
  }

  /** Resolves once nothing is waiting or being written (used at shutdown). */
  flush(): Promise<void> {
    if (!this.pending && !this.running) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private pump(): void {
    if (this.running || !this.pending || this.timer) return;
    const now = this.scheduler.now();
    const paced = this.ts === undefined ? 0 : this.lastWriteAt + this.opts.updateIntervalMs - now;
    const wait = Math.max(paced, this.notBefore - now);
    if (wait > 0) {
      this.timer = this.scheduler.after(wait, () => {
        this.timer = undefined;
        this.pump();
      });
      return;
    }
    const { reply, waiters } = this.pending;
    this.pending = undefined;
    this.running = true;
    void this.write(reply)
      .then((outcome) => {
        if (outcome !== "rate-limited") return true;
        // Not written. Latest state wins: a newer one waiting replaces it (its callers are answered with that one).
        if (this.pending) this.pending.waiters.unshift(...waiters);
        else this.pending = { reply, waiters };
        return false;
      })
      .catch((err) => {
        this.opts.log.error("could not write a Slack reply", { reason: describeSlackError(err), channel: this.channel });
        return true;
      })
      .then((settled) => {
        this.running = false;
        this.lastWriteAt = this.scheduler.now();
        if (settled) {
          this.resolveFirstPost?.();
          for (const w of waiters) w();
        }
        if (this.pending) this.pump();
        else for (const w of this.idleWaiters.splice(0)) w();
      });
  }

  /** After a 429: this message waits Retry-After; "rate-limited" puts the state back, unless it was tried too often. */
  private backOff(err: unknown, reply: Reply): "rate-limited" | undefined {
    const seconds = retryAfterSeconds(err);
    if (seconds === undefined) return undefined;
    this.rateLimited += 1;
    this.notBefore = this.scheduler.now() + seconds * 1000;
    this.opts.log.warn("Slack rate-limited this message; waiting before its next write", { channel: this.channel, retryAfterSeconds: seconds });
    if (this.rateLimited > MAX_RATE_LIMITED) {
      this.rateLimited = 0;
      if (isIntermediate(reply)) return undefined;
      throw err;
    }
    return "rate-limited";
  }

  private async write(reply: Reply): Promise<"written" | "rate-limited"> {
    const preface = this.opts.preface ?? [];
    const prefaceChars = JSON.stringify(preface).length;
    const rendered = renderBlocks(reply, { reserveBlocks: preface.length, reserveChars: prefaceChars + 100 });
    const blocks = [...preface, ...rendered.blocks];
    const { client } = this.opts;
    if (this.failed) {
      // The channel refused the first post: the caller has had it privately; give them the final state too.
      if (!isIntermediate(reply)) await this.opts.onPostFailed?.(reply, this.failed);
      return "written";
    }
    if (this.ts === undefined) {
      try {
        const res = await client.chat.postMessage({
          channel: this.channel,
          text: rendered.text,
          blocks,
          ...(this.opts.threadTs ? { thread_ts: this.opts.threadTs } : {}),
          unfurl_links: false,
          unfurl_media: false,
        });
        this.ts = res.ts;
        if (res.channel) this.channel = res.channel;
      } catch (err) {
        if (this.backOff(err, reply)) return "rate-limited";
        const reason = describeSlackError(err);
        this.failed = reason;
        this.opts.log.warn("chat.postMessage failed", { reason, channel: this.channel });
        await this.opts.onPostFailed?.(reply, reason);
        return "written";
      }
    } else {
      try {
        await client.chat.update({ channel: this.channel, ts: this.ts, text: rendered.text, blocks });
      } catch (err) {
        if (this.backOff(err, reply)) return "rate-limited";
        if (isIntermediate(reply)) throw err;
        // A silent bot is the worst outcome: the final state must reach the channel, so reply in the message's thread.
        this.opts.log.warn("chat.update failed; posting the final state in the thread", { reason: describeSlackError(err), channel: this.channel });
        await client.chat.postMessage({ channel: this.channel, thread_ts: this.ts, text: rendered.text, blocks, unfurl_links: false, unfurl_media: false });
      }
    }
    this.rateLimited = 0;
    if (!isIntermediate(reply)) await this.attachFullText(rendered);
    return "written";
  }

  private async attachFullText(rendered: RenderedReply): Promise<void> {
    if (!rendered.upload || !this.ts) return;
    const key = createHash("sha256").update(rendered.upload.content).digest("hex");
    if (this.uploaded.has(key)) return;
    this.uploaded.add(key);
    await uploadFullText(this.opts.client, { channel: this.channel, threadTs: this.opts.threadTs ?? this.ts }, rendered.upload, this.opts.log);
  }
}
