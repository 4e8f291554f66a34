import { Octokit } from "@octokit/rest";
import { throttling } from "@octokit/plugin-throttling";
import { retry } from "@octokit/plugin-retry";
import type { createAppAuth } from "@octokit/auth-app";
import type { Logger } from "../../core/logger.js";

// Octokit with the throttling and retry plugins, authenticated by token or as a GitHub App installation.

export interface OctokitOptions {
  baseUrl?: string;
  token?: string;
  appId?: string;
  privateKey?: string;
  installationId?: string;
  log: Logger;
  /** Retries of 5xx answers (plugin-retry). Tests lower it. */
  retries?: number;
  /**
   * GitHub asks clients to space writes about a second apart, and plugin-throttling does so. Tests against the
   * sandbox turn the spacing off (rate-limit answers are then not retried) to keep the suite fast.
   */
  throttle?: boolean;
}

const TugboatOctokit = Octokit.plugin(throttling, retry);

type AppAuthOptions = Parameters<typeof createAppAuth>[0];
type AppAuth = ReturnType<typeof createAppAuth>;

/**
 * GitHub App authentication (@octokit/auth-app and its JWT and OAuth packages), loaded on first use: a bot that
 * authenticates with a token never loads it, one that is an App loads it with its first request (the startup check).
 * Octokit calls the strategy once, then the auth's hook on every request and octokit.auth() when asked.
 */
function lazyAppAuth(options: AppAuthOptions): (...args: unknown[]) => Promise<unknown> {
  let real: Promise<AppAuth> | undefined;
  const load = (): Promise<AppAuth> => (real ??= import("@octokit/auth-app").then((m) => m.createAppAuth(options)));
  const auth = async (...args: unknown[]): Promise<unknown> => ((await load()) as (...a: unknown[]) => Promise<unknown>)(...args);
  const hook = async (...args: unknown[]): Promise<unknown> => ((await load()).hook as (...a: unknown[]) => Promise<unknown>)(...args);
  return Object.assign(auth, { hook });
}
export type TugboatOctokitInstance = InstanceType<typeof TugboatOctokit>;

export function createOctokit(opts: OctokitOptions): TugboatOctokitInstance {
  const auth = opts.token
    ? { auth: opts.token }
    : {
        authStrategy: lazyAppAuth,
        auth: {
          appId: opts.appId!,
          privateKey: (opts.privateKey ?? "").replace(/\\n/g, "\n"),
          installationId: opts.installationId ? Number(opts.installationId) : undefined,
        },
      };
  return new TugboatOctokit({
    ...auth,
    baseUrl: opts.baseUrl,
    userAgent: "tugboat",
    log: {
      debug: () => {},
      info: () => {},
      warn: (msg: string) => opts.log.warn("github client", { detail: msg }),
      // plugin-request-log reports every non-2xx answer here, expected ones too (a 404 for a PR that does not exist):
      // the gateway turns them into GatewayErrors and the caller decides whether that is an error.
      error: (msg: string) => opts.log.debug("github request failed", { detail: msg }),
    },
    retry: { retries: opts.retries ?? 2 },
    throttle: {
      enabled: opts.throttle ?? true,
      onRateLimit: (retryAfter: number, options: { method: string; url: string }, _octokit: unknown, retryCount: number) => {
        opts.log.warn("GitHub rate limit hit", { method: options.method, url: options.url, retryAfter, retryCount });
        return retryCount < 1 && retryAfter <= 60;
      },
      onSecondaryRateLimit: (retryAfter: number, options: { method: string; url: string }) => {
        opts.log.warn("GitHub secondary rate limit hit", { method: options.method, url: options.url, retryAfter });
        return false;
      },
    },
  });
}
