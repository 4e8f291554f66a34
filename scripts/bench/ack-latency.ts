// Benchmark: how fast Slack gets its ack for a signed slash command, Tugboat against a bare Bolt app, same run.
//
//   npm run bench:ack [-- --rounds 10 --no-write]
//
// Each bot runs as `node` in Slack HTTP mode (Tugboat: `node dist/main.js`; the peer: scripts/bench/bare-bolt.mjs)
// against the Slack stand-in in this process and the sandbox in a child process. At 1, 20 and 100 concurrent
// commands, --rounds rounds each (a round: that many signed `/kube get pods -n github-staging` sent at once), the
// time from sending to the HTTP 200 (Bolt's ack) is recorded; between rounds the bot is left to finish the work
// the commands started. Results go to docs/benchmarks.md (section "## Slack ack latency").

import type { SlackStandIn } from "../../test/chat/slack/helpers/slack-stand-in.js";
import { log, numberArg, percentile, ratio, runFacts, sendCommand, sleep, startBot, startSandboxProcess, withStandIn, type BotKind, runBenchmark } from "./lib/processes.js";
import { publish } from "./lib/write-section.js";

const ROUNDS = numberArg("rounds", 10);
const LEVELS = [1, 20, 100];

interface Latencies {
  kind: BotKind;
  byLevel: Map<number, { ms: number[]; failures: number }>;
}

/** Waits until every command sent so far has posted its first message (or 30 s pass). */
async function drained(standIn: SlackStandIn, expected: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (standIn.calls.filter((c) => c.method === "chat.postMessage" || c.method === "chat.postEphemeral").length + standIn.responses.length < expected && Date.now() < deadline) await sleep(20);
  await sleep(200);
}

async function measure(kind: BotKind, standIn: SlackStandIn, sandbox: Awaited<ReturnType<typeof startSandboxProcess>>): Promise<Latencies> {
  const bot = await startBot(kind, standIn, sandbox);
  const byLevel = new Map<number, { ms: number[]; failures: number }>();
  try {
    // warm-up: JIT, sockets, discovery
    for (let i = 0; i < 20; i++) await sendCommand(bot, standIn, "/kube", "get pods -n github-staging");
    standIn.reset();
    await drained(standIn, 0);
    for (const level of LEVELS) {
      const ms: number[] = [];
      let failures = 0;
      for (let r = 0; r < ROUNDS; r++) {
        standIn.reset();
        const results = await Promise.all(Array.from({ length: level }, () => sendCommand(bot, standIn, "/kube", "get pods -n github-staging")));
        for (const res of results) {
          if (res.status === 200) ms.push(res.ms);
          else failures++;
        }
        await drained(standIn, level);
      }
      byLevel.set(level, { ms, failures });
      log(`${kind} at ${level}: p50 ${percentile(ms, 50).toFixed(1)} ms, p99 ${percentile(ms, 99).toFixed(1)} ms (${ms.length} acks, ${failures} failed)`);
    }
  } finally {
    await bot.stop();
  }
  return { kind, byLevel };
}

async function main(): Promise<void> {
  const facts = runFacts();
  const loadBefore = facts.load();
  const sandbox = await startSandboxProcess(0);
  try {
    const [bolt, tugboat] = await withStandIn(async (standIn) => [await measure("bolt", standIn, sandbox), await measure("tugboat", standIn, sandbox)]);
    const rows = LEVELS.map((level) => {
      const t = tugboat.byLevel.get(level)!;
      const b = bolt.byLevel.get(level)!;
      const [t50, t99, b50, b99] = [percentile(t.ms, 50), percentile(t.ms, 99), percentile(b.ms, 50), percentile(b.ms, 99)];
      return `| ${level} | ${t50.toFixed(1)} / ${t99.toFixed(1)} ms | ${b50.toFixed(1)} / ${b99.toFixed(1)} ms | ${ratio(t50, b50)} / ${ratio(t99, b99)} | ${t.ms.length} (${t.failures} not 200) | ${b.ms.length} (${b.failures} not 200) |`;
    });
    const body = [
      `Latest run: ${facts.date}, commit ${facts.commit}, ${facts.machine}; load average (1/5/15 min) ${loadBefore} at the start, ${facts.load()} at the end. The machine was shared with other engineers' builds and tests while this ran, so absolute times are noisy; both bots ran in the same run, one after the other, so the ratio is what to read.`,
      "",
      `\`npm run bench:ack\`: each bot as \`node\` in Slack HTTP mode (Tugboat: \`node dist/main.js\`; the peer: \`scripts/bench/bare-bolt.mjs\`, a Bolt app that acks and posts one message) against the Slack stand-in, the sandbox in a child process. ${ROUNDS} rounds per level of signed \`/kube get pods -n github-staging\` sent at once; time from sending to HTTP 200 (the ack); each round waits until the bot has answered every command of the last.`,
      "",
      "| commands at once | Tugboat p50 / p99 | bare Bolt p50 / p99 | ratio p50 / p99 (Tugboat / Bolt) | Tugboat acks | Bolt acks |",
      "|---|---|---|---|---|---|",
      ...rows,
    ].join("\n");
    publish("## Slack ack latency", body);
  } finally {
    sandbox.stop();
  }
}

runBenchmark(main);
