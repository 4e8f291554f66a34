import type { webApi } from "@slack/bolt";
import type { Logger } from "../../core/logger.js";
import type { Reply } from "../../core/reply.js";
import type { MessageRef, Notifier } from "../../core/services.js";
import { describeSlackError, retryAfterSeconds, slackErrorCode } from "./describe-slack-error.js";
import { MessageReply, realScheduler, type Scheduler } from "./post-reply.js";
import { renderBlocks } from "./render-blocks.js";

// Messages outside any request (reaper reports, a canary's figures): `post` answers the message's reference
// ({channel, ts}), which callers store as data, and `update` edits it with chat.update from any replica. Like a
// request's message, one message is written at most once per interval (a newer state waiting replaces the older)
// and a 429 delays that message only, by Retry-After.

/** What chat.update answers for a message that cannot be edited any more: post a new one. */
const GONE = new Set(["message_not_found", "cant_update_message", "edit_window_closed", "channel_not_found", "not_in_channel", "is_archived"]);
const CHANNEL_ID = /^[CDG][A-Z0-9]{2,20}$/;
const MESSAGE_TS = /^\d{1,12}\.\d{1,9}$/;
/** Rate-limited writes of one update tried before it is given up. */
const MAX_RATE_LIMITED = 5;

interface Pending {
  reply: Reply;
  done: Promise<"updated" | "gone">;
}

interface MessageState {
  lastWriteAt: number;
  notBefore: number;
  /** The newest state waiting for its turn, and who waits for it. */
  waiting?: Pending;
  /** The write in progress (or finished), which the next one follows. */
  tail: Promise<unknown>;
  /** Updates asked for and not yet answered. */
  unanswered: number;
}

export function createSlackNotifier(opts: { client: webApi.WebClient; log: Logger; updateIntervalMs: number; scheduler?: Scheduler }): Notifier {
  const scheduler = opts.scheduler ?? realScheduler;
  const messages = new Map<string, MessageState>();
  const pause = (ms: number) => new Promise<void>((resolve) => (ms > 0 ? scheduler.after(ms, resolve) : resolve()));

  /** Forgets messages not written for a while, so the map stays small (their pacing is over anyway). */
  const forgetIdle = () => {
    const now = scheduler.now();
    for (const [key, m] of messages) if (m.unanswered === 0 && now - m.lastWriteAt > Math.max(opts.updateIntervalMs, 60_000)) messages.delete(key);
  };

  const write = async (ref: MessageRef, state: MessageState, entry: Pending): Promise<"updated" | "gone"> => {
    for (let limited = 0; ; ) {
      await pause(Math.max(state.lastWriteAt + opts.updateIntervalMs, state.notBefore) - scheduler.now());
      // Taken now: a newer state that arrived during the wait is the one written; one arriving later waits its turn.
      if (state.waiting === entry) state.waiting = undefined;
      const rendered = renderBlocks(entry.reply);
      try {
        await opts.client.chat.update({ channel: ref.channel, ts: ref.id, text: rendered.text, blocks: rendered.blocks });
        state.lastWriteAt = scheduler.now();
        return "updated";
      } catch (err) {
        state.lastWriteAt = scheduler.now();
        const seconds = retryAfterSeconds(err);
        if (seconds !== undefined && ++limited <= MAX_RATE_LIMITED) {
          state.notBefore = scheduler.now() + seconds * 1000;
          opts.log.warn("Slack rate-limited a message update; waiting before its next write", { channel: ref.channel, retryAfterSeconds: seconds });
          continue;
        }
        const code = slackErrorCode(err);
        if (code && GONE.has(code)) {
          opts.log.info("a posted message can no longer be updated", { channel: ref.channel, reason: code });
          return "gone";
        }
        throw new Error(`chat.update failed: ${describeSlackError(err)}`);
      }
    }
  };

  return {
    post: async (channelId: string, reply: Reply) => {
      const message = new MessageReply({ client: opts.client, channel: channelId, log: opts.log, updateIntervalMs: opts.updateIntervalMs, scheduler });
      await message.send(reply);
      if (!message.messageTs) return undefined;
      // Its first update keeps the pace too.
      forgetIdle();
      messages.set(`${channelId}/${message.messageTs}`, { lastWriteAt: scheduler.now(), notBefore: 0, tail: Promise.resolve(), unanswered: 0 });
      return { channel: channelId, id: message.messageTs };
    },
    update: (ref: MessageRef, reply: Reply) => {
      // A reference is data that was stored somewhere: only a Slack channel id and message ts are sent back to Slack.
      if (!CHANNEL_ID.test(ref.channel) || !MESSAGE_TS.test(ref.id)) return Promise.resolve("gone" as const);
      forgetIdle();
      const key = `${ref.channel}/${ref.id}`;
      let state = messages.get(key);
      if (!state) messages.set(key, (state = { lastWriteAt: Number.NEGATIVE_INFINITY, notBefore: 0, tail: Promise.resolve(), unanswered: 0 }));
      if (state.waiting) {
        // Coalesce: the newer state replaces the one still waiting; both callers learn how that write went.
        state.waiting.reply = reply;
        return state.waiting.done;
      }
      const s = state;
      const entry = { reply } as Pending;
      s.unanswered += 1;
      entry.done = s.tail.then(() => write(ref, s, entry)).finally(() => (s.unanswered -= 1));
      s.waiting = entry;
      s.tail = entry.done.catch(() => undefined);
      return entry.done;
    },
  };
}
