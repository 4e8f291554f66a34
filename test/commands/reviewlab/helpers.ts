import { createHash } from "node:crypto";
import { systemClock, type Clock } from "../../../src/core/services.js";
import type { Harness } from "../../helpers/harness.js";

export const REPO = "octo/github";

export interface FakeClock extends Clock {
  advance(ms: number): void;
}

/** Wall time plus an offset tests can move forward; sleeps are real. */
export function fakeClock(): FakeClock {
  let offset = 0;
  return {
    now: () => new Date(Date.now() + offset),
    sleep: systemClock.sleep,
    advance: (ms) => void (offset += ms),
  };
}

export function fakeSha(...parts: Array<string | number>): string {
  return createHash("sha1").update(parts.join("/")).digest("hex");
}

/** Pushes a new commit to a branch with a green image, as CI would. Returns the sha. */
export function pushCommit(h: Harness, branch: string, tag: string, opts: { pr?: number; state?: "success" | "failure" | "pending" } = {}): string {
  const store = h.sandbox.github.store;
  const sha = fakeSha(branch, tag);
  store.addCommit(REPO, { sha, message: `${tag} on ${branch}` });
  if (opts.pr !== undefined) store.setPullHead(REPO, opts.pr, sha);
  else store.setBranch(REPO, branch, sha);
  store.setStatus(REPO, sha, "ci/image", opts.state ?? "success");
  return sha;
}

export function staging(h: Harness) {
  return h.sandbox.clusters.staging!;
}

export function labNamespaceObj(h: Harness, ns: string): any {
  return staging(h).getObject("v1", "Namespace", undefined, ns);
}

/** Every decoded value of the Secrets in tugboat-secrets. */
export function secretSourceValues(h: Harness): string[] {
  const out: string[] = [];
  for (const s of staging(h).listObjects("v1", "Secret", "tugboat-secrets")) {
    for (const v of Object.values((s.data ?? {}) as Record<string, string>)) out.push(Buffer.from(v, "base64").toString("utf8"));
  }
  return out;
}

export async function until(what: string, cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
