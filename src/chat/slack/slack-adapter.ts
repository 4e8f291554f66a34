import { HOME_FAMILY, HOME_TEXT, homeSession } from "./app-home.js";
import type { AddressInfo } from "node:net";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { App, LogLevel, SocketModeReceiver, type AnyMiddlewareArgs, type AllMiddlewareArgs, type webApi } from "@slack/bolt";
import type { ChatSession } from "../../core/command.js";
import type { Logger } from "../../core/logger.js";
import type { GroupDirectory } from "../../core/policy.js";
import { mention, rich } from "../../core/reply.js";
import type { RouteOptions, Router } from "../../core/router.js";
import type { Notifier } from "../../core/services.js";
import { AckFirst } from "./ack-first.js";
import { createBoltLogger } from "./bolt-logger.js";
import { countingFetch, type SlackCallCounter } from "./count-api-calls.js";
import { CANCEL_ACTION, CONFIRM_ACTION, ConfirmRegistry } from "./confirm-buttons.js";
import { CONFIRM_MODAL, ConfirmModals } from "./confirm-modal.js";
import { DEFAULT_HTTP_LIMITS, REPLAY_KEY, StrictHTTPReceiver, limitedServerOptions, type HttpLimits } from "./create-http-receiver.js";
import { SeenIds, firstTimeAnywhere, type SharedIds } from "../../core/seen-ids.js";
import type { SharedConfirmations } from "../../domain/replicas/shared-confirmations.js";
import { describeSlackError } from "./describe-slack-error.js";
import { commandTextFromMessage, commandTextFromSlash, familyOfSlashCommand } from "./parse-mention.js";
import { MessageReply, isIntermediate } from "./post-reply.js";
import { COMMAND_BUTTON_ACTION, mrkdwnObject, toMrkdwn } from "./render-blocks.js";
import { SlackUserGroups } from "./resolve-user-groups.js";
import { ResponseUrl, canInvite } from "./response-url.js";
import { createSession } from "./slack-session.js";
import { createSlackNotifier } from "./slack-notifier.js";

// Tugboat's Slack adapter on Bolt: Socket Mode or HTTP (/slack/events, /healthz). Slash commands, mentions and DMs
// all go to router.handle, acked first; replies, confirmations, user groups and notifications go through the Web API.

export interface SlackAdapterOptions {
  mode: "socket" | "http";
  botToken: string;
  appToken?: string;
  signingSecret?: string;
  /** Web API base URL (SLACK_API_URL), e.g. http://127.0.0.1:1234/api/. Default https://slack.com/api/. */
  apiUrl?: string;
  /** HTTP mode: the port to listen on (0 picks a free one; see httpPort()). */
  port: number;
  log: Logger;
  confirmTimeoutSeconds: number;
  userGroupCacheSeconds: number;
  /** HTTP mode: the address to listen on (default: all interfaces). */
  host?: string;
  /** HTTP mode: request and header time-outs and the connection limit (default DEFAULT_HTTP_LIMITS). */
  httpLimits?: HttpLimits;
  /** Minimum time between two updates of one message (default 2500 ms: chat.update is Tier 3, ~50/min per workspace). */
  updateIntervalMs?: number;
  /** WebClient retries (default: 3 retries within about 10 s, not the library's 30 minutes). */
  retryConfig?: webApi.RetryOptions;
  /** Web API request timeout (default 15 s). */
  requestTimeoutMs?: number;
  /** Bolt's own log level (default info; debug lines carry request bodies). */
  boltLogLevel?: LogLevel;
  now?: () => number;
  /** /healthz, /readyz, /metrics: served on the HTTP receiver's port in HTTP mode. */
  ops?: (req: IncomingMessage, res: ServerResponse) => boolean;
  /** Two or more replicas: prompts and Slack event ids kept in Kubernetes (src/domain/replicas). */
  shared?: { confirmations: SharedConfirmations; eventIds: SharedIds };
  /** A command waits at most this long for the acks of requests that arrived with it (ack-first.ts; default 250 ms). */
  ackFirstMaxWaitMs?: number;
  /** Counts Web API calls and how long acks take. */
  metrics?: SlackCallCounter & { slackAcked(seconds: number): void };
}

