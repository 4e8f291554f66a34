import type { RespondArguments, RespondFn } from "@slack/bolt";

// A slash command's response_url: Slack takes at most 5 posts within 30 minutes of the command, in channels the bot
// is not in and in DMs too. It is how Tugboat answers where chat.postMessage cannot reach (not_in_channel,
// channel_not_found): an in_channel record of the command and an ephemeral Confirm/Cancel. The uses are counted so
// the last ones are kept for what matters (the final state).

export const RESPONSE_URL_POSTS = 5;
export const RESPONSE_URL_TTL_MS = 30 * 60 * 1000;

export class ResponseUrl {
  private used = 0;
  private readonly issuedAt: number;

  constructor(
    private readonly respond: RespondFn,
    private readonly now: () => number = Date.now,
  ) {
    this.issuedAt = now();
  }

  /** Posts left (0 once 30 minutes have passed). */
  get left(): number {
    return this.now() - this.issuedAt >= RESPONSE_URL_TTL_MS ? 0 : RESPONSE_URL_POSTS - this.used;
  }

  async send(message: RespondArguments): Promise<void> {
    if (this.left <= 0) throw new Error("the slash command's response_url is used up (5 posts within 30 minutes)");
    this.used += 1;
    await this.respond(message);
  }
}

/** Errors that mean "Tugboat is not in this conversation": its answers then go through the response_url. */
export function notInConversation(reason: string | undefined): boolean {
  return reason === "not_in_channel" || reason === "channel_not_found";
}

/**
 * Whether "/invite @Tugboat" can help: in channels, public or private, yes; in a DM or group DM nobody can add an
 * app, so the hint would only confuse.
 */
export function canInvite(channelId: string, channelName: string | undefined): boolean {
  if (channelId.startsWith("D") || channelName === "directmessage") return false;
  return !(channelName ?? "").startsWith("mpdm-");
}
