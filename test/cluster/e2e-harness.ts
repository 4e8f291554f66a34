import { buildApp, type App } from "../../src/app.js";
import { loadConfigFile } from "../../src/config/load-config.js";
import type { TugboatConfig } from "../../src/config/schema.js";
import type { AuditEntry } from "../../src/core/logger.js";
import { createKubeGateway } from "../../src/gateways/kubernetes/create-kube-gateway.js";
import { createGithubGateway } from "../../src/gateways/github/create-github-gateway.js";
import type { KubeGateway } from "../../src/gateways/types.js";
import { createLogging, SecretRegistry } from "../../src/infra/logging.js";
import { startGithubSandbox, type GithubSandbox } from "@tugboat/sandbox/github";
import { runThroughRouter, type RunOptions, type Transcript } from "../helpers/harness.js";

// Tugboat's production wiring (buildApp, the real gateways) against a real cluster's kubeconfig and the embedded
// GitHub sandbox serving the generated app repository. Logs go to a file of the run (they may be long).

export interface E2eHarness {
  app: App;
  config: TugboatConfig;
  kube: KubeGateway;
  github: GithubSandbox;
  audit: AuditEntry[];
  run(text: string, opts?: RunOptions): Promise<Transcript>;
  stop(): Promise<void>;
}

export async function startE2eHarness(opts: { configPath: string; kubeconfig: string; seedFile: string; repoFilesDir: string; logStream: NodeJS.WritableStream }): Promise<E2eHarness> {
  const config = loadConfigFile(opts.configPath);
  const github = await startGithubSandbox({ seedFile: opts.seedFile, repoFilesDir: opts.repoFilesDir });
  const secrets = new SecretRegistry();
  secrets.add(github.token);
  const logging = createLogging({ level: "debug", secrets, stream: opts.logStream, auditStream: opts.logStream });
  const kube = createKubeGateway({ config, kubeconfigPath: opts.kubeconfig, timeoutMs: config.kube.requestTimeoutSeconds * 1000, log: logging.logger });
  const githubGateway = createGithubGateway({ baseUrl: github.url, token: github.token, log: logging.logger, retries: 0, throttle: false });
  const audit: AuditEntry[] = [];
  const app = buildApp({
    config,
    kube,
    github: githubGateway,
    log: logging.logger,
    audit: { record: (e) => (audit.push(e), logging.audit.record(e)), started: (e) => logging.audit.started?.(e) },
    groups: { groupsOf: async () => new Set() },
    notifier: { post: async () => undefined, update: async () => "gone" },
    background: false,
  });
  return {
    app,
    config,
    kube,
    github,
    audit,
    run: (text, runOpts) => runThroughRouter(app, text, { user: "UE2E", channel: "CE2E", ...runOpts }),
    stop: async () => {
      await app.stop();
      await github.stop();
      await logging.close();
    },
  };
}
