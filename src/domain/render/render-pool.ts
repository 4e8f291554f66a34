import { Worker } from "node:worker_threads";
import type { KObject } from "../../gateways/types.js";
import type { TemplateValues } from "../render-manifests.js";
import type { RenderRequest, RenderResponse } from "./render-worker.js";

// Renders templates from pull requests off the main thread, within a budget: one job (the files of one deploy or
// lab) gets `timeoutMs` of rendering in all and `maxBytes` of output in all, and a worker gets `MEMORY_MB` of heap.
// A worker that runs out of time is ended (the template it was on is refused, later files are not rendered); the
// main thread, which answers everyone else, never runs template code. Workers are reused between jobs.

export interface TemplateFile {
  path: string;
  text: string;
}

export interface RenderBudget {
  timeoutMs: number;
  maxBytes: number;
}

export interface RenderedSet {
  objects: KObject[];
  /** Rendered bytes of the files that rendered. */
  bytes: number;
  /** One line per template that was refused, naming the file and why. */
  failures: string[];
}

const MEMORY_MB = 128;
/** Workers at most; jobs beyond this many wait their turn, which does not count against their budget. */
const POOL_SIZE = 2;
/**
 * A worker is a second V8 instance (tens of MB): started on a job's demand, kept for the next deploy or lab, and ended
 * after this long without one, so an idle bot holds none.
 */
const IDLE_WORKER_MS = 60_000;

/** The worker entry next to this module: TypeScript under tsx (dev, tests), JavaScript in dist/ (production). */
function startWorker(): Worker {
  const fromSource = import.meta.url.endsWith(".ts");
  const entry = new URL(fromSource ? "./render-worker.ts" : "./render-worker.js", import.meta.url);
  const resourceLimits = { maxOldGenerationSizeMb: MEMORY_MB, maxYoungGenerationSizeMb: 32 };
  if (!fromSource) return new Worker(entry, { resourceLimits });
  // tsx's loader is not inherited by workers: tsx-worker-boot.mjs registers it, then imports the TypeScript entry.
  return new Worker(new URL("./tsx-worker-boot.mjs", import.meta.url), { resourceLimits, workerData: { entry: entry.href } });
}

class RenderWorker {
  private readonly worker = startWorker();
  private nextId = 1;
  private pending?: { id: number; settle: (r: RenderResponse | { id: number; ok: false; reason: string; fatal: true }) => void };
  dead = false;
  private deathReason = "";
  private markReady!: (ok: boolean) => void;
  /** Resolves once the worker has loaded (true), or false when it died first. */
  readonly ready = new Promise<boolean>((resolve) => (this.markReady = resolve));

  constructor() {
    this.worker.on("message", (res: RenderResponse | { ready: true }) => {
      if ("ready" in res) this.markReady(true);
      else if (this.pending?.id === res.id) this.pending.settle(res);
    });
    const die = (reason: string) => {
      this.dead = true;
      this.deathReason ||= reason;
      this.markReady(false);
      this.pending?.settle({ id: this.pending.id, ok: false, reason, fatal: true });
    };
    this.worker.on("error", (err: Error & { code?: string }) =>
      die(err.code === "ERR_WORKER_OUT_OF_MEMORY" ? `used more than ${MEMORY_MB} MB while rendering` : `stopped the renderer (${err.message.split("\n")[0]})`),
    );
    this.worker.on("exit", () => die("stopped the renderer"));
  }

  /** While a job uses the worker it keeps the process alive; idle, it must not (unref after adding listeners, which ref). */
  inUse(yes: boolean): void {
    if (yes) this.worker.ref();
    else this.worker.unref();
  }

  /** Renders one file, or refuses it when `ms` pass first (the worker is then ended). */
  async render(req: Omit<RenderRequest, "id">, ms: number): Promise<RenderResponse & { timedOut?: boolean; fatal?: boolean }> {
    const id = this.nextId++;
    if (!(await this.ready)) return { id, ok: false, reason: `could not start the template renderer (${this.deathReason})`, fatal: true };
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.dead = true;
        this.pending = undefined;
        void this.worker.terminate();
        resolve({ id, ok: false, reason: "", timedOut: true });
      }, Math.max(1, ms));
      this.pending = {
        id,
        settle: (res) => {
          clearTimeout(timer);
          this.pending = undefined;
          resolve(res);
        },
      };
      this.worker.postMessage({ ...req, id } satisfies RenderRequest);
    });
  }

  stop(): void {
    this.dead = true;
    this.retireWhenIdle(undefined);
    void this.worker.terminate();
  }

  private idleTimer?: NodeJS.Timeout;

  /** Calls `retire` after IDLE_WORKER_MS unless the worker is taken again (undefined cancels). */
  retireWhenIdle(retire: (() => void) | undefined): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = retire ? setTimeout(retire, IDLE_WORKER_MS).unref() : undefined;
  }
}

