import { relative, resolve } from "node:path";
import { loadConfigFile } from "./config/load-config.js";
import { planStartup, StartupError, type StartupPlan } from "./config/environment.js";
import { createLogging, SecretRegistry, type Logging } from "./infra/logging.js";
import { buildApp, type App } from "./app.js";
import { createKubeGateway } from "./gateways/kubernetes/create-kube-gateway.js";
import { createGithubGateway } from "./gateways/github/create-github-gateway.js";
import { TerminalAdapter } from "./chat/terminal/terminal-adapter.js";
import { createTerminalNotifier } from "./chat/terminal/terminal-notifier.js";
import { noGroups } from "./core/policy.js";
import { systemClock, type Notifier } from "./core/services.js";
import { errorMessage } from "./core/errors.js";
import { describeStartupFailure, startupStep } from "./startup/startup-failure.js";
import { describeUnreachable, findUnreachable } from "./startup/check-reachable.js";
import { Shutdown, type StopReason } from "./startup/shutdown.js";
import { loadEmbeddedSandbox, SANDBOX_PACKAGE } from "./startup/embedded-sandbox.js";
import { Readiness } from "./startup/readiness.js";
import { PromMetrics } from "./infra/metrics.js";
import { createOpsHandler, listenOps, publicAndPrivateOps, type OpsHandler } from "./infra/ops-endpoints.js";
import type { WebhookEndpoint } from "./webhooks/webhook-endpoint.js";
import { buildFamilies } from "./commands/index.js";
import { githubFamily } from "./commands/github/index.js";
import { drivesSandboxGithub } from "./commands/github/sandbox-only.js";
import { locksHeldHere } from "./domain/lease-lock.js";
import { allDoraFigures } from "./domain/dora/all-dora-figures.js";
import { createReplicaSharing } from "./domain/replicas/replica-sharing.js";

// The composition root: reads the environment and config, builds gateways, policy, router and one chat adapter.

/** The terminal's log and audit files: the conversation owns the screen. */
const TERMINAL_LOG = ".sandbox/tugboat.log";
const TERMINAL_AUDIT = ".sandbox/audit.log";
const SANDBOX_CONFIG = "config/sandbox/tugboat.yaml";

/** What has been started so far, so that a failed start stops it again. */
interface Started {
  stopSandbox?: () => Promise<void>;
  logging?: Logging;
  app?: App;
  stopSlack?: () => Promise<void>;
  stopOps?: () => Promise<void>;
  stopMetrics?: () => Promise<void>;
}

