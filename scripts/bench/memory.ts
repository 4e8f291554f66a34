// Benchmark: the built bot's memory against a bare Bolt app's, in the same run.
//
//   npm run bench:memory [-- --queries 10000 --concurrency 10 --pods 5000 --idle-runs 6 --node-defaults --no-write]
//
// The sandbox (with --pods extra pods in staging, so `get pods -A` is a big Table) runs in a child process; each bot
// runs as `node` in Slack HTTP mode against the Slack stand-in in this process, one after the other, as the image
// runs them (and with node's defaults too, with --node-defaults). Idle: --idle-runs fresh starts of each bot,
// alternating, RSS 10 s after start (the median and the range, since one start differs from the next by ±10 MB).
// Then for each bot: idle RSS 10 s after start, then --queries signed slash commands (a fixed mix of /kube reads, -A lists included,
// and /deploy status) at most --concurrency in flight, RSS sampled every 100 ms, then RSS after 15 s of quiet.
// Results go to docs/benchmarks.md (section "## Memory").

import { mb, log, median, memoryOf, numberArg, ratio, runFacts, sendCommand, sleep, startBot, startSandboxProcess, withStandIn, type BotKind, runBenchmark } from "./lib/processes.js";
import { publish } from "./lib/write-section.js";
import type { SlackStandIn } from "../../test/chat/slack/helpers/slack-stand-in.js";
import { imageRuntime } from "../../test/helpers/image-runtime.js";

const QUERIES = numberArg("queries", 10_000);
const CONCURRENCY = numberArg("concurrency", 10);
const PODS = numberArg("pods", 5000);
const IDLE_RUNS = numberArg("idle-runs", 6);

/** The mix, by weight: mostly namespace reads, some cluster-wide lists and describes, a few GitHub-backed views. */
const MIX: Array<[number, string, string]> = [
  [40, "/kube", "get pods -n github-staging"],
  [15, "/kube", "get deploy,svc -n github-staging -o wide"],
  [10, "/kube", "describe deploy unicorn -n github-staging"],
  [10, "/kube", "get pods -n bench-003"],
  [10, "/deploy", "status unicorn"],
  [5, "/kube", "get events -n github-staging"],
  [5, "/kube", "get pods -A"],
  [5, "/kube", "get nodes -o wide"],
];

function commandAt(i: number): [string, string] {
  const total = MIX.reduce((n, [w]) => n + w, 0);
  let k = (i * 37) % total; // a fixed, well-spread order
  for (const [w, command, text] of MIX) {
    if (k < w) return [command, text];
    k -= w;
  }
  return [MIX[0]![1], MIX[0]![2]];
}

interface MemoryRun {
  kind: BotKind;
  idle: number;
  peak: number;
  after: number;
  seconds: number;
  failures: number;
}

/** Counts the first post of each command (chat.postMessage or a response_url post), forgetting the calls as it goes. */
function completions(standIn: SlackStandIn): () => number {
  let done = 0;
  return () => {
    done += standIn.calls.filter((c) => c.method === "chat.postMessage" || c.method === "chat.postEphemeral").length + standIn.responses.length;
    standIn.calls.length = 0;
    standIn.responses.length = 0;
    standIn.uploads.length = 0;
    return done;
  };
}

/**
 * As the image runs it (the Dockerfile's ENV and ENTRYPOINT node flags, read from it), both bots with the same node
 * command line; and node as it comes with --node-defaults.
 */
const IMAGE = imageRuntime();
const VARIANTS: Array<{ label: string; env: Record<string, string>; nodeArgs: string[] }> = [
  ...(process.argv.includes("--node-defaults") ? [{ label: "node defaults", env: {}, nodeArgs: [] }] : []),
  {
    label: `\`${Object.entries(IMAGE.env).map(([k, v]) => `${k}=${/\s/.test(v) ? `"${v}"` : v}`).join(" ")} node ${IMAGE.nodeArgs.join(" ")}\` (as the image runs it; both bots)`,
    env: IMAGE.env,
    nodeArgs: IMAGE.nodeArgs,
  },
];

/** Idle RSS of fresh starts, the bots alternating (bolt, tugboat, tugboat, bolt, …), 10 s after each start. */
async function idleRuns(standIn: SlackStandIn, sandbox: Awaited<ReturnType<typeof startSandboxProcess>>, env: Record<string, string>, nodeArgs: string[]): Promise<Record<BotKind, number[]>> {
  const out: Record<BotKind, number[]> = { bolt: [], tugboat: [] };
  for (let r = 0; r < IDLE_RUNS; r++) {
    for (const kind of (r % 2 === 0 ? ["bolt", "tugboat"] : ["tugboat", "bolt"]) as BotKind[]) {
      const bot = await startBot(kind, standIn, sandbox, nodeArgs, env);
      await sleep(10_000);
      out[kind].push(memoryOf(bot.pid).rss);
      await bot.stop();
    }
    log(`idle run ${r + 1}: bolt ${mb(out.bolt.at(-1)!)}, tugboat ${mb(out.tugboat.at(-1)!)}`);
  }
  return out;
}

