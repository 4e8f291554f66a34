import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { parse as parseQuery } from "node:querystring";

// A local stand-in for Slack's Web API (and for response_url and the file upload URL). It records every call and
// answers {ok: true, ...} like Slack does; tests override single methods to return errors. Like Slack, it refuses
// posts to conversations the bot is not in (notIn: not_in_channel for channels, channel_not_found for DMs and group
// DMs), a deleted message cannot be updated (message_not_found), and a response_url takes at most 5 posts within
// 30 minutes.

export interface RecordedCall {
  method: string;
  /** Form fields, with blocks/files JSON-decoded. */
  args: Record<string, any>;
  authorization?: string;
  at: number;
  /** What the stand-in answered. */
  result: Record<string, any>;
}

export interface RecordedUpload {
  path: string;
  body: string;
}

export interface RecordedResponse {
  path: string;
  payload: Record<string, any>;
}

export type MethodHandler = (args: Record<string, any>) => Record<string, unknown>;

export class SlackStandIn {
  readonly calls: RecordedCall[] = [];
  readonly uploads: RecordedUpload[] = [];
  readonly responses: RecordedResponse[] = [];
  readonly overrides = new Map<string, MethodHandler>();
  /** Methods to answer with HTTP 429 and Retry-After, like Slack's rate limits: seconds, and how many times. */
  readonly rateLimits = new Map<string, { retryAfter: number; times: number }>();
  /** Conversations the bot is not a member of. */
  readonly notIn = new Set<string>();
  /** Messages deleted (channel/ts): like Slack, chat.update of one answers message_not_found. */
  private readonly deleted = new Set<string>();
  /** Posts each response_url has taken, and when it was first used. */
  private readonly responseUrlUses = new Map<string, { posts: number; first: number }>();
  /** The stand-in's clock, for response_url expiry. */
  now: () => number = Date.now;
  /** Members per user group id, for usergroups.users.list. */
  readonly groupMembers = new Map<string, string[]>();
  /** trigger_ids handed out and when: like Slack, views.open takes each once, within 3 s. */
  private readonly triggers = new Map<string, number>();
  private server: Server | undefined;
  private nextTs = 1000;
  private nextFile = 1;
  private waiters: Array<{ check: () => boolean; resolve: () => void }> = [];
  baseUrl = "";

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  get apiUrl(): string {
    return `${this.baseUrl}/api/`;
  }

  responseUrl(id: string): string {
    return `${this.baseUrl}/respond/${id}`;
  }