async function main(started: Started): Promise<void> {
  const plan = planStartup(process.env);
  const assumeYes = process.argv.includes("--yes");
  const terminal = plan.chat === "terminal";
  const say = (line: string) => void process.stdout.write(`${line}\n`);
  /** The embedded sandbox's GitHub, which delivers webhooks to this bot once it listens. */
  let sandboxHooks: { addUrl(url: string): void } | undefined;
  /** The embedded sandbox's Prometheus (scraping its pods' request metrics), for canary analysis. */
  let sandboxPrometheusUrl: string | undefined;

  if (plan.sandbox) {
    // Imported lazily by name: a live deployment never loads the sandbox, and the build does not contain it.
    const { startSandbox, DEMO_DELAYS, TEST_DELAYS, ZERO_DELAYS } = await loadEmbeddedSandbox(() => import(SANDBOX_PACKAGE));
    const speeds = { demo: DEMO_DELAYS, test: TEST_DELAYS, zero: ZERO_DELAYS };
    const speed = (process.env.SANDBOX_SPEED ?? "demo") as keyof typeof speeds;
    if (!Object.hasOwn(speeds, speed)) throw new StartupError(`SANDBOX_SPEED must be demo, test or zero, not "${process.env.SANDBOX_SPEED}"`);
    const sandbox = await startSandbox({
      delays: speeds[speed],
      kubePort: process.env.SANDBOX_KUBE_PORT ? Number(process.env.SANDBOX_KUBE_PORT) : 0,
      githubPort: process.env.SANDBOX_GITHUB_PORT ? Number(process.env.SANDBOX_GITHUB_PORT) : 0,
      owner: "npm start",
      whenBusy: "own-dir",
      analysis: true,
    });
    started.stopSandbox = sandbox.stop;
    const kubeconfig = shownPath(sandbox.kubeconfigPath);
    const busy = sandbox.busy ? ` (${shownPath(sandbox.busy.dir)}/ belongs to the running \`${sandbox.busy.holder.owner}\`, pid ${sandbox.busy.holder.pid})` : "";
    const who = terminal ? `; acting as ${plan.terminalUser ?? defaultTerminalUser(plan)} (TUGBOAT_USER)` : "";
    say(`Tugboat: nothing configured, so running against the embedded sandbox (Kubernetes and GitHub in-process; kubeconfig in ${kubeconfig}${busy})${who}.`);
    plan.kubeconfig = sandbox.kubeconfigPath;
    plan.github = { baseUrl: sandbox.env.GITHUB_API_URL, token: sandbox.env.GITHUB_TOKEN, webhookSecret: sandbox.env.GITHUB_WEBHOOK_SECRET };
    sandboxHooks = sandbox.github.webhooks;
    if (sandbox.analysis && "off" in sandbox.analysis) say(`Tugboat: ${sandbox.analysis.off}.`);
    else if (sandbox.analysis) sandboxPrometheusUrl = sandbox.analysis.prometheusUrl;
    plan.configPath = sandbox.configPath;
  } else {
    const who = terminal ? `, acting as ${plan.terminalUser ?? "terminal (set TUGBOAT_USER to a Slack user id the config binds to a role)"}` : "";
    say(`Tugboat: live mode (${plan.chat}), config ${plan.configPath}${who}.`);
  }

  const config = loadConfigFile(plan.configPath);
  // The sandbox config names no Prometheus: its port is chosen at start, so canaries are judged by this one.
  if (sandboxPrometheusUrl && !config.deploy.analysis.prometheusUrl) config.deploy.analysis.prometheusUrl = sandboxPrometheusUrl;
  const secrets = new SecretRegistry();
  for (const v of [plan.slack.botToken, plan.slack.appToken, plan.slack.signingSecret, plan.github.token, plan.github.privateKey, plan.github.webhookSecret]) secrets.add(v);
  const logging = createLogging({
    level: plan.logLevel,
    secrets,
    ...(terminal ? { logFile: TERMINAL_LOG, noticeStream: process.stderr } : {}),
    auditFile: config.audit.file ?? (terminal ? TERMINAL_AUDIT : undefined),
  });
  started.logging = logging;
  const log = logging.logger;

  const metrics = new PromMetrics({ defaultMetrics: true, locksHeld: locksHeldHere });
  const kube = await startupStep(
    async () => createKubeGateway({ config, kubeconfigPath: plan.kubeconfig, inCluster: plan.inCluster, timeoutMs: config.kube.requestTimeoutSeconds * 1000, log, onRequest: (cluster) => metrics.kubeObserver(cluster) }),
    (reason) =>
      plan.inCluster
        ? `cannot use the pod's service account (${reason}): TUGBOAT_CLUSTERS=in-cluster works only inside a cluster.`
        : `cannot load the kubeconfig ${plan.kubeconfig ?? ""} (${reason}): set KUBECONFIG to a kubeconfig with a context for each cluster in ${plan.configPath}.`,
  );
  const github = createGithubGateway({ ...plan.github, log, onRequest: metrics.githubObserver });
  // The DORA gauges on /metrics: every app's environments over 30 days, re-read at most hourly, when scraped.
  metrics.refreshDoraWith({
    refresh: () => allDoraFigures(config, github, systemClock.now()),
    maxAgeMs: 60 * 60_000,
    now: () => systemClock.now().getTime(),
    onError: (err) => log.warn("could not refresh the DORA figures", { error: errorMessage(err) }),
  });
  // /readyz reads the last round of these checks; each round is one discovery per cluster and one GitHub read.
  const readiness = new Readiness({
    check: () => findUnreachable({ config, kube, github, timeoutMs: Math.min(5_000, config.kube.requestTimeoutSeconds * 1000) }),
    intervalMs: READINESS_INTERVAL_MS,
    log,
  });
  // POST /github/webhooks (with GITHUB_WEBHOOK_SECRET) joins the ops paths; it answers once the app exists.
  let webhooks: WebhookEndpoint | undefined;
  const opsPaths = createOpsHandler({ readiness: () => readiness.state(), metrics });
  // With METRICS_PORT, PORT (the one exposed to Slack and GitHub) keeps /healthz only; the rest listens apart.
  const split = publicAndPrivateOps(opsPaths, (req, res) => webhooks?.handle(req, res) ?? false, plan.metricsPort !== undefined);
  const ops: OpsHandler = split.public;

  if (!plan.sandbox) {
    const unreachable = await findUnreachable({ config, kube, github, timeoutMs: Math.min(5_000, config.kube.requestTimeoutSeconds * 1000) });
    const sandboxConfig = resolve(plan.configPath) === resolve(SANDBOX_CONFIG);
    if (terminal) describeUnreachable(unreachable, sandboxConfig).forEach(say);
    else if (unreachable.length > 0) log.warn("unreachable at startup", { unreachable });
  }

  // Slack replicas share prompts and event ids through Leases (config.coordination), and say they are alive.
  const sharing = terminal ? undefined : createReplicaSharing({ config, kube, log });
  // Bolt is loaded only when Slack is configured: the terminal starts faster without it.
  const slack = terminal
    ? undefined
    : (await import("./chat/slack/slack-adapter.js")).createSlackAdapter({
        mode: plan.chat === "slack-socket" ? "socket" : "http",
        botToken: plan.slack.botToken!,
        appToken: plan.slack.appToken,
        signingSecret: plan.slack.signingSecret,
        apiUrl: plan.slack.apiUrl,
        port: plan.slack.port,
        log,
        confirmTimeoutSeconds: config.slack.confirmTimeoutSeconds,
        userGroupCacheSeconds: config.slack.userGroupCacheSeconds,
        ops,
        metrics,
        shared: sharing,
      });
  const terminalNotifier: Notifier = createTerminalNotifier(say);

  // /github drives the sandbox's GitHub; against a real one those clicks are a person's (docs/commands.md).
  const onSandbox = drivesSandboxGithub({ embeddedSandbox: plan.sandbox, sandboxConfig: resolve(plan.configPath) === resolve(SANDBOX_CONFIG), githubBaseUrl: plan.github.baseUrl });
  const app = buildApp({
    families: onSandbox ? [...buildFamilies(), githubFamily] : undefined,
    config,
    kube,
    github,
    log,
    audit: logging.audit,
    groups: slack?.groups ?? noGroups,
    notifier: slack?.notifier ?? terminalNotifier,
    metrics,
    instanceId: sharing?.instanceId,
  });
  started.app = app;
  let webhooksPath: string | undefined;
  if (plan.github.webhookSecret) {
    // Loaded only when webhooks are on: their payload schemas, dispatch and @octokit/webhooks' signature check.
    const [{ createWebhookVerifier }, { createWebhookEndpoint, WEBHOOKS_PATH }, { buildWebhookHandlers }] = await Promise.all([
      import("./gateways/github/webhook-verifier.js"),
      import("./webhooks/webhook-endpoint.js"),
      import("./webhooks/handlers.js"),
    ]);
    webhooksPath = WEBHOOKS_PATH;
    const installation = Number(plan.github.installationId);
    webhooks = createWebhookEndpoint({
      verifier: createWebhookVerifier(plan.github.webhookSecret),
      config,
      handlers: buildWebhookHandlers(app.services, sharing?.githubDeliveries),
      log,
      clock: app.services.clock,
      shared: sharing?.githubDeliveries,
      installationId: Number.isInteger(installation) && installation > 0 ? installation : undefined,
    });
  }

  const adapter = terminal
    ? new TerminalAdapter(app.router, {
        input: process.stdin,
        output: process.stdout,
        actor: { id: plan.terminalUser ?? defaultTerminalUser(plan), name: "terminal" },
        assumeYes,
        interactive: Boolean(process.stdin.isTTY),
        onInterrupt: () => void shutdown.stop("interrupt"),
      })
    : undefined;
  const shutdown = new Shutdown({
    say: terminal ? say : (line) => log.info(line),
    stopInput: () => {
      readiness.startDraining();
      return adapter?.stop() ?? [];
    },
    running: () => app.router.running(),
    stopServices: async () => {
      // Running commands finish while the transport is up (their replies, /readyz saying 503); open prompts close.
      await slack?.quiesce();
      await webhooks?.stop();
      await app.stop();
      await slack?.stop();
      await sharing?.presence.stop({ release: true });
      readiness.stop();
      await started.stopOps?.();
      await started.stopMetrics?.();
      await started.stopSandbox?.();
    },
    closeLogs: () => logging.close(),
    exit: (code) => process.exit(code),
    now: () => performance.now(),
  });
  const onSignal = (reason: StopReason) => () => void shutdown.stop(reason);
  process.on("SIGTERM", onSignal("terminate"));
  process.on("SIGINT", onSignal("interrupt"));

  // HTTP mode serves the ops paths next to /slack/events; Socket Mode (and the terminal, when PORT or a webhook secret
  // is set) on PORT. The embedded sandbox's terminal without PORT takes a free loopback port for its webhooks.
  const ownOpsServer = plan.chat === "slack-socket" || (terminal && (Boolean(process.env.PORT) || webhooks !== undefined));
  if (ownOpsServer) {
    const loopbackOnly = terminal && plan.sandbox && !process.env.PORT;
    const port = loopbackOnly ? 0 : plan.slack.port;
    const served = await startupStep(
      () => listenOps(ops, port, loopbackOnly ? "127.0.0.1" : undefined),
      (reason) => `${reason}. /healthz${split.private ? "" : ", /readyz, /metrics"}${webhooksPath ? ` and ${webhooksPath}` : ""} listen on PORT (${plan.slack.port}); set PORT to a free port.`,
    );
    started.stopOps = served.close;
    log.info("health, metrics and webhook endpoints listening", { port: served.port });
    if (webhooksPath && sandboxHooks) sandboxHooks.addUrl(`http://127.0.0.1:${served.port}${webhooksPath}`);
  }
  if (split.private && (slack || ownOpsServer)) {
    const served = await startupStep(
      () => listenOps(split.private!, plan.metricsPort!),
      (reason) => `${reason}. /healthz, /readyz and /metrics listen on METRICS_PORT (${plan.metricsPort}); set it to a free port.`,
    );
    started.stopMetrics = served.close;
    log.info("health, readiness and metrics listening apart from PORT", { port: served.port });
  }
  if (slack) readiness.require(() => slack.notReady());
  if (sharing) readiness.require(() => sharing.presence.notReady());
  // Checked only where /readyz is served: a terminal without PORT has no use for it.
  if (slack || ownOpsServer) void readiness.start();

  if (slack) {
    started.stopSlack = slack.stop;
    // Without it, other replicas take this one's prompts for a dead replica's (closed, nothing done): said, not fatal.
    await sharing?.presence.start().catch((err) => log.warn("cannot record this replica's presence Lease", { error: String(err) }));
    await startupStep(
      () => slack.start(app.router),
      (reason) => `${reason}. Check SLACK_BOT_TOKEN (the app's xoxb- bot token, from the workspace it is installed in)${plan.slack.apiUrl ? " and SLACK_API_URL" : ""}.`,
    );
    log.info("Slack adapter started", { mode: plan.chat });
    return;
  }
  await adapter!.run();
  await shutdown.stop("end-of-input");
}

function defaultTerminalUser(plan: StartupPlan): string {
  // The sandbox's admin; in live mode there is no safe default, so the terminal acts as nobody unless told.
  return plan.sandbox ? "UADMIN" : "terminal";
}

/** Relative to the working directory when inside it (`.sandbox/kubeconfig`), else as is. */
function shownPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith("..") ? rel : path;
}

/** How often /readyz's Kubernetes and GitHub checks run. */
const READINESS_INTERVAL_MS = 30_000;

const started: Started = {};
main(started).catch(async (err) => {
  process.stderr.write(`${describeStartupFailure(err, { debug: process.env.LOG_LEVEL === "debug" })}\n`);
  // Stop what did start (the sandbox gives its files back), bounded: the failure is already said.
  const cleanup = (async () => {
    await started.stopSlack?.().catch(() => {});
    await started.app?.stop().catch(() => {});
    await started.stopOps?.().catch(() => {});
    await started.stopMetrics?.().catch(() => {});
    await started.stopSandbox?.().catch(() => {});
    await started.logging?.close().catch(() => {});
  })();
  await Promise.race([cleanup, new Promise((r) => setTimeout(r, 5_000).unref())]);
  process.exit(1);
});
