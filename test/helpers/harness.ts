import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { buildApp, type App } from "../../src/app.js";
import { loadConfigFile } from "../../src/config/load-config.js";
import type { TugboatConfig } from "../../src/config/schema.js";
import type { ChatSession, ConfirmAnswer } from "../../src/core/command.js";
import type { AuditEntry } from "../../src/core/logger.js";
import type { Reply } from "../../src/core/reply.js";
import { renderText } from "../../src/chat/terminal/render-text.js";
import { createLogging, SecretRegistry } from "../../src/infra/logging.js";
import { createKubeGateway } from "../../src/gateways/kubernetes/create-kube-gateway.js";
import { createGithubGateway } from "../../src/gateways/github/create-github-gateway.js";
import { startSandbox, type Sandbox } from "@tugboat/sandbox";
import { TEST_DELAYS, type SimDelays } from "@tugboat/sandbox/kube";
import type { GithubGateway, KubeGateway } from "../../src/gateways/types.js";
import type { Clock, MessageRef } from "../../src/core/services.js";
import type { PromMetrics } from "../../src/infra/metrics.js";

// Runs Tugboat's production wiring (buildApp, real gateways over HTTP) against a fresh sandbox.
// Commands are driven through the router with a recording chat session.

export interface HarnessOptions {
  delays?: Partial<SimDelays>;
  /** Edit the sandbox config before the app is built. */
  configure?: (config: TugboatConfig) => void;
  /**
   * Keep the sandbox's approvals (production waits for a second person). Off by default: tests of other things
   * deploy to production alone; the approval tests turn it on.
   */
  approvals?: boolean;
  background?: boolean;
  clock?: Clock;
  instanceId?: string;
  /** Prometheus metrics fed by the router and the gateways, as in production. */
  metrics?: PromMetrics;
  /** Reuse a running sandbox (for a second bot instance). */
  sandbox?: Sandbox;
  /** The kubeconfig (or KUBECONFIG-style list) instead of the sandbox's own. */
  kubeconfigPath?: string;
}

export interface RunOptions {
  user?: string;
  channel?: string;
  family?: string;
  /** Answer to any confirmation prompt; default "confirmed". A function answers when it resolves. */
  confirm?: ConfirmAnswer | (() => Promise<ConfirmAnswer>);
  /** Called with each state of the channel message as it is sent (e.g. to count requests made by then). */
  onSend?: (reply: Reply) => void;
}

export interface Transcript {
  /** Every state of the channel message, in order. */
  updates: Reply[];
  final?: Reply;
  whispers: Reply[];
  confirmations: Reply[];
  /** Rendered text of the final message and the whispers, for assertions. */
  text: string;
}

export interface Notice {
  channel: string;
  reply: Reply;
  ref: MessageRef;
  updates: Reply[];
  deleted?: boolean;
}

/** A notice's latest state. */
export const latestState = (n: Notice): Reply => n.updates.at(-1) ?? n.reply;

export interface Harness {
  sandbox: Sandbox;
  app: App;
  config: TugboatConfig;
  kube: KubeGateway;
  github: GithubGateway;
  audit: AuditEntry[];
  /**
   * Messages posted outside requests (notifier.post), each with its later states (notifier.update) in order. Set
   * `deleted` to have the next update of it answer "gone", as Slack does for a message someone deleted.
   */
  notices: Notice[];
  /** Every log line written so far (JSON text), for leak checks. */
  logText(): string;
  run(text: string, opts?: RunOptions): Promise<Transcript>;
  stop(): Promise<void>;
}

export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const outDir = mkdtempSync(join(tmpdir(), "tugboat-test-"));
  const ownSandbox = !opts.sandbox;
  const sandbox = opts.sandbox ?? (await startSandbox({ outDir, delays: { ...TEST_DELAYS, ...opts.delays } }));
  const config = loadConfigFile(sandbox.configPath);
  if (!opts.approvals) withoutApprovals(config);
  opts.configure?.(config);

  const logStream = new PassThrough();
  let logged = "";
  logStream.on("data", (chunk) => (logged += chunk.toString()));
  const audit: AuditEntry[] = [];
  const secrets = new SecretRegistry();
  secrets.add(sandbox.github.token);
  const logging = createLogging({ level: "debug", secrets, stream: logStream, auditStream: logStream });
  const kube = createKubeGateway({ config, kubeconfigPath: opts.kubeconfigPath ?? sandbox.kubeconfigPath, timeoutMs: config.kube.requestTimeoutSeconds * 1000, log: logging.logger, onRequest: opts.metrics && ((cluster) => opts.metrics!.kubeObserver(cluster)), clock: opts.clock });
  const github = createGithubGateway({ baseUrl: sandbox.github.url, token: sandbox.github.token, log: logging.logger, retries: 0, throttle: false, onRequest: opts.metrics?.githubObserver });
  const notices: Harness["notices"] = [];
  const app = buildApp({
    config,
    kube,
    github,
    log: logging.logger,
    audit: { record: (e) => (audit.push(e), logging.audit.record(e)), started: (e) => logging.audit.started?.(e) },
    groups: { groupsOf: async () => new Set() },
    notifier: {
      post: async (channel, reply) => {
        const ref = { channel, id: `notice-${notices.length + 1}` };
        notices.push({ channel, reply, ref, updates: [] });
        return ref;
      },
      update: async (ref, reply) => {
        const notice = notices.find((n) => n.ref.id === ref.id && n.ref.channel === ref.channel);
        if (!notice || notice.deleted) return "gone";
        notice.updates.push(reply);
        return "updated";
      },
    },
    background: opts.background ?? false,
    clock: opts.clock,
    instanceId: opts.instanceId,
    metrics: opts.metrics,
  });

  return {
    sandbox,
    app,
    config,
    kube,
    github,
    audit,
    notices,
    logText: () => logged,
    run: (text, runOpts) => runThroughRouter(app, text, runOpts),
    stop: async () => {
      await app.stop();
      if (ownSandbox) await sandbox.stop();
      await logging.close();
      rmSync(outDir, { recursive: true, force: true });
    },
  };
}

/** The sandbox config without its approvals (the two-person rule), for tests about something else. */
export function withoutApprovals(config: TugboatConfig): TugboatConfig {
  for (const env of Object.values(config.environments)) delete env.approvals;
  return config;
}

/** Runs one command through the app's router with a recording chat session (also used by the real-cluster run). */
export async function runThroughRouter(app: App, text: string, runOpts: RunOptions = {}): Promise<Transcript> {
  const t: Transcript = { updates: [], whispers: [], confirmations: [], text: "" };
  const session: ChatSession = {
    actor: { id: runOpts.user ?? "UADMIN" },
    channel: { id: runOpts.channel ?? "CTEST" },
    reply: {
      send: async (reply) => {
        t.updates.push(structuredClone(reply));
        t.final = structuredClone(reply);
        runOpts.onSend?.(reply);
      },
      permalink: async () => "https://slack.example.com/archives/CTEST/p1",
    },
    whisper: async (reply) => void t.whispers.push(reply),
    confirm: async (plan) => {
      t.confirmations.push(plan);
      return typeof runOpts.confirm === "function" ? await runOpts.confirm() : (runOpts.confirm ?? "confirmed");
    },
  };
  await app.router.handle(session, text, { family: runOpts.family });
  t.text = [...t.whispers, ...(t.final ? [t.final] : [])].map(renderText).join("\n");
  return t;
}
