import { loadConfigFile, ConfigError } from "./config/load-config.js";
import { planStartup, StartupError, type StartupPlan } from "./config/environment.js";
import { createLogging, SecretRegistry } from "./infra/logging.js";
import { buildApp } from "./app.js";
import { createKubeGateway } from "./gateways/kubernetes/create-kube-gateway.js";
import { createGithubGateway } from "./gateways/github/create-github-gateway.js";
import { TerminalAdapter } from "./chat/terminal/terminal-adapter.js";
import { renderText } from "./chat/terminal/render-text.js";
import { noGroups } from "./core/policy.js";
import type { Notifier } from "./core/services.js";

// The composition root: reads the environment and config, builds gateways, policy, router and one chat adapter.

async function main(): Promise<void> {
  const plan = planStartup(process.env);
  const assumeYes = process.argv.includes("--yes");
  let stopSandbox: (() => Promise<void>) | undefined;

  if (plan.sandbox) {
    process.stdout.write("Tugboat: nothing configured, so running against the embedded sandbox (Kubernetes and GitHub in-process; kubeconfig in .sandbox/kubeconfig).\n");
    // Imported lazily: a live deployment never loads the sandbox.
    const { startSandbox } = await import("./sandbox/index.js");
    const { DEMO_DELAYS, TEST_DELAYS, ZERO_DELAYS } = await import("./sandbox/kube/index.js");
    const speeds = { demo: DEMO_DELAYS, test: TEST_DELAYS, zero: ZERO_DELAYS };
    const speed = (process.env.SANDBOX_SPEED ?? "demo") as keyof typeof speeds;
    if (!speeds[speed]) throw new StartupError(`SANDBOX_SPEED must be demo, test or zero, not "${process.env.SANDBOX_SPEED}"`);
    const sandbox = await startSandbox({
      delays: speeds[speed],
      kubePort: process.env.SANDBOX_KUBE_PORT ? Number(process.env.SANDBOX_KUBE_PORT) : 0,
      githubPort: process.env.SANDBOX_GITHUB_PORT ? Number(process.env.SANDBOX_GITHUB_PORT) : 0,
    });
    stopSandbox = sandbox.stop;
    plan.kubeconfig = sandbox.kubeconfigPath;
    plan.github = { baseUrl: sandbox.env.GITHUB_API_URL, token: sandbox.env.GITHUB_TOKEN };
    plan.configPath = sandbox.configPath;
  } else {
    const who = plan.chat === "terminal" ? `, acting as ${plan.terminalUser ?? "terminal (set TUGBOAT_USER to a Slack user id the config binds to a role)"}` : "";
    process.stdout.write(`Tugboat: live mode (${plan.chat}), config ${plan.configPath}${who}.\n`);
  }

  const config = loadConfigFile(plan.configPath);
  const secrets = new SecretRegistry();
  for (const v of [plan.slack.botToken, plan.slack.appToken, plan.slack.signingSecret, plan.github.token, plan.github.privateKey]) secrets.add(v);
  const terminal = plan.chat === "terminal";
  const logging = createLogging({
    level: plan.logLevel,
    secrets,
    auditFile: config.audit.file ?? (terminal ? ".sandbox/audit.log" : undefined),
  });
  const log = logging.logger;

  const kube = createKubeGateway({ config, kubeconfigPath: plan.kubeconfig, inCluster: plan.inCluster, timeoutMs: config.kube.requestTimeoutSeconds * 1000, log });
  const github = createGithubGateway({ ...plan.github, log });

  // Bolt is loaded only when Slack is configured: the terminal starts faster without it.
  const slack =
    plan.chat === "terminal"
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
        });
  const terminalNotifier: Notifier = { post: async (channel, reply) => void process.stdout.write(`[#${channel}] ${renderText(reply)}\n`) };

  const app = buildApp({
    config,
    kube,
    github,
    log,
    audit: logging.audit,
    groups: slack?.groups ?? noGroups,
    notifier: slack?.notifier ?? terminalNotifier,
  });

  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    await slack?.stop();
    await app.stop();
    await stopSandbox?.();
    await logging.close();
    process.exit(code);
  };
  process.on("SIGTERM", () => void shutdown(0));
  process.on("SIGINT", () => void shutdown(0));

  if (slack) {
    await slack.start(app.router);
    log.info("Slack adapter started", { mode: plan.chat });
    return;
  }
  const adapter = new TerminalAdapter(app.router, {
    input: process.stdin,
    output: process.stdout,
    actor: { id: plan.terminalUser ?? defaultTerminalUser(plan), name: "terminal" },
    assumeYes,
    interactive: Boolean(process.stdin.isTTY),
  });
  await adapter.run();
  await shutdown(0);
}

function defaultTerminalUser(plan: StartupPlan): string {
  // The sandbox's admin; in live mode there is no safe default, so the terminal acts as nobody unless told.
  return plan.sandbox ? "UADMIN" : "terminal";
}

main().catch((err) => {
  if (err instanceof StartupError || err instanceof ConfigError) {
    process.stderr.write(`tugboat: ${err.message}\n`);
  } else {
    process.stderr.write(`tugboat: failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  }
  process.exit(1);
});
