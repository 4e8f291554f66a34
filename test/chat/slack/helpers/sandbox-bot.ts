import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildApp, type App } from "../../../../src/app.js";
import type { SlackAdapter } from "../../../../src/chat/slack/slack-adapter.js";
import { loadConfigFile } from "../../../../src/config/load-config.js";
import type { TugboatConfig } from "../../../../src/config/schema.js";
import { createGithubGateway } from "../../../../src/gateways/github/create-github-gateway.js";
import { createKubeGateway } from "../../../../src/gateways/kubernetes/create-kube-gateway.js";
import type { AuditEntry } from "../../../../src/core/logger.js";
import { startSandbox, type Sandbox } from "@tugboat/sandbox";
import { TEST_DELAYS } from "@tugboat/sandbox/kube";
import type { SlackStandIn } from "./slack-stand-in.js";
import { capturingLogger, testAdapter, type LogLine } from "./test-bot.js";
import { withoutApprovals } from "../../../helpers/harness.js";

// Tugboat's production wiring (buildApp, real gateways, the sandbox) behind the real Slack adapter in HTTP mode,
// its Web API pointed at the stand-in: what a workspace would see of real commands.

export interface SandboxBot {
  sandbox: Sandbox;
  app: App;
  adapter: SlackAdapter;
  config: TugboatConfig;
  logs: LogLine[];
  /** Audit entries: one per finished command. */
  audit: AuditEntry[];
  eventsUrl: string;
  stop(): Promise<void>;
}

export async function startSandboxBot(opts: {
  standIn: SlackStandIn;
  confirmTimeoutSeconds?: number;
  updateIntervalMs?: number;
  /** Keep the sandbox's approvals (see the harness's option of that name). */
  approvals?: boolean;
  /** A bot on another bot's sandbox: a second replica. */
  sandbox?: Sandbox;
  /** Changes to the sandbox's config before the bot starts (extra roles, bindings). */
  configure?: (config: TugboatConfig) => void;
}): Promise<SandboxBot> {
  const outDir = mkdtempSync(join(tmpdir(), "tugboat-slack-"));
  const sandbox = opts.sandbox ?? (await startSandbox({ outDir, delays: TEST_DELAYS }));
  const config = loadConfigFile(sandbox.configPath);
  if (!opts.approvals) withoutApprovals(config);
  opts.configure?.(config);
  const logs: LogLine[] = [];
  const log = capturingLogger(logs);
  const kube = createKubeGateway({ config, kubeconfigPath: sandbox.kubeconfigPath, timeoutMs: 10_000, log });
  const github = createGithubGateway({ baseUrl: sandbox.github.url, token: sandbox.github.token, log, retries: 0, throttle: false });
  const adapter = testAdapter(opts.standIn, log, { confirmTimeoutSeconds: opts.confirmTimeoutSeconds ?? 10, updateIntervalMs: opts.updateIntervalMs ?? 50 });
  const audit: AuditEntry[] = [];
  const app = buildApp({ config, kube, github, log, audit: { record: (e) => void audit.push(e) }, groups: adapter.groups, notifier: adapter.notifier, background: false });
  await adapter.start(app.router);
  return {
    sandbox,
    app,
    adapter,
    config,
    logs,
    audit,
    eventsUrl: `http://127.0.0.1:${adapter.httpPort()}/slack/events`,
    stop: async () => {
      await adapter.stop();
      await app.router.drain(5000);
      await app.stop();
      if (!opts.sandbox) await sandbox.stop();
      rmSync(outDir, { recursive: true, force: true });
    },
  };
}
