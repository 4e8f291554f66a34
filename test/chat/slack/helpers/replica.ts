import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { buildApp, type App } from "../../../../src/app.js";
import { createSlackAdapter, type SlackAdapter } from "../../../../src/chat/slack/slack-adapter.js";
import type { TugboatConfig } from "../../../../src/config/schema.js";
import type { AuditEntry } from "../../../../src/core/logger.js";
import type { Clock } from "../../../../src/core/services.js";
import { systemClock } from "../../../../src/core/services.js";
import { createReplicaSharing, type ReplicaSharing } from "../../../../src/domain/replicas/replica-sharing.js";
import { createGithubGateway } from "../../../../src/gateways/github/create-github-gateway.js";
import { createKubeGateway } from "../../../../src/gateways/kubernetes/create-kube-gateway.js";
import type { Sandbox } from "@tugboat/sandbox";
import { SIGNING_SECRET } from "./signed-request.js";
import type { SlackStandIn } from "./slack-stand-in.js";
import { BOT_TOKEN, capturingLogger, type LogLine } from "./test-bot.js";

// Bot replicas on one sandbox: in this process (each its own gateways, buildApp and Bolt HTTP receiver), or
// `src/main.ts` as a child process that a test can kill -9.

export interface Replica {
  name: string;
  app: App;
  adapter: SlackAdapter;
  sharing: ReplicaSharing;
  audit: AuditEntry[];
  logs: LogLine[];
  eventsUrl: string;
  stop(): Promise<void>;
}

/** A clock `aheadMs` in the future: what another replica sees once a lease duration has passed. */
export function clockAhead(aheadMs: number): Clock {
  return { now: () => new Date(Date.now() + aheadMs), sleep: systemClock.sleep };
}

export async function startReplica(opts: { name: string; sandbox: Sandbox; config: TugboatConfig; standIn: SlackStandIn; clock?: Clock; background?: boolean }): Promise<Replica> {
  const logs: LogLine[] = [];
  const log = capturingLogger(logs, { replica: opts.name });
  const { config, sandbox } = opts;
  const kube = createKubeGateway({ config, kubeconfigPath: sandbox.kubeconfigPath, timeoutMs: 10_000, log });
  const github = createGithubGateway({ baseUrl: sandbox.github.url, token: sandbox.github.token, log, retries: 0, throttle: false });
  const sharing = createReplicaSharing({ config, kube, log, instanceId: opts.name, clock: opts.clock });
  const adapter = createSlackAdapter({
    mode: "http",
    botToken: BOT_TOKEN,
    signingSecret: SIGNING_SECRET,
    apiUrl: opts.standIn.apiUrl,
    port: 0,
    host: "127.0.0.1",
    log,
    confirmTimeoutSeconds: 30,
    userGroupCacheSeconds: 60,
    updateIntervalMs: 50,
    shared: sharing,
  });
  const audit: AuditEntry[] = [];
  const app = buildApp({ config, kube, github, log, audit: { record: (e) => void audit.push(e) }, groups: adapter.groups, notifier: adapter.notifier, instanceId: opts.name, clock: opts.clock, background: opts.background ?? false });
  await sharing.presence.start();
  await adapter.start(app.router);
  return {
    name: opts.name,
    app,
    adapter,
    sharing,
    audit,
    logs,
    eventsUrl: `http://127.0.0.1:${adapter.httpPort()}/slack/events`,
    stop: async () => {
      await adapter.quiesce();
      await app.stop();
      await adapter.stop();
      await sharing.presence.stop({ release: true });
    },
  };
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface ChildReplica {
  child: ChildProcess;
  eventsUrl: string;
  output(): string;
  kill9(): Promise<void>;
}

/** `src/main.ts` in Slack HTTP mode against the sandbox (live mode: its kubeconfig and GitHub), ready once /healthz answers. */
export async function startChildReplica(opts: { sandbox: Sandbox; configPath: string; standIn: SlackStandIn }): Promise<ChildReplica> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ["SLACK_APP_TOKEN", "GITHUB_APP_ID", "GITHUB_PRIVATE_KEY", "GITHUB_INSTALLATION_ID", "TUGBOAT_CLUSTERS", "TUGBOAT_USER"]) delete env[k];
  Object.assign(env, opts.sandbox.env, {
    TUGBOAT_CONFIG: opts.configPath,
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: opts.standIn.apiUrl,
    PORT: String(port),
    LOG_LEVEL: "warn",
  });
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], { env, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout!.on("data", (c) => (out += c));
  child.stderr!.on("data", (c) => (out += c));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const end = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the replica exited: ${out}`);
    const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false);
    if (ok) break;
    if (Date.now() > end) throw new Error(`the replica did not start: ${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    child,
    eventsUrl: `http://127.0.0.1:${port}/slack/events`,
    output: () => out,
    kill9: async () => {
      child.kill("SIGKILL");
      await exited;
    },
  };
}
