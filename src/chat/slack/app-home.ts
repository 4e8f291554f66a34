import type { webApi } from "@slack/bolt";
import type { ChatSession } from "../../core/command.js";
import type { Logger } from "../../core/logger.js";
import type { Reply } from "../../core/reply.js";
import { describeSlackError } from "./describe-slack-error.js";
import { isIntermediate } from "./post-reply.js";
import { SLACK_LIMITS, renderBlocks, type RenderLimits } from "./render-blocks.js";
import { withRetryAfter } from "./retry-after.js";

// App Home: on app_home_opened the adapter runs `/deploy home` as the viewer through the router (their permissions and
// /kube scope decide what it shows, and it is audited like a typed command); its final reply, or the refusal, is
// published as the viewer's Home tab with views.publish. Nothing is posted in a conversation.

/** A Home tab holds up to 100 blocks (a message 50); the text budget stays a message's. */
export const HOME_LIMITS: RenderLimits = { ...SLACK_LIMITS, maxBlocks: 100 };

/** The command line App Home runs: `/deploy home`. */
export const HOME_FAMILY = "deploy";
export const HOME_TEXT = "home";

/** The session of one App Home refresh for `userId` (`channel` is the App Home conversation Slack names). */
export function homeSession(client: webApi.WebClient, log: Logger, userId: string, channel: string): ChatSession {
  const publish = async (reply: Reply): Promise<void> => {
    const rendered = renderBlocks(reply, { limits: HOME_LIMITS });
    try {
      await withRetryAfter(() => client.views.publish({ user_id: userId, view: { type: "home", blocks: rendered.blocks } }));
    } catch (err) {
      log.warn("could not publish App Home", { reason: describeSlackError(err) });
    }
  };
  return {
    actor: { id: userId },
    channel: { id: channel },
    reply: {
      send: async (reply) => {
        if (!isIntermediate(reply)) await publish(reply);
      },
      permalink: async () => undefined,
    },
    // A refusal (no read rights at all) is what the Home tab then says.
    whisper: publish,
    confirm: async () => "cancelled",
  };
}
