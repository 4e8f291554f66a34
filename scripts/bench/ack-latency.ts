// Benchmark: how fast Slack gets its ack for a signed slash command, Tugboat against a bare Bolt app, same run.
//
//   npm run bench:ack [-- --rounds 20 --levels 1,20,100 --cpu-prof DIR --no-write]
//
// Both bots run at once as `node` in Slack HTTP mode (Tugboat: `node dist/main.js`; the peer:
// scripts/bench/bare-bolt.mjs) against the Slack stand-in in this process and the sandbox in a child process. At 1, 20
// and 100 concurrent commands, --rounds rounds each, alternating: a round of the bare app, then one of Tugboat, so both
// see the same moments of the machine's load. A round is that many signed `/kube get pods -n github-staging` sent at
// once; the time from sending to the HTTP 200 (Bolt's ack) is recorded; each round waits until the bot has answered
// every command of the last and its CPU time stands still. Wall-clock latency moves with the machine's load; each
// bot's CPU time (user + system, from /proc/<pid>/stat) over a level's rounds does not, so CPU per 1,000 commands is
// given for both. `--cpu-prof DIR` runs both bots under node's --cpu-prof (DIR/tugboat, DIR/bolt; written when they
// stop); BENCH_TUGBOAT_MAIN runs another build of Tugboat (lib/processes.ts). Results go to docs/benchmarks.md
// (section "## Slack ack latency").

import { join } from "node:path";
import type { SlackStandIn } from "../../test/chat/slack/helpers/slack-stand-in.js";
import { cpuSecondsOf, log, numberArg, percentile, ratio, runFacts, sendCommand, sleep, startBot, startSandboxProcess, withStandIn, type BotKind, type BotProcess, runBenchmark } from "./lib/processes.js";
import { publish } from "./lib/write-section.js";

const ROUNDS = numberArg("rounds", 20);
const LEVELS = (() => {
  const i = process.argv.indexOf("--levels");
  return i >= 0 ? process.argv[i + 1]!.split(",").map(Number) : [1, 20, 100];
})();
const CPU_PROF_DIR = (() => {
  const i = process.argv.indexOf("--cpu-prof");
  return i >= 0 ? process.argv[i + 1] : undefined;
})();
/** Seconds both bots sit idle after the warm-up, to measure what each spends with no commands (Tugboat's replica work). */
const IDLE_SECONDS = 5;

interface Level {
  ms: number[];
  failures: number;
  /** Each round's own p99 (its slowest ack but one at 100), to show how much the pooled p99 rests on one round. */
  roundP99: number[];
  /** The bot's CPU seconds from its first round of this level to its last round's drain. */
  cpuSeconds: number;
}

/**
 * Waits until every command sent so far has posted its first message, and then until the bot's CPU time stops moving
 * (what a command does after its first post, and the collections it leaves, belong to its round, not to the next).
 */
async function drained(standIn: SlackStandIn, expected: number, pid: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (standIn.calls.filter((c) => c.method === "chat.postMessage" || c.method === "chat.postEphemeral").length + standIn.responses.length < expected && Date.now() < deadline) await sleep(20);
  const settleBy = Date.now() + 5_000;
  let last = cpuSecondsOf(pid);
  for (let still = 0; still < 3 && Date.now() < settleBy; ) {
    await sleep(50);
    const now = cpuSecondsOf(pid);
    still = now === last ? still + 1 : 0;
    last = now;
  }
}

async function round(bot: BotProcess, standIn: SlackStandIn, level: number, into: Level): Promise<void> {
  standIn.reset();
  const cpu0 = cpuSecondsOf(bot.pid);
  const results = await Promise.all(Array.from({ length: level }, () => sendCommand(bot, standIn, "/kube", "get pods -n github-staging")));
  const ms: number[] = [];
  for (const res of results) {
    if (res.status === 200) ms.push(res.ms);
    else into.failures++;
  }
  into.ms.push(...ms);
  if (ms.length > 0) into.roundP99.push(percentile(ms, 99));
  await drained(standIn, level, bot.pid);
  into.cpuSeconds += cpuSecondsOf(bot.pid) - cpu0;
}

/** CPU seconds per 1,000 commands (each acked and answered). */
function cpuPerThousand(l: Level): number {
  return l.ms.length + l.failures > 0 ? (l.cpuSeconds / (l.ms.length + l.failures)) * 1000 : 0;
}