export interface SlackAdapter {
  groups: GroupDirectory;
  notifier: Notifier;
  start(router: Router): Promise<void>;
  /**
   * First step of a shutdown: new commands are told Tugboat is restarting and open Confirm/Cancel prompts are
   * closed (nothing was done), while the transport stays up for the replies of commands still running.
   */
  quiesce(): Promise<void>;
  stop(): Promise<void>;
  /** HTTP mode, once started: the port the receiver listens on. */
  httpPort(): number | undefined;
  /** Why this adapter cannot take requests now (not listening, Socket Mode disconnected), or undefined when it can. */
  notReady(): string | undefined;
}

export const DEFAULT_UPDATE_INTERVAL_MS = 2500;
export const DEFAULT_RETRY_CONFIG: webApi.RetryOptions = { retries: 3, factor: 2, minTimeout: 500, maxTimeout: 5000, randomize: true };
/** How long event ids are remembered for deduplication (Slack retries within about 5 minutes). */
const EVENT_ID_TTL_MS = 60 * 60 * 1000;

type HandlerArgs = AnyMiddlewareArgs & AllMiddlewareArgs;

const RESTARTED = "Tugboat restarted before anyone answered";

export function createSlackAdapter(opts: SlackAdapterOptions): SlackAdapter {
  if (!opts.botToken) throw new Error("Slack adapter: SLACK_BOT_TOKEN is required");
  if (opts.mode === "socket" && !opts.appToken) throw new Error("Slack adapter: Socket Mode needs SLACK_APP_TOKEN (an xapp- token with connections:write)");
  if (opts.mode === "http" && !opts.signingSecret) throw new Error("Slack adapter: HTTP mode needs SLACK_SIGNING_SECRET");

  const log = opts.log.child({ component: "slack" });
  const now = opts.now ?? Date.now;
  const updateIntervalMs = opts.updateIntervalMs ?? DEFAULT_UPDATE_INTERVAL_MS;
  const boltLogger = createBoltLogger(opts.log, [opts.botToken, opts.appToken, opts.signingSecret], opts.boltLogLevel ?? LogLevel.INFO);
  const clientOptions: webApi.WebClientOptions = {
    retryConfig: opts.retryConfig ?? DEFAULT_RETRY_CONFIG,
    timeout: opts.requestTimeoutMs ?? 15_000,
    // A 429 rejects that call at once instead of pausing the client's whole queue for Retry-After: each message
    // backs off on its own (post-reply.ts), other calls wait for their own Retry-After (retry-after.ts).
    rejectRateLimitedCalls: true,
    ...(opts.metrics ? { fetch: countingFetch(opts.metrics) } : {}),
    ...(opts.apiUrl ? { slackApiUrl: opts.apiUrl.endsWith("/") ? opts.apiUrl : `${opts.apiUrl}/` } : {}),
  };

  let router: Router | undefined;
  let stopping = false;
  let stopped = false;
  let started = false;
  let server: Server | undefined;
  let socketConnected = false;

  // Commands start once the requests waiting for their ack have it (HTTP mode counts them; Socket Mode: the next turn).
  const ackFirst = new AckFirst((err) => log.error("a command could not start", { reason: describeSlackError(err) }), opts.ackFirstMaxWaitMs);
  const receiver =
    opts.mode === "http"
      ? new StrictHTTPReceiver({ signingSecret: opts.signingSecret!, log, boltLogger, now, healthy: () => started && !stopping, ops: opts.ops, onAnswered: opts.metrics && ((s) => opts.metrics!.slackAcked(s)), acks: ackFirst })
      : new SocketModeReceiver({ appToken: opts.appToken!, logger: boltLogger });
  if (receiver instanceof SocketModeReceiver) {
    // Readiness follows the WebSocket: Slack delivers nothing to a replica whose socket is down.
    receiver.client.on("connected", () => (socketConnected = true));
    for (const down of ["disconnected", "reconnecting"]) receiver.client.on(down, () => (socketConnected = false));
    // Ack latency: from the envelope's arrival to its ack. The client's emitter (eventemitter3) cannot prepend a
    // listener, so its emit is wrapped: Bolt's own listener then takes the timed ack.
    const metrics = opts.metrics;
    if (metrics) {
      const client = receiver.client;
      const emit = client.emit.bind(client);
      client.emit = (event: string | symbol, ...args: unknown[]) => {
        const envelope = args[0] as { ack?: (response?: unknown) => Promise<void> } | undefined;
        if (event === "slack_event" && envelope?.ack) {
          const ack = envelope.ack;
          const t0 = performance.now();
          envelope.ack = async (response?: unknown) => {
            await ack(response);
            metrics.slackAcked((performance.now() - t0) / 1000);
          };
        }
        return emit(event, ...args);
      };
    }
  }
  const app = new App({
    token: opts.botToken,
    logger: boltLogger,
    clientOptions,
    // auth.test runs in start(), where a bad token is a clear startup error rather than an unhandled rejection.
    deferInitialization: true,
    ignoreSelf: true,
    // Tugboat keeps no conversation state in Bolt.
    convoStore: false,
    receiver,
  });
  const client = app.client;

  const groups = new SlackUserGroups({ client, log, cacheSeconds: opts.userGroupCacheSeconds, now });
  const modals = new ConfirmModals({ client, log, timeoutSeconds: opts.confirmTimeoutSeconds });
  const confirmations = new ConfirmRegistry({ client, log, timeoutSeconds: opts.confirmTimeoutSeconds, shared: opts.shared?.confirmations, now: () => new Date(now()) });
  const eventIds = new SeenIds(EVENT_ID_TTL_MS, now);
  const liveReplies = new Set<MessageReply>();

  /**
   * Hands one command line to the router without waiting for it: the request has been acked, the command may take
   * minutes. It starts once other requests that arrived with it have been acked too (ack-first.ts).
   */
  const run = ({ session, message }: { session: ChatSession; message: MessageReply }, text: string, route: RouteOptions): void => {
    const r = router;
    if (!r) {
      log.warn("a Slack request arrived before the router was ready; ignored");
      return;
    }
    liveReplies.add(message);
    ackFirst.start(() => {
      void r
        .handle(session, text, route)
        .catch((err) => log.error("router failed", { reason: describeSlackError(err) }))
        .then(() => message.flush())
        .finally(() => liveReplies.delete(message));
    });
  };

  /** True when this Events API delivery is new; retries (X-Slack-Retry-Num) of a seen event_id are dropped. */
  const firstDelivery = async (body: { event_id?: string }, context: { retryNum?: number; retryReason?: string }): Promise<boolean> => {
    const id = body.event_id;
    // Across replicas: a retry may reach another replica than the first delivery did.
    const fresh = id === undefined || (await firstTimeAnywhere(eventIds, opts.shared?.eventIds, id));
    if (context.retryNum) {
      log.info(fresh ? "Slack retried an event we had not seen; handling it" : "ignored a retried Slack event", {
        eventId: id,
        retryNum: context.retryNum,
        retryReason: context.retryReason,
      });
    } else if (!fresh) {
      log.info("ignored a duplicate Slack event", { eventId: id });
    }
    return fresh;
  };

  // Replays of an already-handled HTTP request (same timestamp and body) are acked and dropped.
  app.use(async (args: HandlerArgs) => {
    if ((args.context as Record<string, unknown>)[REPLAY_KEY] === true) {
      log.warn("ignored a replayed Slack request (signature already used)");
      const ack = (args as { ack?: (r?: unknown) => Promise<void> }).ack;
      if (ack) await ack();
      return;
    }
    await args.next();
  });

  app.command(/^\/[\w-]+$/, async ({ command, ack, respond }) => {
    await ack();
    if (stopping) return void respond({ response_type: "ephemeral", text: "Tugboat is restarting; try again in a minute." }).catch(() => {});
    const family = familyOfSlashCommand(command.command);
    const text = commandTextFromSlash(command.text);
    const line = `/${family}${text ? ` ${text}` : ""}`;
    const request = createSession({
      client,
      log,
      actor: { id: command.user_id, name: command.user_name },
      channel: { id: command.channel_id, name: command.channel_name },
      direct: false,
      responseUrl: new ResponseUrl(respond, now),
      invitable: canInvite(command.channel_id, command.channel_name),
      // The modal's answer is kept by the replica that opened it, and Slack may send the submission to another one:
      // with replicas sharing state, production is confirmed with the shared Confirm/Cancel buttons instead.
      modal: opts.shared ? undefined : { triggerId: command.trigger_id, modals },
      preface: [{ type: "context", elements: [mrkdwnObject(toMrkdwn(rich`${mention(command.user_id)} ran \`${line.slice(0, 500)}\``))] }],
      confirmations,
      updateIntervalMs,
    });
    run(request, text, { family });
  });

  // Mentions and DMs: the command is in the message text, and replies go to the same channel (and thread).
  const runMessage = (m: { user: string; channel: string; threadTs?: string; direct: boolean }, text: string) => {
    const request = createSession({
      client,
      log,
      actor: { id: m.user },
      channel: { id: m.channel },
      threadTs: m.threadTs,
      direct: m.direct,
      confirmations,
      updateIntervalMs,
    });
    run(request, text, {});
  };

  app.event("app_mention", async ({ event, body, context }) => {
    if (!(await firstDelivery(body, context))) return;
    if (stopping || event.bot_id || event.subtype || !event.user) return;
    // In a DM the message event handles it (message.im).
    if (event.channel.startsWith("D")) return;
    runMessage({ user: event.user, channel: event.channel, threadTs: event.thread_ts, direct: false }, commandTextFromMessage(event.text, context.botUserId));
  });

  app.event("message", async ({ event, body, context }) => {
    if (event.channel_type !== "im") return;
    // Edits, joins, bot messages (ours included) and other subtypes are not commands.
    if (event.subtype !== undefined || ("bot_id" in event && event.bot_id)) return;
    if (!(await firstDelivery(body, context))) return;
    if (stopping || !event.user) return;
    runMessage({ user: event.user, channel: event.channel, threadTs: event.thread_ts, direct: true }, commandTextFromMessage(event.text ?? "", context.botUserId));
  });

  app.action(new RegExp(`^(${CONFIRM_ACTION}|${CANCEL_ACTION})$`), async ({ ack, body, action, respond }) => {
    await ack();
    if (body.type !== "block_actions" || action.type !== "button" || !("action_id" in action)) return;
    const result = await confirmations.press({ actionId: action.action_id, value: action.value ?? "", userId: body.user.id, message: body.message, channel: body.channel?.id });
    if (result.kind === "answered") {
      // An ephemeral prompt (a conversation Tugboat is not in) is updated through this press's response_url.
      if (result.replace) await respond({ replace_original: true, text: result.replace.text, blocks: result.replace.blocks }).catch((err) => log.warn("could not update an ephemeral prompt", { reason: describeSlackError(err) }));
      return;
    }
    try {
      await respond({ response_type: "ephemeral", replace_original: false, text: result.message });
    } catch {
      const channel = body.channel?.id;
      if (channel) await client.chat.postEphemeral({ channel, user: body.user.id, text: result.message }).catch(() => {});
    }
  });

  // The production confirmation's modal (confirm-modal.ts): a wrong name is a field error, closing it cancels.
  app.view({ callback_id: CONFIRM_MODAL, type: "view_submission" }, async ({ ack, body, view }) => {
    const errors = modals.submit(view.private_metadata, body.user.id, view.state.values);
    await ack(errors);
  });
  app.view({ callback_id: CONFIRM_MODAL, type: "view_closed" }, async ({ ack, body, view }) => {
    await ack();
    modals.close(view.private_metadata, body.user.id);
  });

  // App Home (app-home.ts): `/deploy home` run as the viewer, published to their Home tab.
  app.event("app_home_opened", async ({ event, body, context }) => {
    if (event.tab !== "home" || !(await firstDelivery(body, context))) return;
    const r = router;
    if (stopping || !r) return;
    ackFirst.start(() => void r.handle(homeSession(client, log, event.user, event.channel), HOME_TEXT, { family: HOME_FAMILY }).catch((err) => log.error("App Home failed", { reason: describeSlackError(err) })));
  });

  // A command button (render-blocks.ts): the press runs the button's command line as the presser, through the router
  // like the typed line (their permissions, the audit). The card it sits on is the public record; what the command
  // answers goes to the presser alone.
  app.action(new RegExp(`^${COMMAND_BUTTON_ACTION}_\\d+$`), async ({ ack, body, action, respond }) => {
    await ack();
    if (body.type !== "block_actions" || action.type !== "button" || typeof action.value !== "string") return;
    const channel = body.channel?.id;
    if (!channel || action.value.length > 2000 || !action.value.startsWith("/")) return;
    if (stopping) return void respond({ response_type: "ephemeral", replace_original: false, text: "Tugboat is restarting; try again in a minute." }).catch(() => {});
    const request = createSession({
      client,
      log,
      actor: { id: body.user.id, name: body.user.name },
      channel: { id: channel },
      threadTs: body.message?.thread_ts,
      direct: false,
      responseUrl: new ResponseUrl(respond, now),
      confirmations,
      updateIntervalMs,
    });
    const privately: ChatSession = {
      ...request.session,
      reply: {
        send: async (reply) => {
          if (!isIntermediate(reply)) await request.session.whisper(reply);
        },
        permalink: async () => undefined,
      },
    };
    run({ session: privately, message: request.message }, action.value, {});
  });

  app.error(async (err) => {
    log.error("Slack handler failed", { reason: describeSlackError(err) });
  });

  const notifier: Notifier = createSlackNotifier({ client, log, updateIntervalMs });

  return {
    groups,
    notifier,
    httpPort: () => (server?.address() as AddressInfo | null)?.port,
    notReady: () => {
      if (stopping) return "Slack: stopping";
      if (!started) return "Slack: not started";
      if (opts.mode === "socket" && !socketConnected) return "Slack: Socket Mode disconnected";
      return undefined;
    },
    start: async (r: Router) => {
      router = r;
      try {
        await app.init();
      } catch (err) {
        throw new Error(`Slack refused the bot token at startup (auth.test: ${describeSlackError(err)})`);
      }
      if (receiver instanceof StrictHTTPReceiver) {
        const limits = opts.httpLimits ?? DEFAULT_HTTP_LIMITS;
        server = (await app.start({ port: opts.port, ...(opts.host ? { host: opts.host } : {}) }, limitedServerOptions(limits))) as Server;
        server.maxConnections = limits.maxConnections;
      } else {
        await app.start();
      }
      started = true;
      await confirmations.listen();
      log.info("Slack adapter listening", { mode: opts.mode, ...(server ? { port: (server.address() as AddressInfo).port } : {}) });
    },
    quiesce: async () => {
      stopping = true;
      modals.closeAll();
      await confirmations.closeAll(RESTARTED);
    },
    stop: async () => {
      if (stopped) return;
      stopped = true;
      stopping = true;
      if (started) {
        try {
          await app.stop();
        } catch (err) {
          log.warn("stopping the Slack receiver failed", { reason: describeSlackError(err) });
        }
      }
      started = false;
      server = undefined;
      // Commands still waiting for other requests' acks start now; the draining router tells them Tugboat is restarting.
      ackFirst.release();
      // Waiting commands see a time-out; the prompts say Tugboat restarted.
      modals.closeAll();
      await confirmations.closeAll(RESTARTED);
      // Deliver the last state of every message still being updated (bounded).
      const flushed = Promise.allSettled([...liveReplies].map((r) => r.flush()));
      await Promise.race([flushed, new Promise((resolve) => setTimeout(resolve, 10_000).unref())]);
    },
  };
}