  callsTo(method: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  reset(): void {
    this.calls.length = 0;
    this.uploads.length = 0;
    this.responses.length = 0;
    this.overrides.clear();
    this.rateLimits.clear();
    this.notIn.clear();
    this.deleted.clear();
    this.responseUrlUses.clear();
  }

  /** Resolves when `check` holds (re-checked on every recorded call), or rejects after `timeoutMs`. */
  waitFor(check: () => boolean, timeoutMs = 5000, what = "a Slack call"): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const entry = { check, resolve: () => (clearTimeout(timer), resolve()) };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== entry);
        reject(new Error(`timed out waiting for ${what}; calls so far: ${this.calls.map((c) => c.method).join(", ")}`));
      }, timeoutMs);
      this.waiters.push(entry);
    });
  }

  private notify(): void {
    for (const w of [...this.waiters]) {
      if (w.check()) {
        this.waiters = this.waiters.filter((x) => x !== w);
        w.resolve();
      }
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    const url = new URL(req.url ?? "/", this.baseUrl);
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (url.pathname.startsWith("/upload/")) {
      this.uploads.push({ path: url.pathname, body: raw });
      res.writeHead(200, { "content-type": "text/plain" });
      res.end("OK");
      this.notify();
      return;
    }
    if (url.pathname.startsWith("/respond/")) {
      // Slack: a response_url takes up to 5 posts within 30 minutes of the command, then answers 404.
      const uses = this.responseUrlUses.get(url.pathname) ?? { posts: 0, first: this.now() };
      this.responseUrlUses.set(url.pathname, uses);
      if (this.now() - uses.first > 30 * 60_000) return send(404, { ok: false, error: "expired_url" });
      if (uses.posts >= 5) return send(404, { ok: false, error: "used_url" });
      uses.posts += 1;
      this.responses.push({ path: url.pathname, payload: JSON.parse(raw || "{}") });
      send(200, { ok: true });
      this.notify();
      return;
    }
    if (!url.pathname.startsWith("/api/")) return send(404, { ok: false, error: "unknown_path" });
    const method = url.pathname.slice("/api/".length);
    const args = decodeArgs(req.headers["content-type"] ?? "", raw);
    const limit = this.rateLimits.get(method);
    if (limit && limit.times > 0) {
      limit.times -= 1;
      const answer = { ok: false, error: "ratelimited" };
      this.calls.push({ method, args, authorization: req.headers.authorization, at: Date.now(), result: { ...answer, status: 429 } });
      res.writeHead(429, { "content-type": "application/json", "retry-after": String(limit.retryAfter) });
      res.end(JSON.stringify(answer));
      this.notify();
      return;
    }
    const override = this.overrides.get(method);
    const answer = override ? override(args) : (this.notMember(method, args) ?? this.answer(method, args));
    this.calls.push({ method, args, authorization: req.headers.authorization, at: Date.now(), result: answer });
    send(200, answer);
    this.notify();
  }

  /** Slack's answer to a write into a conversation the bot is not in. */
  private notMember(method: string, args: Record<string, any>): Record<string, unknown> | undefined {
    if (!["chat.postMessage", "chat.update", "chat.postEphemeral"].includes(method) || !this.notIn.has(String(args.channel))) return undefined;
    return { ok: false, error: String(args.channel).startsWith("C") ? "not_in_channel" : "channel_not_found" };
  }

  /** Someone deleted this message in Slack (as chat.delete would). */
  deleteMessage(channel: string, ts: string): void {
    this.deleted.add(`${channel}/${ts}`);
  }

  /** A trigger_id as Slack sends with a slash command (issued now, by the stand-in's clock). */
  issueTrigger(): string {
    const id = `${this.nextTs++}.${this.nextFile++}.trigger`;
    this.triggers.set(id, this.now());
    return id;
  }

  /** views.open as Slack checks it: a known, unused trigger_id under 3 s old, and a modal within Slack's limits. */
  private openView(args: Record<string, any>): Record<string, unknown> {
    const issued = this.triggers.get(String(args.trigger_id));
    if (issued === undefined) return { ok: false, error: "invalid_trigger_id" };
    this.triggers.delete(String(args.trigger_id));
    if (this.now() - issued > 3000) return { ok: false, error: "expired_trigger_id" };
    const view = args.view as Record<string, any> | undefined;
    const within = (t: unknown, max: number) => typeof t === "string" && t.length > 0 && t.length <= max;
    const valid =
      view?.type === "modal" &&
      within(view.title?.text, 24) &&
      (view.submit === undefined || within(view.submit.text, 24)) &&
      (view.close === undefined || within(view.close.text, 24)) &&
      Array.isArray(view.blocks) && view.blocks.length <= 100 &&
      (view.private_metadata === undefined || within(view.private_metadata, 3000)) &&
      (view.callback_id === undefined || within(view.callback_id, 255));
    if (!valid) return { ok: false, error: "invalid_arguments" };
    return { ok: true, view: { id: `V${this.nextTs++}`, ...view } };
  }

  private answer(method: string, args: Record<string, any>): Record<string, unknown> {
    switch (method) {
      case "views.open":
        return this.openView(args);
      case "auth.test":
        return { ok: true, url: "https://example.slack.com/", team: "Example", user: "tugboat", team_id: "T1", user_id: "UBOT", bot_id: "BBOT" };
      case "chat.postMessage":
        return { ok: true, channel: args.channel, ts: `${this.nextTs++}.000100`, message: { text: args.text } };
      case "chat.update":
        if (this.deleted.has(`${args.channel}/${args.ts}`)) return { ok: false, error: "message_not_found" };
        return { ok: true, channel: args.channel, ts: args.ts, text: args.text };
      case "chat.delete":
        this.deleteMessage(String(args.channel), String(args.ts));
        return { ok: true, channel: args.channel, ts: args.ts };
      case "chat.postEphemeral":
        return { ok: true, message_ts: `${this.nextTs++}.000200` };
      case "chat.getPermalink":
        return { ok: true, channel: args.channel, permalink: `https://example.slack.com/archives/${args.channel}/p${String(args.message_ts).replace(".", "")}` };
      case "conversations.open":
        return { ok: true, channel: { id: `D${String(args.users)}` } };
      case "files.getUploadURLExternal": {
        const id = `F${this.nextFile++}`;
        return { ok: true, upload_url: `${this.baseUrl}/upload/${id}`, file_id: id };
      }
      case "files.completeUploadExternal":
        return { ok: true, files: (args.files ?? []).map((f: { id: string; title?: string }) => ({ id: f.id, title: f.title })) };
      case "usergroups.users.list": {
        const users = this.groupMembers.get(String(args.usergroup));
        return users ? { ok: true, users } : { ok: false, error: "no_such_subteam" };
      }
      default:
        return { ok: true };
    }
  }
}

function decodeArgs(contentType: string, raw: string): Record<string, any> {
  if (contentType.includes("application/json")) return raw ? JSON.parse(raw) : {};
  const q = parseQuery(raw) as Record<string, string>;
  const out: Record<string, any> = { ...q };
  for (const key of ["blocks", "files", "attachments", "view"]) {
    if (typeof q[key] === "string") {
      try {
        out[key] = JSON.parse(q[key]!);
      } catch {
        /* leave as sent */
      }
    }
  }
  return out;
}
