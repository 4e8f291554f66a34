import type { RespondFn, webApi } from "@slack/bolt";
import type { Actor, Channel, ChatSession } from "../../core/command.js";
import type { Logger } from "../../core/logger.js";
import type { Reply } from "../../core/reply.js";
import type { ConfirmRegistry } from "./confirm-buttons.js";
import { describeSlackError } from "./describe-slack-error.js";
import { MessageReply } from "./post-reply.js";
import { renderBlocks, type SlackBlock } from "./render-blocks.js";
import { uploadFullText } from "./upload-full-text.js";
import { withRetryAfter } from "./retry-after.js";

// One request's ChatSession: where its channel message, its private (ephemeral) replies and its confirmation go.

export interface SessionOptions {
  client: webApi.WebClient;
  log: Logger;
  actor: Actor;
  channel: Channel;
  /** Reply inside this thread (the mention was in a thread). */
  threadTs?: string;
  /** The conversation is the caller's DM with Tugboat: "private" replies can simply be posted there. */
  direct: boolean;
  /** The slash command's response_url helper, for ephemeral answers. */
  respond?: RespondFn;
  /** Blocks shown above the reply (e.g. who ran which slash command). */
  preface?: SlackBlock[];
  confirmations: ConfirmRegistry;
  updateIntervalMs: number;
}

/** The session, and its channel message (which the adapter flushes at shutdown). */
export function createSession(opts: SessionOptions): { session: ChatSession; message: MessageReply } {
  const { client, log, actor, channel } = opts;

  const whisper = async (reply: Reply): Promise<void> => {
    const rendered = renderBlocks(reply);
    const thread = opts.threadTs ? { thread_ts: opts.threadTs } : {};
    if (opts.direct) {
      await withRetryAfter(() => client.chat.postMessage({ channel: channel.id, text: rendered.text, blocks: rendered.blocks, ...thread, unfurl_links: false, unfurl_media: false }));
    } else {
      let sent = false;
      if (opts.respond) {
        try {
          await opts.respond({ response_type: "ephemeral", replace_original: false, text: rendered.text, blocks: rendered.blocks });
          sent = true;
        } catch (err) {
          log.warn("response_url failed; falling back to chat.postEphemeral", { reason: describeSlackError(err) });
        }
      }
      if (!sent) await withRetryAfter(() => client.chat.postEphemeral({ channel: channel.id, user: actor.id, text: rendered.text, blocks: rendered.blocks, ...thread }));
    }
    if (rendered.upload) {
      // A private reply that had to be cut: the full text goes to the caller's DM, never to the channel.
      try {
        const dm = opts.direct ? channel.id : (await client.conversations.open({ users: actor.id })).channel?.id;
        if (dm) await uploadFullText(client, { channel: dm }, rendered.upload, log);
      } catch (err) {
        log.warn("could not send the full private output", { reason: describeSlackError(err) });
      }
    }
  };

  const message = new MessageReply({
    client,
    channel: channel.id,
    threadTs: opts.threadTs,
    log,
    updateIntervalMs: opts.updateIntervalMs,
    preface: opts.preface,
    onPostFailed: async (reply, reason) => {
      const note =
        reason === "not_in_channel" || reason === "channel_not_found"
          ? `I can't post in this conversation (${reason}). Invite me with \`/invite @Tugboat\` or use a channel I'm in. Only you can see this.`
          : `I couldn't post this reply in the conversation (${reason}). Only you can see this.`;
      try {
        await whisper({ ...reply, blocks: [{ type: "context", text: `:warning: ${note}` }, ...reply.blocks] });
      } catch (err) {
        log.error("could not deliver a reply at all", { reason: describeSlackError(err) });
      }
    },
  });
  const session: ChatSession = {
    actor,
    channel,
    reply: message,
    whisper,
    confirm: (plan) => opts.confirmations.ask({ channel: channel.id, threadTs: opts.threadTs, userId: actor.id, plan }),
  };
  return { session, message };
}
