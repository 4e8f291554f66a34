// A CI that builds every pushed commit: its image status (ci/image by default) is pending at once and success after
// a short delay, as a real pipeline would report it. The delay waits on an injected sleep, so tests move it.
import type { RenderCtx } from "../render/shared.js";
import { SANDBOX_CI_LOGIN, type RepoRecord } from "../store.js";
import { statusPayload, type GithubEvents } from "./events.js";

export interface SimulatedCiOptions {
  /** The status context set (default ci/image, the apps' default imageContexts). */
  context?: string;
  /** From push to success (default 3 s). */
  delayMs?: number;
  /** Waits `ms`; rejects when the signal aborts. Default: a timer. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** The login its statuses come from. */
  login?: string;
}

/** The CI App's bot account (store.ts). */
export const CI_LOGIN = SANDBOX_CI_LOGIN;

function timerSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    t.unref?.();
    signal.addEventListener("abort", () => {
      clearTimeout(t);
      reject(new Error("stopped"));
    }, { once: true });
  });
}

export class SimulatedCi {
  private readonly stopping = new AbortController();
  private readonly context: string;
  /** From push to success; tests and demos may change it while the sandbox runs. */
  delayMs: number;
  private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  private readonly login: string;

  constructor(private readonly events: GithubEvents, opts: SimulatedCiOptions = {}) {
    this.context = opts.context ?? "ci/image";
    this.delayMs = opts.delayMs ?? 3_000;
    this.sleep = opts.sleep ?? timerSleep;
    this.login = opts.login ?? CI_LOGIN;
  }

  /** A branch moved to `sha`: build it. */
  pushed(ctx: RenderCtx, r: RepoRecord, sha: string): void {
    if (this.stopping.signal.aborted) return;
    const repo = `${r.owner}/${r.name}`;
    // A new branch at a commit already built (or a merge of one) is not built again.
    if (ctx.store.latestStatuses(r, sha).some((s) => s.context === this.context && s.state === "success")) return;
    const report = (state: "pending" | "success", description: string) => {
      const rec = ctx.store.setStatus(repo, sha, this.context, state, { description, creator: this.login, target_url: `${ctx.html}/${repo}/actions/runs/${sha.slice(0, 8)}` });
      this.events.deliver("status", statusPayload(ctx, r, rec, this.login));
    };
    report("pending", "Building the image (sandbox CI)");
    this.sleep(this.delayMs, this.stopping.signal).then(
      () => report("success", "Image pushed (sandbox CI)"),
      () => undefined,
    );
  }

  stop(): void {
    this.stopping.abort();
  }
}
