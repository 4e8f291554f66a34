// Benchmark: `/kube get pods -A` on big clusters, the built bot against `kubectl get pods -A` (its default chunking,
// 500 a request), on the same sandbox API server, in the same run.
//
//   npm run bench:kube-get [-- --sizes 5000,50000,100000 --runs 3 --no-write]
//
// For each size the sandbox (in a child process) holds that many Running pods in staging, plus the seed. Tugboat runs
// as `node dist/main.js` in Slack HTTP mode against the Slack stand-in in this process, a fresh process per size:
// "first reply" is from sending the signed slash command to the stand-in receiving the channel message (the first
// rows and "… N more rows"); "attachment" is until the file upload is complete (kube.attachmentMaxRows, 50,000
// rows, caps it). RSS is sampled every 50 ms while the command runs. kubectl runs as a child process (its start
// included): "first reply" is its first byte on stdout, its peak RSS is getrusage's ru_maxrss for the child.
// Results go to docs/benchmarks.md (section "## /kube get pods -A at scale").

import { spawn } from "node:child_process";
import type { SlackStandIn } from "../../test/chat/slack/helpers/slack-stand-in.js";
import { log, mb, median, memoryOf, numberArg, ratio, runFacts, sendCommand, sleep, startBot, startSandboxProcess, withStandIn, type SandboxProcess, runBenchmark } from "./lib/processes.js";
import { publish } from "./lib/write-section.js";

const KUBECTL = "/usr/bin/kubectl";
const RUNS = numberArg("runs", 3);
const SIZES = (() => {
  const i = process.argv.indexOf("--sizes");
  return i >= 0 ? process.argv[i + 1]!.split(",").map(Number) : [5000, 50_000, 100_000];
})();

interface Run {
  firstMs: number;
  doneMs: number;
  peakRss: number;
}

interface SizeResult {
  pods: number;
  rows: number;
  tugboat: Run[];
  tugboatIdle: number;
  tugboatRequests: number;
  firstReplyLine: string;
  kubectl: Run[];
  kubectlRequests: number;
}

function methodsSince(standIn: SlackStandIn, from: number): string[] {
  return standIn.calls.slice(from).map((c) => c.method);
}

/** One `/kube get pods -A` through Slack: time to the first channel message and to the uploaded attachment. */
async function tugboatRun(standIn: SlackStandIn, bot: Awaited<ReturnType<typeof startBot>>): Promise<Run & { firstText: string }> {
  standIn.reset();
  let peak = memoryOf(bot.pid).rss;
  const sampler = setInterval(() => (peak = Math.max(peak, memoryOf(bot.pid).rss)), 50);
  const t0 = performance.now();
  const acked = await sendCommand(bot, standIn, "/kube", "get pods -A");
  if (acked.status !== 200) throw new Error(`ack was ${acked.status}`);
  let firstMs = 0;
  let firstText = "";
  const deadline = Date.now() + 600_000;
  for (;;) {
    const methods = methodsSince(standIn, 0);
    if (!firstMs && methods.includes("chat.postMessage")) {
      firstMs = performance.now() - t0;
      const post = standIn.calls.find((c) => c.method === "chat.postMessage")!;
      firstText = JSON.stringify(post.args.blocks ?? post.args.text);
    }
    if (methods.includes("files.completeUploadExternal") || (firstMs && methods.includes("chat.postEphemeral"))) break;
    if (Date.now() > deadline) throw new Error(`no attachment within 10 minutes (calls: ${methods.join(", ")})`);
    await sleep(5);
  }
  const doneMs = performance.now() - t0;
  clearInterval(sampler);
  return { firstMs, doneMs, peakRss: peak, firstText };
}

/** `kubectl get pods -A`: time to its first output byte, to its exit, and its peak RSS (getrusage of the child). */
async function kubectlRun(kubeconfig: string): Promise<Run & { lines: number }> {
  const script = "import resource,subprocess,sys\np=subprocess.Popen(sys.argv[1:],stdout=sys.stdout)\np.wait()\nprint(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,file=sys.stderr)";
  const t0 = performance.now();
  const child = spawn("python3", ["-c", script, KUBECTL, "--kubeconfig", kubeconfig, "--context", "staging", "get", "pods", "-A"], { stdio: ["ignore", "pipe", "pipe"] });
  let firstMs = 0;
  let lines = 0;
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => {
    if (!firstMs) firstMs = performance.now() - t0;
    for (const b of d) if (b === 10) lines++;
  });
  child.stderr.on("data", (d) => (stderr += String(d)));
  const code = await new Promise<number | null>((r) => child.once("close", r));
  const doneMs = performance.now() - t0;
  const maxKb = Number(/(\d+)\s*$/.exec(stderr.trim())?.[1] ?? NaN);
  if (code !== 0 || !Number.isFinite(maxKb)) throw new Error(`kubectl failed (${code}): ${stderr.slice(0, 500)}`);
  return { firstMs, doneMs, peakRss: maxKb * 1024, lines };
}

