import type { webApi } from "@slack/bolt";
import type { Actor, Channel, ChatSession } from "../../core/command.js";
import type { Logger } from "../../core/logger.js";
import { textReply, type Reply } from "../../core/reply.js";
import type { ConfirmRegistry } from "./confirm-buttons.js";
import type { ConfirmModals } from "./confirm-modal.js";
import { describeSlackError } from "./describe-slack-error.js";
import { MessageReply, isIntermediate } from "./post-reply.js";
import { notInConversation, type ResponseUrl } from "./response-url.js";
import { mrkdwnObject, renderBlocks, type SlackBlock } from "./render-blocks.js";
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
  /** The slash command's response_url: ephemeral answers, and the in_channel record where Tugboat cannot post. */
  responseUrl?: ResponseUrl;
  /** Whether inviting Tugboat into this conversation is possible (not in DMs or group DMs). */
  invitable?: boolean;
  /** Blocks shown above the reply (e.g. who ran which slash command). */
  preface?: SlackBlock[];
  confirmations: ConfirmRegistry;
  /** A slash command's trigger_id and the modals it can open (the production confirmation). */
  modal?: { triggerId: string; modals: ConfirmModals };
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
      if (opts.responseUrl && opts.responseUrl.left > 0) {
        try {
          await opts.responseUrl.send({ response_type: "ephemeral", replace_original: false, text: rendered.text, blocks: rendered.blocks });
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
      // Not in this conversation (a private channel, someone's DM, a group DM): the slash command's response_url
      // can still post there. The first state and the final one go in_channel (the final replacing the first); the
      // last use is kept for the final state.
      if (notInConversation(reason) && opts.responseUrl && (opts.responseUrl.left > 2 || (!isIntermediate(reply) && opts.responseUrl.left > 0))) {
        try {
          await postRecord(reply);
          return;
        } catch (err) {
          log.warn("could not post through the response_url", { reason: describeSlackError(err) });
        }
      }
      if (notInConversation(reason) && opts.responseUrl && isIntermediate(reply)) return;
      const note = notInConversation(reason)
        ? `I can't post in this conversation (${reason}).${opts.invitable === false ? "" : " Invite me with `/invite @Tugboat` or use a channel I'm in."} Only you can see this.`
        : `I couldn't post this reply in the conversation (${reason}). Only you can see this.`;
      try {
        await whisper({ ...reply, blocks: [{ type: "context", text: `:warning: ${note}` }, ...reply.blocks] });
      } catch (err) {
        log.error("could not deliver a reply at all", { reason: describeSlackError(err) });
      }
    },
  });

  let recorded = false;
  /** The visible record through the response_url: in_channel, the later states replacing the first. */
  const postRecord = async (reply: Reply): Promise<void> => {
    const preface = opts.preface ?? [];
    const rendered = renderBlocks(reply, { reserveBlocks: preface.length + 1, reserveChars: JSON.stringify(preface).length + 300 });
    const hint: SlackBlock[] =
      !recorded && opts.invitable !== false
        ? [{ type: "context", elements: [mrkdwnObject("Posted through the slash command, as I'm not in this channel: `/invite @Tugboat` for live progress.")] }]
        : [];
    await opts.responseUrl!.send({ response_type: "in_channel", replace_original: recorded, text: rendered.text, blocks: [...preface, ...rendered.blocks, ...hint] });
    recorded = true;
  };
  const confirm = (plan: Reply) =>
      opts.confirmations.ask({
        channel: channel.id,
        threadTs: opts.threadTs,
        userId: actor.id,
        plan,
        // Where Tugboat cannot post, the prompt goes to the caller alone through the response_url (buttons work in
        // ephemeral messages; pressing one gives a response_url to update it).
        ...(opts.responseUrl
          ? { ephemeralFallback: (m: { text: string; blocks: SlackBlock[] }) => opts.responseUrl!.send({ response_type: "ephemeral", replace_original: false, text: m.text, blocks: m.blocks }) }
          : {}),
      });
  const session: ChatSession = {
    actor,
    channel,
    reply: message,
    whisper,
    confirm,
    confirmByName: async (plan, name) => {
      const modal = opts.modal;
      const answered = modal ? await modal.modals.ask({ triggerId: modal.triggerId, userId: actor.id, plan, name }) : undefined;
      if (answered) return answered;
      // No modal (a mention, or Slack refused it: a trigger_id lives 3 s): Confirm/Cancel here, and the caller is told.
      if (modal) await whisper(textReply("I couldn't open the confirmation dialog in time; confirm with the buttons in the channel instead.", "warning")).catch(() => undefined);
      return { answer: await confirm(plan) };
    },
  };
  return { session, message };
}