const idle: RenderWorker[] = [];
const waiting: Array<(worker: RenderWorker) => void> = [];
let live = 0;

function spawn(): RenderWorker {
  live++;
  const worker = new RenderWorker();
  worker.inUse(false);
  return worker;
}

async function acquire(): Promise<RenderWorker> {
  const worker = idle.pop() ?? (live < POOL_SIZE ? spawn() : await new Promise<RenderWorker>((resolve) => waiting.push(resolve)));
  worker.retireWhenIdle(undefined);
  worker.inUse(true);
  return worker;
}

/** Ends a worker for good and frees its place in the pool. */
function end(worker: RenderWorker): void {
  worker.stop();
  live--;
}

/** Keeps an idle worker for the next job; it is unreferenced, as is its retirement timer, so it keeps no process alive. */
function park(worker: RenderWorker): void {
  idle.push(worker);
  worker.retireWhenIdle(() => {
    const at = idle.indexOf(worker);
    if (at < 0) return;
    idle.splice(at, 1);
    end(worker);
  });
}

/** Hands the worker to the next job or back to the pool; an ended one is replaced only when a job is waiting. */
function release(worker: RenderWorker): void {
  const waiter = waiting.shift();
  if (worker.dead) {
    end(worker);
    if (waiter) waiter(spawn());
    return;
  }
  worker.inUse(false);
  if (waiter) waiter(worker);
  else park(worker);
}

/** A job's worker was ended mid-job: it gets a fresh one for its remaining files. */
function replace(worker: RenderWorker): RenderWorker {
  end(worker);
  const fresh = spawn();
  fresh.inUse(true);
  return fresh;
}

/** Renders every file of a set within the budget; refusals are collected per file, never thrown. */
export async function renderTemplates(files: TemplateFile[], values: TemplateValues, budget: RenderBudget): Promise<RenderedSet> {
  const out: RenderedSet = { objects: [], bytes: 0, failures: [] };
  if (files.length === 0) return out;
  let worker = await acquire();
  try {
    await worker.ready;
    const deadline = performance.now() + budget.timeoutMs;
    for (const [i, file] of files.entries()) {
      const left = deadline - performance.now();
      if (left <= 0) {
        out.failures.push(`${files.slice(i).map((f) => f.path).join(", ")}: not rendered (the ${seconds(budget.timeoutMs)} rendering budget was spent)`);
        break;
      }
      const sourceBytes = Buffer.byteLength(file.text, "utf8");
      if (sourceBytes > budget.maxBytes) {
        out.failures.push(`${file.path}: the template is ${sourceBytes} bytes, more than the ${budget.maxBytes} allowed`);
        continue;
      }
      if (worker.dead) worker = replace(worker);
      const res = await worker.render({ file: file.path, source: file.text, values, maxBytes: budget.maxBytes - out.bytes }, left);
      if (res.ok) {
        out.objects.push(...(res.objects as KObject[]));
        out.bytes += res.bytes;
        continue;
      }
      if (res.timedOut) {
        // The timer was set to what was left of the job's budget, so the budget is spent (whatever a clock read
        // a millisecond later would say).
        out.failures.push(`${file.path}: took longer than ${seconds(budget.timeoutMs)} to render (a runaway template?)`);
        const rest = files.slice(i + 1).map((f) => f.path);
        if (rest.length > 0) out.failures.push(`${rest.join(", ")}: not rendered (the ${seconds(budget.timeoutMs)} rendering budget was spent)`);
        break;
      }
      out.failures.push(res.fatal ? `${file.path}: ${res.reason}` : res.reason);
    }
  } finally {
    // A worker that refused a template may have been left near its heap limit (a huge output was built before it
    // was measured) and could die during the next job, which would then be refused for someone else's template.
    if (out.failures.length > 0) worker.dead = true;
    release(worker);
  }
  return out;
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(2))} s`;
}

/** Ends idle workers (tests, shutdown); the next job starts new ones. Busy ones end when their job does. */
export function stopRenderWorkers(): void {
  for (const w of idle.splice(0)) end(w);
}