async function measureSize(pods: number): Promise<SizeResult> {
  log(`--- ${pods.toLocaleString("en-US")} pods: starting the sandbox`);
  const sandbox: SandboxProcess = await startSandboxProcess(pods);
  try {
    return await withStandIn(async (standIn) => {
      const bot = await startBot("tugboat", standIn, sandbox);
      try {
        for (let i = 0; i < 3; i++) await sendCommand(bot, standIn, "/kube", "get pods -n github-staging"); // discovery, JIT
        await sleep(3000);
        const tugboatIdle = memoryOf(bot.pid).rss;
        const result: SizeResult = { pods, rows: 0, tugboat: [], tugboatIdle, tugboatRequests: 0, firstReplyLine: "", kubectl: [], kubectlRequests: 0 };
        for (let r = 0; r < RUNS; r++) {
          sandbox.reset();
          await sleep(100);
          const t = await tugboatRun(standIn, bot);
          result.tugboatRequests = (await sandbox.requests()).filter((q) => q.path === "/api/v1/pods").length;
          result.tugboat.push(t);
          const more = /… ([\d,]+) more rows; the full list follows as an attachment/.exec(t.firstText);
          result.firstReplyLine = more ? more[0] : t.firstText.slice(0, 120);
          sandbox.reset();
          await sleep(100);
          const k = await kubectlRun(sandbox.kubeconfigPath);
          result.kubectlRequests = (await sandbox.requests()).filter((q) => q.path === "/api/v1/pods").length;
          result.rows = k.lines - 1;
          result.kubectl.push(k);
          log(`run ${r + 1}: Tugboat first reply ${t.firstMs.toFixed(0)} ms, attachment ${t.doneMs.toFixed(0)} ms, peak ${mb(t.peakRss)}; kubectl first byte ${k.firstMs.toFixed(0)} ms, done ${k.doneMs.toFixed(0)} ms, peak ${mb(k.peakRss)}`);
        }
        return result;
      } finally {
        await bot.stop();
      }
    });
  } finally {
    sandbox.stop();
    await sleep(2000);
  }
}

async function main(): Promise<void> {
  const facts = runFacts();
  const loadBefore = facts.load();
  const results: SizeResult[] = [];
  for (const size of SIZES) results.push(await measureSize(size));
  const kubectlVersion = await new Promise<string>((r) => {
    const c = spawn(KUBECTL, ["version", "--client"], { stdio: ["ignore", "pipe", "ignore"] });
    let out = "";
    c.stdout.on("data", (d) => (out += String(d)));
    c.once("close", () => r(out.split("\n")[0] ?? "?"));
  });
  const ms = (x: number) => (x >= 10_000 ? `${(x / 1000).toFixed(1)} s` : `${x.toFixed(0)} ms`);
  const rows = results.flatMap((s) => {
    const tf = median(s.tugboat.map((r) => r.firstMs));
    const td = median(s.tugboat.map((r) => r.doneMs));
    const tp = Math.max(...s.tugboat.map((r) => r.peakRss));
    const kf = median(s.kubectl.map((r) => r.firstMs));
    const kd = median(s.kubectl.map((r) => r.doneMs));
    const kp = Math.max(...s.kubectl.map((r) => r.peakRss));
    const n = s.rows.toLocaleString("en-US");
    return [
      `| ${n} rows: time to first reply (median) | ${ms(tf)} | ${ms(kf)} (first byte) | ${ratio(tf, kf)} |`,
      `| ${n} rows: time to the whole output | ${ms(td)} (attachment uploaded, at most 50,000 rows) | ${ms(kd)} | ${ratio(td, kd)} |`,
      `| ${n} rows: peak RSS while answering | ${mb(tp)} (idle before: ${mb(s.tugboatIdle)}) | ${mb(kp)} | ${ratio(tp, kp)} |`,
      `| ${n} rows: list requests | ${s.tugboatRequests} | ${s.kubectlRequests} | |`,
    ];
  });
  const body = [
    `Latest run: ${facts.date}, commit ${facts.commit}, ${facts.machine}, ${kubectlVersion}; load average (1/5/15 min) ${loadBefore} at the start, ${facts.load()} at the end. The machine was shared with other engineers' builds and tests while this ran, so absolute times are noisy; Tugboat and kubectl alternated in the same run against the same server, so their ratio is what to read.`,
    "",
    `\`npm run bench:kube-get\`: per size, the sandbox in a child process holding that many Running pods in staging (plus the seed's); Tugboat as \`node dist/main.js\` in Slack HTTP mode (a fresh process per size, warmed with three namespace reads), its Web API the Slack stand-in; kubectl as a child process with its default chunking (500). ${RUNS} runs each, alternating. Tugboat's first reply is the channel message with the first rows and "… N more rows" (e.g. \`${results.at(-1)?.firstReplyLine ?? ""}\`); the attachment follows, paged, up to \`kube.attachmentMaxRows\` (50,000) rows. kubectl prints nothing until it has every page, so its first byte is nearly its end.`,
    "",
    "| measure | Tugboat `/kube get pods -A` | `kubectl get pods -A` | ratio (Tugboat / kubectl) |",
    "|---|---|---|---|",
    ...rows,
    "",
    `All runs (first reply / whole output, ms): ${results.map((s) => `${s.pods.toLocaleString("en-US")} pods: Tugboat ${s.tugboat.map((r) => `${r.firstMs.toFixed(0)}/${r.doneMs.toFixed(0)}`).join(", ")}; kubectl ${s.kubectl.map((r) => `${r.firstMs.toFixed(0)}/${r.doneMs.toFixed(0)}`).join(", ")}`).join(". ")}.`,
  ].join("\n");
  publish("## /kube get pods -A at scale", body);
}

runBenchmark(main);
