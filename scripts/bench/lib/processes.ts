// What the Slack benchmarks share: the sandbox in a child process, a bot (the built Tugboat, `node dist/main.js`, or the
// bare Bolt peer) in Slack HTTP mode in another, its Web API pointed at the Slack stand-in in this process, signed
// slash commands, and the processes' memory from /proc.

import { fork, spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { cpus, loadavg } from "node:os";
import { join, resolve } from "node:path";
import { execFileSync } from "node:child_process";
import { SlackStandIn } from "../../../test/chat/slack/helpers/slack-stand-in.js";
import { sign, slashCommandBody } from "../../../test/chat/slack/helpers/signed-request.js";
import type { ChildMessage, SandboxRequest } from "./sandbox-child.js";

export const ROOT = resolve(import.meta.dirname, "../../..");
export const SIGNING_SECRET = "bench-signing-secret-0123456789abcdef";

export function numberArg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

export function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

export interface SandboxProcess {
  pid: number;
  env: Record<string, string>;
  kubeconfigPath: string;
  configPath: string;
  requests(cluster?: string): Promise<SandboxRequest[]>;
  reset(): void;
  /** Sets the sandbox's simulated delays (e.g. podReadyMs, to make rollouts longer). */
  setDelays(delays: Record<string, number>): void;
  stop(): void;
}

/** The embedded sandbox plus `pods` bare Running pods in staging, in a child process (tsx). */
export async function startSandboxProcess(pods = 0): Promise<SandboxProcess> {
  const child = fork(join(ROOT, "scripts/bench/lib/sandbox-child.ts"), ["--pods", String(pods), "--namespaces", String(Math.max(1, Math.min(200, Math.ceil(pods / 500))))], {
    execArgv: ["--import", "tsx", "--max-old-space-size=4096"],
    cwd: ROOT,
    stdio: ["ignore", "ignore", "inherit", "ipc"],
  });
  const waiting: Array<(m: ChildMessage) => void> = [];
  child.on("message", (m: ChildMessage) => waiting.shift()?.(m));
  const next = () => new Promise<ChildMessage>((r, reject) => {
    waiting.push(r);
    child.once("exit", (code) => reject(new Error(`sandbox process exited (${code})`)));
  });
  const ready = await next();
  if (ready.type !== "ready") throw new Error("sandbox process: unexpected message");
  return {
    pid: child.pid!,
    env: ready.env,
    kubeconfigPath: ready.kubeconfigPath,
    configPath: ready.configPath,
    requests: async (cluster = "staging") => {
      const p = next();
      child.send({ cmd: "requests", cluster });
      const m = await p;
      return m.type === "requests" ? m.log : [];
    },
    reset: () => void child.send({ cmd: "reset" }),
    setDelays: (delays) => void child.send({ cmd: "delays", delays }),
    stop: () => void child.kill(),
  };
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as AddressInfo).port;
      srv.close(() => resolvePort(port));
    });
  });
}

export type BotKind = "tugboat" | "bolt";

