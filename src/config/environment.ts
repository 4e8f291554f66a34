// Which mode to start in, decided from the environment variables only.
// Nothing configured → embedded sandbox. Anything configured → everything it needs must be configured too.

export interface StartupPlan {
  sandbox: boolean;
  chat: "slack-socket" | "slack-http" | "terminal";
  configPath: string;
  kubeconfig?: string;
  inCluster: boolean;
  github: { baseUrl?: string; token?: string; appId?: string; privateKey?: string; installationId?: string; webhookSecret?: string };
  slack: { botToken?: string; appToken?: string; signingSecret?: string; apiUrl?: string; port: number };
  /**
   * METRICS_PORT: /readyz, /metrics (and /healthz) on a listener of their own, so PORT carries only what Slack and
   * GitHub post to (and /healthz); unset, they share PORT as before.
   */
  metricsPort?: number;
  terminalUser?: string;
  logLevel: string;
}

export class StartupError extends Error {}

const LIVE_VARS = ["SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "KUBECONFIG", "TUGBOAT_CLUSTERS", "GITHUB_TOKEN", "GITHUB_APP_ID", "GITHUB_PRIVATE_KEY", "GITHUB_INSTALLATION_ID", "GITHUB_API_URL", "TUGBOAT_CONFIG"];

export function planStartup(env: NodeJS.ProcessEnv): StartupPlan {
  const set = (k: string) => (env[k] ?? "").trim() !== "";
  const port = Number(env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new StartupError(`PORT must be a port number, not "${env.PORT}"`);
  const metricsPort = env.METRICS_PORT === undefined || env.METRICS_PORT.trim() === "" ? undefined : Number(env.METRICS_PORT);
  if (metricsPort !== undefined && (!Number.isInteger(metricsPort) || metricsPort < 1 || metricsPort > 65535)) {
    throw new StartupError(`METRICS_PORT must be a port number, not "${env.METRICS_PORT}"`);
  }
  if (metricsPort !== undefined && metricsPort === port) throw new StartupError(`METRICS_PORT must differ from PORT (both ${port}); unset it to serve /metrics and /readyz on PORT`);
  const slack = {
    botToken: env.SLACK_BOT_TOKEN,
    appToken: env.SLACK_APP_TOKEN,
    signingSecret: env.SLACK_SIGNING_SECRET,
    apiUrl: env.SLACK_API_URL,
    port,
  };
  const chat: StartupPlan["chat"] = set("SLACK_BOT_TOKEN") && set("SLACK_APP_TOKEN") ? "slack-socket" : set("SLACK_BOT_TOKEN") && set("SLACK_SIGNING_SECRET") ? "slack-http" : "terminal";
  const base = {
    chat,
    slack,
    metricsPort,
    terminalUser: env.TUGBOAT_USER,
    logLevel: env.LOG_LEVEL ?? (chat === "terminal" ? "warn" : "info"),
  };
  const anyLive = LIVE_VARS.some(set);
  if (!anyLive) {
    return { ...base, sandbox: true, configPath: "config/sandbox/tugboat.yaml", inCluster: false, github: {} };
  }

  const missing: string[] = [];
  if ((set("SLACK_APP_TOKEN") || set("SLACK_SIGNING_SECRET")) && !set("SLACK_BOT_TOKEN")) missing.push("SLACK_BOT_TOKEN (Slack needs the bot token as well)");
  if (set("SLACK_BOT_TOKEN") && !set("SLACK_APP_TOKEN") && !set("SLACK_SIGNING_SECRET")) missing.push("SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET (HTTP mode)");
  const inCluster = env.TUGBOAT_CLUSTERS === "in-cluster" || (!set("KUBECONFIG") && set("KUBERNETES_SERVICE_HOST") && set("TUGBOAT_CLUSTERS"));
  if (!set("KUBECONFIG") && !inCluster) missing.push("KUBECONFIG (a kubeconfig with one context per cluster) or TUGBOAT_CLUSTERS=in-cluster");
  if (!set("GITHUB_TOKEN") && !(set("GITHUB_APP_ID") && set("GITHUB_PRIVATE_KEY"))) missing.push("GITHUB_TOKEN, or GITHUB_APP_ID with GITHUB_PRIVATE_KEY");
  if (set("GITHUB_APP_ID") !== set("GITHUB_PRIVATE_KEY") && !set("GITHUB_TOKEN")) missing.push("both GITHUB_APP_ID and GITHUB_PRIVATE_KEY");
  // Without an installation id a GitHub App can only authenticate as itself, which reads no repository.
  if (set("GITHUB_APP_ID") && !set("GITHUB_TOKEN") && !set("GITHUB_INSTALLATION_ID")) missing.push("GITHUB_INSTALLATION_ID (the GitHub App's installation)");
  if (missing.length > 0) {
    throw new StartupError(
      `Tugboat is partly configured for a live setup, and will not fall back to the sandbox. Missing: ${missing.join("; ")}. ` +
        `Unset ${LIVE_VARS.filter(set).join(", ")} to run against the embedded sandbox instead.`,
    );
  }
  return {
    ...base,
    sandbox: false,
    configPath: env.TUGBOAT_CONFIG || "config/tugboat.yaml",
    kubeconfig: env.KUBECONFIG,
    inCluster,
    github: {
      baseUrl: env.GITHUB_API_URL,
      token: env.GITHUB_TOKEN,
      appId: env.GITHUB_APP_ID,
      privateKey: env.GITHUB_PRIVATE_KEY,
      installationId: env.GITHUB_INSTALLATION_ID,
      // POST /github/webhooks answers only when this is set (deliveries are verified with it).
      webhookSecret: env.GITHUB_WEBHOOK_SECRET || undefined,
    },
  };
}