async function main(): Promise<void> {
  const facts = runFacts();
  const loadBefore = facts.load();
  const sandbox = await startSandboxProcess(0);
  const idleCpuPerSecond = new Map<BotKind, number>();
  const results = new Map<BotKind, Map<number, Level>>([
    ["bolt", new Map()],
    ["tugboat", new Map()],
  ]);
  try {
    await withStandIn(async (standIn) => {
      const profile = (kind: BotKind) => (CPU_PROF_DIR ? ["--cpu-prof", "--cpu-prof-dir", join(CPU_PROF_DIR, kind)] : []);
      const bots = [await startBot("bolt", standIn, sandbox, profile("bolt")), await startBot("tugboat", standIn, sandbox, profile("tugboat"))];
      try {
        // warm-up: JIT, sockets, discovery
        for (const bot of bots) {
          standIn.reset();
          for (let i = 0; i < 20; i++) await sendCommand(bot, standIn, "/kube", "get pods -n github-staging");
          await drained(standIn, 20, bot.pid);
        }
        const idle0 = bots.map((bot) => cpuSecondsOf(bot.pid));
        await sleep(IDLE_SECONDS * 1000);
        bots.forEach((bot, i) => idleCpuPerSecond.set(bot.kind, (cpuSecondsOf(bot.pid) - idle0[i]!) / IDLE_SECONDS));
        for (const level of LEVELS) {
          for (const bot of bots) results.get(bot.kind)!.set(level, { ms: [], failures: 0, roundP99: [], cpuSeconds: 0 });
          for (let r = 0; r < ROUNDS; r++) {
            // Alternate which bot goes first, so neither always follows the other's round.
            for (const bot of r % 2 === 0 ? bots : [...bots].reverse()) await round(bot, standIn, level, results.get(bot.kind)!.get(level)!);
          }
          for (const bot of bots) {
            const l = results.get(bot.kind)!.get(level)!;
            log(`${bot.kind} at ${level}: p50 ${percentile(l.ms, 50).toFixed(1)} ms, p99 ${percentile(l.ms, 99).toFixed(1)} ms (${l.ms.length} acks, ${l.failures} failed), CPU ${cpuPerThousand(l).toFixed(2)} s per 1,000`);
            log(`  each round's p99, in order (ms): ${l.roundP99.map((v) => v.toFixed(0)).join(" ")}`);
          }
        }
      } finally {
        for (const bot of bots) await bot.stop();
      }
    });
    const tugboat = results.get("tugboat")!;
    const bolt = results.get("bolt")!;
    const rows = LEVELS.map((level) => {
      const t = tugboat.get(level)!;
      const b = bolt.get(level)!;
      const [t50, t99, b50, b99] = [percentile(t.ms, 50), percentile(t.ms, 99), percentile(b.ms, 50), percentile(b.ms, 99)];
      const roundMedian = (l: Level) => percentile(l.roundP99, 50);
      const [tc, bc] = [cpuPerThousand(t), cpuPerThousand(b)];
      return `| ${level} | ${t50.toFixed(1)} / ${t99.toFixed(1)} ms | ${b50.toFixed(1)} / ${b99.toFixed(1)} ms | ${ratio(t50, b50)} / ${ratio(t99, b99)} | ${roundMedian(t).toFixed(1)} / ${roundMedian(b).toFixed(1)} ms (${ratio(roundMedian(t), roundMedian(b))}) | ${tc.toFixed(2)} / ${bc.toFixed(2)} s (${ratio(tc, bc)}) | ${t.ms.length} (${t.failures} not 200) | ${b.ms.length} (${b.failures} not 200) |`;
    });
    const body = [
      `Latest run: ${facts.date}, commit ${facts.commit}, ${facts.machine}; load average (1/5/15 min) ${loadBefore} at the start, ${facts.load()} at the end. Both bots ran at the same time and took turns round by round, so they saw the same load; the ratio is what to read.`,
      "",
      `\`npm run bench:ack\`: both bots as \`node\` in Slack HTTP mode at once (Tugboat: \`node dist/main.js\`; the peer: \`scripts/bench/bare-bolt.mjs\`, a Bolt app that acks and posts one message) against the Slack stand-in, the sandbox in a child process. ${ROUNDS} rounds per level and bot, alternating (bare app, Tugboat, Tugboat, bare app, …), of signed \`/kube get pods -n github-staging\` sent at once; time from sending to HTTP 200 (the ack); each round waits until the bot has answered every command of the last and its CPU time has stood still for 150 ms. "Median round p99" is the median over the rounds of each round's own p99, which one slow round cannot move.`,
      "",
      "| commands at once | Tugboat p50 / p99 | bare Bolt p50 / p99 | ratio p50 / p99 (Tugboat / Bolt) | median round p99, Tugboat / Bolt | CPU per 1,000 commands, Tugboat / Bolt | Tugboat acks | Bolt acks |",
      "|---|---|---|---|---|---|---|---|",
      ...rows,
      "",
      `CPU is each bot's own (user + system, /proc/<pid>/stat) from sending a round to its last answer, summed over the level's rounds: the ack and all of the command's work (Tugboat: the Kubernetes request, the Table, the reply, the audit; the bare app: one post). Idle, with no commands, over ${IDLE_SECONDS} s after the warm-up: Tugboat ${(idleCpuPerSecond.get("tugboat")! * 1000).toFixed(0)} ms of CPU per second, the bare app ${(idleCpuPerSecond.get("bolt")! * 1000).toFixed(0)} ms.`,
    ].join("\n");
    publish("## Slack ack latency", body);
  } finally {
    sandbox.stop();
  }
}

runBenchmark(main);
