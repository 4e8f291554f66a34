import sinon from "sinon";
import type { CommandFamily, CommandSpec } from "../../../../src/core/command.js";
import { defineCommand } from "../../../../src/core/command.js";
import { UsageError } from "../../../../src/core/errors.js";
import type { AuditEntry, Logger } from "../../../../src/core/logger.js";
import { Policy } from "../../../../src/core/policy.js";
import { Router } from "../../../../src/core/router.js";
import { systemClock, type Services } from "../../../../src/core/services.js";
import { createSlackAdapter, type SlackAdapter, type SlackAdapterOptions } from "../../../../src/chat/slack/slack-adapter.js";
import type { HttpLimits } from "../../../../src/chat/slack/create-http-receiver.js";
import { SIGNING_SECRET } from "./signed-request.js";
import type { SlackStandIn } from "./slack-stand-in.js";

// A real Router and Policy with a tiny test-only "echo" family, behind the real Slack adapter in HTTP mode.

export const BOT_TOKEN = "xoxb-111111111111-2222222222222-abcdefghijklmnopqrstuvwx";

export interface LogLine {
  level: string;
  message: string;
  meta: Record<string, unknown>;
}

export function capturingLogger(lines: LogLine[], base: Record<string, unknown> = {}): Logger {
  const at = (level: string) => (message: string, meta: Record<string, unknown> = {}) => void lines.push({ level, message, meta: { ...base, ...meta } });
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error"), child: (m) => capturingLogger(lines, { ...base, ...m }) };
}

export interface EchoTimings {
  slowMs: number;
}

export function echoFamily(timings: EchoTimings): CommandFamily {
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const commands: CommandSpec<any>[] = [
    defineCommand<{ words: string[] }>({
      family: "echo",
      verb: "say",
      summary: "Says the words back",
      usage: "echo say <words…>",
      examples: ["echo say hi"],
      sideEffects: false,
      parse: (words) => {
        if (words.length === 0) throw new UsageError("say what?");
        return { words };
      },
      permission: () => "echo:say",
      run: async ({ words }, ctx) => {
        await ctx.reply.send({ summary: words.join(" "), tone: "success", blocks: [{ type: "text", text: words.join(" ") }] });
      },
    }),
    defineCommand<Record<string, never>>({
      family: "echo",
      verb: "slow",
      summary: "Works for a while, then answers",
      usage: "echo slow",
      examples: [],
      sideEffects: false,
      parse: () => ({}),
      permission: () => "echo:say",
      run: async (_args, ctx) => {
        await ctx.reply.send({ summary: "working", tone: "info", blocks: [{ type: "progress", items: [{ label: "thinking", state: "running" }] }] });
        await sleep(timings.slowMs);
        await ctx.reply.send({ summary: "slow work done", tone: "success", blocks: [{ type: "text", text: "slow work done" }] });
      },
    }),
    defineCommand<Record<string, never>>({
      family: "echo",
      verb: "progress",
      summary: "Sends many progress updates quickly",
      usage: "echo progress",
      examples: [],
      sideEffects: false,
      parse: () => ({}),
      permission: () => "echo:say",
      run: async (_args, ctx) => {
        for (let i = 1; i <= 20; i++) {
          void ctx.reply.send({ summary: `step ${i}`, tone: "info", blocks: [{ type: "progress", items: [{ label: `step ${i}`, state: "running" }] }] });
          await sleep(10);
        }
        await ctx.reply.send({ summary: "all 20 steps done", tone: "success", blocks: [{ type: "text", text: "all 20 steps done" }] });
      },
    }),
    defineCommand<Record<string, never>>({
      family: "echo",
      verb: "danger",
      summary: "Asks before doing something",
      usage: "echo danger",
      examples: [],
      sideEffects: true,
      parse: () => ({}),
      permission: () => "echo:danger",
      run: async (_args, ctx) => {
        const ok = await ctx.confirm({ summary: "Drop the table?", tone: "warning", blocks: [{ type: "text", text: "This drops *the table*." }] });
        const text = ok ? "dropped the table" : "left the table alone";
        await ctx.reply.send({ summary: text, tone: ok ? "success" : "warning", blocks: [{ type: "text", text }] });
      },
    }),
    defineCommand<Record<string, never>>({
      family: "echo",
      verb: "secret",
      summary: "Needs a permission nobody has",
      usage: "echo secret",
      examples: [],
      sideEffects: false,
      parse: () => ({}),
      permission: () => "echo:admin",
      run: async (_args, ctx) => {
        await ctx.reply.send({ summary: "the secret", tone: "success", blocks: [{ type: "text", text: "the secret" }] });
      },
    }),
    defineCommand<{ rows: number }>({
      family: "echo",
      verb: "long",
      summary: "Prints a long table",
      usage: "echo long [rows]",
      examples: [],
      sideEffects: false,
      parse: (words) => ({ rows: words[0] ? Number(words[0]) : 5000 }),
      permission: () => "echo:say",
      run: async ({ rows }, ctx) => {
        const lines = ["NAME                      READY   STATUS    RESTARTS   AGE"];
        for (let i = 0; i < rows; i++) lines.push(`unicorn-7f9c6d8b4-${String(i).padStart(5, "0")}   1/1     Running   0          3d`);
        await ctx.reply.send({ summary: `${rows} pods`, tone: "success", blocks: [{ type: "code", text: lines.join("\n") }] });
      },
    }),
    defineCommand<Record<string, never>>({
      family: "echo",
      verb: "link",
      summary: "Posts, then links to its own message",
      usage: "echo link",
      examples: [],
      sideEffects: false,
      parse: () => ({}),
      permission: () => "echo:say",
      run: async (_args, ctx) => {
        const before = await ctx.reply.permalink();
        await ctx.reply.send({ summary: "starting", tone: "info", blocks: [{ type: "progress", items: [{ label: "start", state: "running" }] }] });
        const link = await ctx.reply.permalink();
        await ctx.reply.send({ summary: `before=${before ?? "none"} link=${link}`, tone: "success", blocks: [{ type: "text", text: `log: ${link}` }] });
      },
    }),
    defineCommand<Record<string, never>>({
      family: "echo",
      verb: "group",
      summary: "Needs a permission granted through a user group",
      usage: "echo group",
      examples: [],
      sideEffects: false,
      parse: () => ({}),
      permission: () => "echo:group",
      run: async (_args, ctx) => {
        await ctx.reply.send({ summary: "group ok", tone: "success", blocks: [{ type: "text", text: "group ok" }] });
      },
    }),
  ];
  return { name: "echo", summary: "Test-only commands", commands };
}