async function measure(kind: BotKind, standIn: SlackStandIn, sandbox: Awaited<ReturnType<typeof startSandboxProcess>>, env: Record<string, string>, nodeArgs: string[]): Promise<MemoryRun> {
  standIn.reset();
  const bot = await startBot(kind, standIn, sandbox, nodeArgs, env);
  try {
    await sleep(10_000);
    const idle = memoryOf(bot.pid).rss;
    log(`${kind}: idle ${mb(idle)}`);
    const done = completions(standIn);
    let peak = idle;
    const sampler = setInterval(() => (peak = Math.max(peak, memoryOf(bot.pid).rss)), 100);
    const t0 = performance.now();
    let sent = 0;
    let failures = 0;
    const worker = async () => {
      while (sent < QUERIES) {
        // at most CONCURRENCY commands in flight: acked and not yet answered
        while (sent - done() >= CONCURRENCY) await sleep(2);
        const i = sent++;
        const [command, text] = commandAt(i);
        const r = await sendCommand(bot, standIn, command, text);
        if (r.status !== 200) failures++;
        if ((i + 1) % 1000 === 0) log(`${kind}: ${i + 1} sent, RSS ${mb(memoryOf(bot.pid).rss)}`);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    while (done() < QUERIES - failures && performance.now() - t0 < 30 * 60_000) await sleep(20);
    const seconds = (performance.now() - t0) / 1000;
    await sleep(15_000);
    clearInterval(sampler);
    const after = memoryOf(bot.pid).rss;
    log(`${kind}: ${QUERIES} queries in ${seconds.toFixed(0)} s; peak ${mb(peak)}, after ${mb(after)}`);
    return { kind, idle, peak, after, seconds, failures };
  } finally {
    await bot.stop();
  }
}

async function main(): Promise<void> {
  const facts = runFacts();
  const loadBefore = facts.load();
  const sandbox = await startSandboxProcess(PODS);
  log(`sandbox ready (pid ${sandbox.pid}, ${PODS} extra pods)`);
  try {
    const results: Array<{ label: string; bolt: MemoryRun; tugboat: MemoryRun; idle: Record<BotKind, number[]> }> = [];
    for (const v of VARIANTS) {
      log(`--- ${v.label}`);
      const [idle, bolt, tugboat] = await withStandIn(async (standIn) => [await idleRuns(standIn, sandbox, v.env, v.nodeArgs), await measure("bolt", standIn, sandbox, v.env, v.nodeArgs), await measure("tugboat", standIn, sandbox, v.env, v.nodeArgs)] as const);
      results.push({ label: v.label, bolt, tugboat, idle });
    }
    const ok = (b: boolean) => (b ? "✅" : "❌");
    const range = (xs: number[]) => `${mb(median(xs))} (${mb(Math.min(...xs))}–${mb(Math.max(...xs))})`;
    const tables = results.flatMap(({ label, bolt, tugboat, idle }) => [
      "",
      `**${label}**`,
      "",
      "| measure | Tugboat | bare Bolt app | ratio (Tugboat / Bolt) | target |",
      "|---|---|---|---|---|",
      `| idle RSS, median of ${IDLE_RUNS} fresh starts (range) | ${range(idle.tugboat)} | ${range(idle.bolt)} | ${ratio(median(idle.tugboat), median(idle.bolt))} (pairs: ${idle.tugboat.map((t, i) => ratio(t, idle.bolt[i]!)).join(", ")}) | ≤ 1.3× ${ok(median(idle.tugboat) <= 1.3 * median(idle.bolt))} |`,
      `| idle RSS before the load | ${mb(tugboat.idle)} | ${mb(bolt.idle)} | ${ratio(tugboat.idle, bolt.idle)} | |`,
      `| peak RSS under ${QUERIES.toLocaleString("en-US")} queries | ${mb(tugboat.peak)} | ${mb(bolt.peak)} | ${ratio(tugboat.peak, bolt.peak)} | < 250 MB ${ok(tugboat.peak < 250 * 1024 * 1024)} |`,
      `| RSS 15 s after the load | ${mb(tugboat.after)} | ${mb(bolt.after)} | ${ratio(tugboat.after, bolt.after)} | near idle (${ratio(tugboat.after, tugboat.idle)} of its idle) |`,
      `| time for the ${QUERIES.toLocaleString("en-US")} queries | ${tugboat.seconds.toFixed(0)} s | ${bolt.seconds.toFixed(0)} s | | |`,
      `| acks that were not 200 | ${tugboat.failures} | ${bolt.failures} | | 0 |`,
    ]);
    const body = [
      `Latest run: ${facts.date}, commit ${facts.commit}, ${facts.machine}; load average (1/5/15 min) ${loadBefore} at the start, ${facts.load()} at the end. The machine was shared with other engineers' builds and tests while this ran, so absolute times are high and noisy; the two bots ran one after the other in the same run, so their ratio is still meaningful.`,
      "",
      `\`npm run bench:memory\`: the sandbox (plus ${PODS.toLocaleString("en-US")} pods in staging) in a child process; each bot as \`node\` in Slack HTTP mode${VARIANTS.length > 1 ? ", first with node's defaults, then as the image runs it" : ", as the image runs it"} (Tugboat: \`node dist/main.js\`, the build; the peer: \`scripts/bench/bare-bolt.mjs\`, a Bolt app that acks and posts one message), its Web API the Slack stand-in. RSS from /proc: idle 10 s after start, ${IDLE_RUNS} fresh starts of each bot alternating, then once more before the load; peak while ${QUERIES.toLocaleString("en-US")} signed slash commands run (at most ${CONCURRENCY} in flight; mix: ${MIX.map(([w, c, t]) => `${w}% \`${c} ${t}\``).join(", ")}; the bare app gets the same commands); after 15 s of quiet.`,
      ...tables,
    ].join("\n");
    publish("## Memory", body);
  } finally {
    sandbox.stop();
  }
}

runBenchmark(main);
