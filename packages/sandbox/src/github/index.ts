// Embedded GitHub REST API sandbox: an in-process node:http server on loopback that the real
// @octokit/rest uses unchanged as its baseUrl. See docs/sandbox.md ("GitHub API").
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { GithubStore } from "./store.js";
import { loadSeed, readSeed } from "./seed.js";
import { type Exchange, type FaultRule, type RequestLogEntry, startServer } from "./server.js";
import { WebhookSender, type Delivery } from "./webhooks/deliver.js";
import { SimulatedCi, type SimulatedCiOptions } from "./webhooks/simulated-ci.js";
import type { GithubEvents } from "./webhooks/events.js";

export { GithubStore, StoreError, gitBlobSha } from "./store.js";
export type {
  CheckConclusion, CheckRunRecord, CheckStatus, CommentRecord, CommitRecord, CommitState, DeploymentRecord,
  DeploymentState, DeploymentStatusRecord, PullRecord, RepoRecord, StatusRecord, UserRecord,
} from "./store.js";
export type { Exchange, FaultRule, RequestLogEntry } from "./server.js";
export type { Delivery } from "./webhooks/deliver.js";
export type { SimulatedCiOptions } from "./webhooks/simulated-ci.js";
export { readSeed, loadSeed } from "./seed.js";

export const DEFAULT_SEED_FILE = "config/sandbox/github.yaml";
export const DEFAULT_REPO_FILES_DIR = "config/sandbox/repos";
export const DEFAULT_TOKEN = "sandbox-token";

export interface GithubSandboxOptions {
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** The token the sandbox accepts (default "sandbox-token"); it authenticates as the seed's first token user. */
  token?: string;
  /** Default config/sandbox/github.yaml (relative paths resolve against the working directory). */
  seedFile?: string;
  /** Default config/sandbox/repos; files of repo owner/name come from <dir>/<owner>-<name>/. */
  repoFilesDir?: string;
  /** Base of html_url links (default https://github.com). */
  htmlBase?: string;
  /** Called after every answered request with the full exchange (tests use it to check responses against OpenAPI). */
  onResponse?: (x: Exchange) => void;
  /** Where changes are delivered as webhooks, signed with `secret` (default: a random one, see `webhooks.secret`). */
  webhooks?: { secret?: string; urls?: string[]; onDelivered?: (d: Delivery) => void };
  /** The simulated CI that sets ci/image on pushed commits; false turns it off. */
  ci?: SimulatedCiOptions | false;
}

export interface GithubSandbox {
  url: string;
  token: string;
  requests: { total: number; log: RequestLogEntry[]; reset(): void };
  store: GithubStore;
  faults: { add(rule: FaultRule): void; clear(): void };
  /** Webhook deliveries: the hook URLs (addUrl/removeUrl), the secret, what was delivered, idle() to wait for them. */
  webhooks: WebhookSender;
  /** The simulated CI (its delayMs may be changed), unless turned off. */
  ci?: SimulatedCi;
  stop(): Promise<void>;
}

/** A relative path resolves against the working directory, else against the repository root (for other cwds). */
function locate(p: string): string {
  const fromCwd = resolve(p);
  if (existsSync(fromCwd)) return fromCwd;
  const fromRepo = resolve(fileURLToPath(new URL("../../../../", import.meta.url)), p);
  return existsSync(fromRepo) ? fromRepo : fromCwd;
}

export async function startGithubSandbox(opts: GithubSandboxOptions = {}): Promise<GithubSandbox> {
  const seedFile = locate(opts.seedFile ?? DEFAULT_SEED_FILE);
  const repoFilesDir = locate(opts.repoFilesDir ?? DEFAULT_REPO_FILES_DIR);
  const store = loadSeed(readSeed(seedFile), repoFilesDir);
  const token = opts.token ?? DEFAULT_TOKEN;
  if (!store.tokens.has(token)) {
    const login = store.tokens.values().next().value ?? "tugboat-bot";
    store.addToken(token, login);
  }
  const webhooks = new WebhookSender({ secret: opts.webhooks?.secret ?? randomBytes(20).toString("hex"), urls: opts.webhooks?.urls, onDelivered: opts.webhooks?.onDelivered });
  const events: GithubEvents = { deliver: (event, payload) => webhooks.send(event, payload) };
  const ci = opts.ci === false ? undefined : new SimulatedCi(events, opts.ci);
  if (ci) events.pushed = (ctx, r, _branch, sha) => ci.pushed(ctx, r, sha);
  const srv = await startServer({
    host: opts.host ?? "127.0.0.1",
    port: opts.port ?? 0,
    store,
    htmlBase: opts.htmlBase ?? "https://github.com",
    onResponse: opts.onResponse,
    events,
  });
  const requests = {
    get total() { return srv.counter.total; },
    get log() { return srv.log; },
    reset() { srv.counter.total = 0; srv.log.length = 0; },
  };
  let stopped: Promise<void> | undefined;
  return {
    url: srv.url,
    token,
    requests,
    store,
    faults: {
      add(rule: FaultRule) { srv.faults.push({ ...rule, remaining: rule.count ?? Number.POSITIVE_INFINITY }); },
      clear() { srv.faults.length = 0; },
    },
    webhooks,
    ci,
    stop() {
      ci?.stop();
      stopped ??= webhooks.stop().then(() => new Promise<void>((res, rej) => {
        srv.server.close((e) => (e ? rej(e) : res()));
        srv.server.closeAllConnections();
      }));
      return stopped;
    },
  };
}
