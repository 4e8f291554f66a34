import { createHmac } from "node:crypto";
import { stringify } from "node:querystring";

// Builds and sends requests the way Slack does: form-encoded slash commands and interactions, JSON events,
// each signed with v0 HMAC-SHA256 over "v0:<timestamp>:<raw body>".

export const SIGNING_SECRET = "test-signing-secret-0123456789abcdef";

export function sign(body: string, timestamp: number, secret = SIGNING_SECRET): string {
  return "v0=" + createHmac("sha256", secret).update(`v0:${timestamp}:${body}`).digest("hex");
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

export interface SendOptions {
  timestamp?: number;
  /** Use this signature instead of a correct one. */
  signature?: string;
  /** Leave out the signature headers. */
  unsigned?: boolean;
  headers?: Record<string, string>;
}

export interface SentResponse {
  status: number;
  body: string;
  elapsedMs: number;
}

export async function postSigned(url: string, body: string, contentType: string, opts: SendOptions = {}): Promise<SentResponse> {
  const timestamp = opts.timestamp ?? nowSeconds();
  const headers: Record<string, string> = { "content-type": contentType, ...opts.headers };
  if (!opts.unsigned) {
    headers["x-slack-request-timestamp"] = String(timestamp);
    headers["x-slack-signature"] = opts.signature ?? sign(body, timestamp);
  }
  const started = Date.now();
  const res = await fetch(url, { method: "POST", headers, body });
  const text = await res.text();
  return { status: res.status, body: text, elapsedMs: Date.now() - started };
}

export interface SlashCommand {
  command: string;
  text: string;
  user_id?: string;
  channel_id?: string;
  /** "directmessage", "privategroup", "mpdm-…" or a channel's name (default "deploys"). */
  channel_name?: string;
  response_url: string;
  /** Default: a fixed one that no stand-in issued (views.open refuses it). */
  trigger_id?: string;
}

export function slashCommandBody(cmd: SlashCommand): string {
  return stringify({
    token: "legacy-verification-token",
    team_id: "T1",
    team_domain: "example",
    channel_id: cmd.channel_id ?? "CDEPLOYS",
    channel_name: cmd.channel_name ?? "deploys",
    user_id: cmd.user_id ?? "UALICE",
    user_name: "alice",
    command: cmd.command,
    text: cmd.text,
    api_app_id: "A1",
    is_enterprise_install: "false",
    response_url: cmd.response_url,
    trigger_id: cmd.trigger_id ?? "13345224609.738474920.8088930838d88f008e0",
  });
}

export function eventBody(eventId: string, event: Record<string, unknown>): string {
  return JSON.stringify({
    token: "legacy-verification-token",
    team_id: "T1",
    api_app_id: "A1",
    event,
    type: "event_callback",
    event_id: eventId,
    event_time: nowSeconds(),
    authorizations: [{ enterprise_id: null, team_id: "T1", user_id: "UBOT", is_bot: true, is_enterprise_install: false }],
    is_ext_shared_channel: false,
  });
}

export function buttonPressBody(opts: { actionId: string; value: string; userId: string; channel: string; messageTs: string; responseUrl: string }): string {
  const payload = {
    type: "block_actions",
    user: { id: opts.userId, username: opts.userId.toLowerCase(), name: opts.userId.toLowerCase(), team_id: "T1" },
    api_app_id: "A1",
    token: "legacy-verification-token",
    container: { type: "message", message_ts: opts.messageTs, channel_id: opts.channel, is_ephemeral: false },
    trigger_id: "123.456.abc",
    team: { id: "T1", domain: "example" },
    channel: { id: opts.channel, name: "deploys" },
    message: { type: "message", ts: opts.messageTs, text: "Confirm?" },
    response_url: opts.responseUrl,
    actions: [
      {
        type: "button",
        action_id: opts.actionId,
        block_id: "tugboat_confirm_x",
        text: { type: "plain_text", text: "Confirm" },
        value: opts.value,
        action_ts: `${nowSeconds()}.000`,
      },
    ],
  };
  return stringify({ payload: JSON.stringify(payload) });
}

/** A modal's view_submission (values: block_id -> action_id -> value) or view_closed, as `userId`. */
export function viewPayloadBody(opts: { type: "view_submission" | "view_closed"; userId: string; view: Record<string, any>; values?: Record<string, Record<string, string>> }): string {
  const values = Object.fromEntries(
    Object.entries(opts.values ?? {}).map(([block, actions]) => [block, Object.fromEntries(Object.entries(actions).map(([action, value]) => [action, { type: "plain_text_input", value }]))]),
  );
  const payload = {
    type: opts.type,
    team: { id: "T1", domain: "example" },
    user: { id: opts.userId, username: opts.userId.toLowerCase(), name: opts.userId.toLowerCase(), team_id: "T1" },
    api_app_id: "A1",
    token: "legacy-verification-token",
    trigger_id: "123.456.view",
    view: { ...opts.view, id: opts.view.id ?? "V1", team_id: "T1", state: { values }, hash: "1.abc", app_id: "A1", bot_id: "BBOT" },
    ...(opts.type === "view_closed" ? { is_cleared: false } : { response_urls: [] }),
  };
  return stringify({ payload: JSON.stringify(payload) });
}