export interface TestBot {
  adapter: SlackAdapter;
  router: Router;
  family: CommandFamily;
  /** Sinon spies on each command's run, by verb. */
  runs: Record<string, sinon.SinonSpy>;
  logs: LogLine[];
  audit: AuditEntry[];
  eventsUrl: string;
  baseUrl: string;
  stop(): Promise<void>;
}

export interface TestBotOptions {
  standIn: SlackStandIn;
  slowMs?: number;
  confirmTimeoutSeconds?: number;
  userGroupCacheSeconds?: number;
  updateIntervalMs?: number;
  now?: () => number;
  httpLimits?: HttpLimits;
  ackFirstMaxWaitMs?: number;
  /** What else PORT answers (main.ts's public ops handler). */
  ops?: SlackAdapterOptions["ops"];
}

/** The adapter as tests run it: HTTP mode on a free local port, the Web API at the stand-in, no retries. */
export function testAdapter(standIn: SlackStandIn, log: Logger, more: Partial<SlackAdapterOptions> = {}): SlackAdapter {
  return createSlackAdapter({
    mode: "http",
    botToken: BOT_TOKEN,
    signingSecret: SIGNING_SECRET,
    apiUrl: standIn.apiUrl,
    port: 0,
    host: "127.0.0.1",
    log,
    confirmTimeoutSeconds: 5,
    userGroupCacheSeconds: 60,
    retryConfig: { retries: 0 },
    ...more,
  });
}

export async function startTestBot(opts: TestBotOptions): Promise<TestBot> {
  const logs: LogLine[] = [];
  const audit: AuditEntry[] = [];
  const log = capturingLogger(logs);
  const family = echoFamily({ slowMs: opts.slowMs ?? 4000 });
  const runs: Record<string, sinon.SinonSpy> = {};
  for (const spec of family.commands) runs[spec.verb] = sinon.spy(spec, "run");

  const adapter = testAdapter(opts.standIn, log, {
    confirmTimeoutSeconds: opts.confirmTimeoutSeconds ?? 5,
    userGroupCacheSeconds: opts.userGroupCacheSeconds ?? 60,
    updateIntervalMs: opts.updateIntervalMs,
    now: opts.now,
    httpLimits: opts.httpLimits,
    ackFirstMaxWaitMs: opts.ackFirstMaxWaitMs,
    ops: opts.ops,
  });
  const policy = new Policy(
    {
      roles: {
        user: { permissions: ["echo:say", "echo:danger"] },
        grouped: { permissions: ["echo:group"] },
      },
      bindings: [
        { role: "user", users: ["UALICE", "UBOB"], groups: [] },
        { role: "grouped", users: [], groups: ["SGROUP"] },
      ],
    },
    adapter.groups,
  );
  const services = { clock: systemClock, instanceId: "test", notifier: adapter.notifier } as unknown as Services;
  const router = new Router([family], policy, services, log, { record: (e) => void audit.push(e) });
  await adapter.start(router);
  const baseUrl = `http://127.0.0.1:${adapter.httpPort()}`;
  return {
    adapter,
    router,
    family,
    runs,
    logs,
    audit,
    baseUrl,
    eventsUrl: `${baseUrl}/slack/events`,
    stop: async () => {
      await adapter.stop();
      await router.drain(2000);
    },
  };
}
