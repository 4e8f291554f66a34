import { relative } from "node:path";

// Root hook: the suite runs without mocha's `exit: true`, so a server, socket, interval or child process left
// open keeps node alive after the last test.
// - One process (`npx mocha file…`): rather than hang, the run fails after a grace period and names what is still
//   open. The timer is unref'd: a clean run exits at once and never sees it.
// - `mocha --parallel` (npm test): each worker process runs file after file and is ended by mocha, so it never
//   has to exit on its own; there the check runs after every file instead: what the file left holding the process
//   (its ref'd handles, beyond those the worker had before) must be gone within the grace period, or that file
//   fails, naming them.

// How long what is left open may take to close (TUGBOAT_LEAK_GRACE_MS: the leak check's own test shortens it).
const GRACE_MS = Number(process.env.TUGBOAT_LEAK_GRACE_MS) || 10_000;

function describeHandle(h: unknown): string {
  const name = (h as { constructor?: { name?: string } })?.constructor?.name ?? typeof h;
  const any = h as Record<string, unknown> & { address?: () => unknown; spawnargs?: string[] };
  if (name === "Server" && typeof any.address === "function") return `Server ${JSON.stringify(any.address())}`;
  if (name === "Socket") return `Socket ${String(any.localAddress)}:${String(any.localPort)} -> ${String(any.remoteAddress)}:${String(any.remotePort)}`;
  if (name === "ChildProcess") return `ChildProcess ${(any.spawnargs ?? []).join(" ")}`;
  if (name === "Timeout") return `Timer ${String(any._onTimeout).slice(0, 200)}`;
  return name;
}

function activeHandles(): unknown[] {
  const getHandles = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles;
  return getHandles.call(process).filter((h) => h !== process.stdout && h !== process.stderr && h !== process.stdin);
}

/** Whether a handle keeps the process alive (an unref'd timer or socket does not). */
function holdsProcess(h: unknown): boolean {
  const hasRef = (h as { hasRef?: () => boolean }).hasRef;
  return typeof hasRef === "function" ? hasRef.call(h) : true;
}

/** Timers keeping the process alive (node lists them as resources, not handles; unref'd ones are not counted). */
function refdTimers(): number {
  return process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
}

export interface Baseline {
  handles: ReadonlySet<unknown>;
  timers: number;
}

export function baselineNow(): Baseline {
  return { handles: new Set(activeHandles()), timers: refdTimers() };
}

/**
 * What holds the process that was not there at `baseline`, once it has had up to `graceMs` to close (a server
 * closes after its last socket, a child process after its exit); empty when all closed in time.
 */
export async function handlesLeftOpen(baseline: Baseline, graceMs: number, pollMs = 20): Promise<string[]> {
  const end = Date.now() + graceMs;
  for (;;) {
    const open = activeHandles().filter((h) => !baseline.handles.has(h) && holdsProcess(h)).map(describeHandle);
    const timers = refdTimers() - baseline.timers;
    if (timers > 0) open.push(`${timers} timer(s) (setTimeout/setInterval not cleared or unref'd)`);
    if (open.length === 0 || Date.now() >= end) return open;
    await new Promise((r) => setTimeout(r, pollMs).unref());
  }
}

/**
 * What a mocha --parallel worker holds before any test file runs (its channel to mocha, its stdio). A worker is
 * forked with MOCHA_WORKER_ID and a channel; a process a test starts inherits the variable but has no channel.
 */
const inParallelWorker = process.env.MOCHA_WORKER_ID !== undefined && typeof process.send === "function";
const workerBaseline = inParallelWorker ? baselineNow() : undefined;

export const mochaHooks = {
  async afterAll(this: Mocha.Context): Promise<void> {
    if (workerBaseline) {
      this.timeout(GRACE_MS + 5_000);
      // Mocha starts this hook's own time-out timer once the hook has returned its promise: that one is not the
      // file's, so it must not hold the process nor count.
      await Promise.resolve();
      (this.runnable() as unknown as { timer?: NodeJS.Timeout }).timer?.unref();
      const open = await handlesLeftOpen(workerBaseline, GRACE_MS);
      if (open.length > 0) {
        // A worker's root suite holds the one file it ran.
        const file = relative(process.cwd(), this.test?.parent?.suites.find((s) => s.file)?.file ?? "this file");
        throw new Error(`${file} left ${open.length} handle(s) open ${GRACE_MS / 1000} s after its last test:\n${open.map((h) => `  - ${h}`).join("\n")}`);
      }
      return;
    }
    let leaked = false;
    // Mocha sets the exit code from its own 'exit' listener, added after this hook; this one runs first and
    // exits with 1 on the spot when the run had to be ended for a leak.
    process.on("exit", () => {
      if (leaked) process.exit(1);
    });
    const timer = setTimeout(() => {
      leaked = true;
      const open = activeHandles();
      console.error(`The test run left ${open.length} handle(s) open ${GRACE_MS / 1000} s after the last test:`);
      for (const h of open) console.error(`  - ${describeHandle(h)}`);
      console.error(`Active resources: ${process.getActiveResourcesInfo().join(", ")}`);
      process.exit(1);
    }, GRACE_MS);
    timer.unref();
  },
};