export interface BotProcess {
  kind: BotKind;
  pid: number;
  eventsUrl: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Starts the built Tugboat (`node dist/main.js`) or the bare Bolt app in Slack HTTP mode against the stand-in and
 * the sandbox; resolves once it accepts connections. `nodeArgs` go to node (e.g. V8 flags).
 */
export async function startBot(kind: BotKind, standIn: SlackStandIn, sandbox: SandboxProcess, nodeArgs: string[] = [], extraEnv: Record<string, string> = {}): Promise<BotProcess> {
  const port = await freePort();
  // BENCH_TUGBOAT_MAIN: another build's main.js (e.g. of an earlier commit), to compare a change in the same conditions.
  const script = kind === "tugboat" ? (process.env.BENCH_TUGBOAT_MAIN ?? join(ROOT, "dist/main.js")) : join(ROOT, "scripts/bench/bare-bolt.mjs");
  if (!existsSync(script)) throw new Error(`${script} is missing: run npm run build first`);
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: "production",
    PORT: String(port),
    SLACK_BOT_TOKEN: "xoxb-bench",
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: standIn.apiUrl,
    LOG_LEVEL: "warn",
    KUBECONFIG: sandbox.kubeconfigPath,
    TUGBOAT_CONFIG: sandbox.configPath,
    GITHUB_API_URL: sandbox.env.GITHUB_API_URL,
    GITHUB_TOKEN: sandbox.env.GITHUB_TOKEN,
    ...extraEnv,
  };
  const child = spawn(process.execPath, [...nodeArgs, script], { cwd: ROOT, env, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr!.on("data", (d) => (stderr = (stderr + String(d)).slice(-4000)));
  let stopping = false;
  child.once("exit", (code, signal) => {
    if (!stopping) log(`${kind} (pid ${child.pid}) exited on its own (${code ?? signal}): ${stderr.trim()}`);
  });
  const eventsUrl = `http://127.0.0.1:${port}/slack/events`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${kind} exited at start (${child.exitCode}): ${stderr}`);
    try {
      await fetch(eventsUrl, { method: "GET" });
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`${kind} did not listen within 60 s: ${stderr}`);
      await sleep(100);
    }
  }
  return {
    kind,
    pid: child.pid!,
    eventsUrl,
    child,
    stop: async () => {
      stopping = true;
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await Promise.race([exited, sleep(10_000)]);
      if (child.exitCode === null) child.kill("SIGKILL");
    },
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

let nextResponse = 0;

/** One signed slash command, as Slack sends it; resolves with the HTTP status and the time to the ack. */
export async function sendCommand(bot: BotProcess, standIn: SlackStandIn, command: string, text: string, user = "UVIEWER"): Promise<{ status: number; ms: number }> {
  const body = slashCommandBody({ command, text, user_id: user, channel_id: "CBENCH", channel_name: "bench", response_url: standIn.responseUrl(`r${nextResponse++}`) });
  const timestamp = Math.floor(Date.now() / 1000);
  const t0 = performance.now();
  const res = await fetch(bot.eventsUrl, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", "x-slack-request-timestamp": String(timestamp), "x-slack-signature": sign(body, timestamp, SIGNING_SECRET) },
    body,
  });
  await res.text();
  return { status: res.status, ms: performance.now() - t0 };
}

/** A process's resident memory now and at its peak (VmHWM), in bytes. */
export function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0) * 1024;
  return { rss: kb("VmRSS"), peak: kb("VmHWM") };
}

const CLOCK_TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/**
 * A process's CPU time so far (user + system, all its threads), in seconds, from /proc/<pid>/stat: unlike wall-clock
 * latency, it does not depend on what else the machine is running.
 */
export function cpuSecondsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name, which is in parentheses and may itself hold spaces: state is field 3, utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

export function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(0)} MB`;
}

export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

export function median(xs: number[]): number {
  return percentile(xs, 50);
}

export function ratio(a: number, b: number): string {
  const r = a / b;
  return `${r < 0.1 ? r.toPrecision(2) : r.toFixed(2)}×`;
}

/** Date, commit, machine and load for a results table. */
export function runFacts(): { date: string; commit: string; machine: string; load: () => string } {
  const commit = (() => {
    try {
      const sha = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT, encoding: "utf8" }).trim();
      const dirty = execFileSync("git", ["status", "--porcelain", "--untracked-files=no", "--", "src", "scripts"], { cwd: ROOT, encoding: "utf8" }).trim() !== "";
      return dirty ? `${sha} + uncommitted edits in src/ or scripts/ (shared tree)` : sha;
    } catch {
      return "?";
    }
  })();
  return {
    date: new Date().toISOString().slice(0, 16).replace("T", " ") + " UTC",
    commit,
    machine: `${cpus().length} cores (${cpus()[0]?.model.trim() ?? "cpu"}), Node ${process.version}`,
    load: () => loadavg().map((x) => x.toFixed(1)).join(" / "),
  };
}

export async function withStandIn<T>(fn: (standIn: SlackStandIn) => Promise<T>): Promise<T> {
  const standIn = await new SlackStandIn().start();
  try {
    return await fn(standIn);
  } finally {
    await standIn.stop();
  }
}

/** Runs a benchmark's main and exits (client agents keep sockets alive); a failure prints one stack and exits 1. */
export function runBenchmark(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (err) => {
      process.stderr.write(`benchmark failed: ${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    },
  );
}
