// Shared set-up for the GitHub sandbox tests: a sandbox per suite, Octokit clients (plain and with the
// throttling + retry plugins), and an afterEach that checks every response of the test against OpenAPI.
import { Octokit } from "@octokit/rest";
import { throttling } from "@octokit/plugin-throttling";
import { retry } from "@octokit/plugin-retry";
import { type Exchange, type GithubSandbox, type GithubSandboxOptions, startGithubSandbox } from "@tugboat/sandbox/github";
import { report } from "./openapi.js";

export const OWNER = "octo";
export const REPO = "github";
export const R = { owner: OWNER, repo: REPO } as const;
export const FULL = `${OWNER}/${REPO}`;

export const SHAS = {
  main: "0c6121e4cc22cb1339ba8e9694640db55a1c1b31",
  staging: "4e2b69b7257d0acef565ae51b930fda4288aa759",
  pr4812: "eed486a1e3c237947f6d05a688220f3d3d81f035",
  pr4813: "0da8a4352f6e38c3291ab8bf29fc4c9bcf1a4ceb",
  pr4814: "5b6d0fbafdfd99b84f1b0fc998dffb8944f99f70",
  pr4815: "77a51aa966d710f860f47c8866e1fe14bc249e50",
  pr4816: "663c692a0f1296edefa2dbd3fa35d535f8881708",
  pr4817: "2fd8044780a6012a1c156116684ac755d44618a3",
} as const;

export const ThrottledOctokit = Octokit.plugin(throttling, retry);

export interface SandboxHandle {
  sb: GithubSandbox;
  octokit: Octokit;
  /** Every exchange since the suite started (all are checked against OpenAPI after each test). */
  exchanges: Exchange[];
  /** OpenAPI mismatches found so far, one entry per test. */
  problems: string[];
  /** Throws when any response so far didn't match the OpenAPI description; call it from a last `it`. */
  assertFidelity(): void;
  throttled(extra?: ConstructorParameters<typeof ThrottledOctokit>[0]): InstanceType<typeof ThrottledOctokit>;
}

/**
 * Registers mocha hooks: start a fresh sandbox before the suite (and, with `fresh`, before each test),
 * validate each test's responses against GitHub's OpenAPI description afterwards, stop at the end.
 * Mismatches are collected (a failing afterEach would skip the rest of the suite): end each suite with
 * `it("answers as GitHub's OpenAPI description says", () => h.assertFidelity())` in a last describe.
 */
export function useGithubSandbox(opts: GithubSandboxOptions & { fresh?: boolean } = {}): SandboxHandle {
  const h = { exchanges: [] as Exchange[], problems: [] as string[] } as unknown as SandboxHandle;
  let checked = 0;
  const start = async (): Promise<void> => {
    h.sb = await startGithubSandbox({ ...opts, onResponse: (x) => { h.exchanges.push(x); opts.onResponse?.(x); } });
    h.octokit = new Octokit({ baseUrl: h.sb.url, auth: h.sb.token, log: quietLog });
    h.throttled = (extra = {}) => new ThrottledOctokit({
      baseUrl: h.sb.url,
      auth: h.sb.token,
      log: quietLog,
      throttle: { onRateLimit: () => true, onSecondaryRateLimit: () => true, retryAfterBaseValue: 1 },
      retry: { retryAfterBaseValue: 1 },
      ...extra,
    });
  };
  if (opts.fresh) {
    beforeEach(start);
    afterEach(async () => h.sb.stop());
  } else {
    before(start);
    after(async () => h.sb?.stop());
  }
  afterEach(function () {
    this.timeout(30_000); // the first check loads the OpenAPI description
    const fresh = h.exchanges.slice(checked);
    checked = h.exchanges.length;
    const problems = report(fresh);
    if (problems) h.problems.push(`in "${this.currentTest?.fullTitle() ?? "?"}":\n${problems}`);
  });
  h.assertFidelity = () => {
    if (h.problems.length) throw new Error(`responses that don't match GitHub's OpenAPI description:\n${h.problems.join("\n")}`);
  };
  return h;
}

export const quietLog = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

/** Runs fn and returns the Octokit RequestError it throws (fails if it doesn't throw). */
export async function rejection(fn: () => Promise<unknown>): Promise<{ status: number; message: string; response?: { data: unknown; headers: Record<string, unknown> } }> {
  try {
    await fn();
  } catch (e) {
    return e as { status: number; message: string; response?: { data: unknown; headers: Record<string, unknown> } };
  }
  throw new Error("expected the request to fail");
}
