// Benchmark: `/kube get pods -A` on big clusters, the built bot against `kubectl get pods -A` (its default chunking,
// 500 a request), on the same sandbox API server, in the same run; then `-o yaml` the same way (--yaml-runs each).
//
//   npm run bench:kube-get [-- --sizes 5000,50000,100000 --runs 2 --yaml-runs 1 --no-write]
//
// For each size the sandbox (in a child process) holds that many Running pods in staging, plus the seed. Tugboat runs
// as `node dist/main.js` in Slack HTTP mode against the Slack stand-in in this process, a fresh process per size:
// "first reply" is from sending the signed slash command to the stand-in receiving the channel message (the first
// rows and "… N more rows"); "attachment" is until the file upload is complete (kube.attachmentMaxRows, 50,000
// rows, caps it). RSS is sampled every 50 ms while the command runs. kubectl runs as a child process (its start
// included): "first reply" is its first byte on stdout, its peak RSS is getrusage's ru_maxrss for the child. The bot
// runs as the image runs it (NODE_OPTIONS="--max-semi-space-size=1 --max-old-space-size=256", MALLOC_ARENA_MAX=2; see the Dockerfile).
// Results go to docs/benchmarks.md (section "## /kube get pods -A at scale").

import { spawn } from "node:child_process";
import type { SlackStandIn } from "../../test/chat/slack/helpers/slack-stand-in.js";
import { log, mb, median, memoryOf, numberArg, ratio, runFacts, sendCommand, sleep, startBot, startSandboxProcess, withStandIn, type SandboxProcess, runBenchmark } from "./lib/processes.js";
import { publish } from "./lib/write-section.js";

const KUBECTL = "/usr/bin/kubectl";
const RUNS = numberArg("runs", 2);
const YAML_RUNS = numberArg("yaml-runs", 1);
/** As the image runs the bot (Dockerfile). */
const IMAGE_ENV = { NODE_OPTIONS: "--max-semi-space-size=1 --max-old-space-size=256", MALLOC_ARENA_MAX: "2" };
const SIZES = (() => {
  const i = process.argv.indexOf("--sizes");
  return i >= 0 ? process.argv[i + 1]!.split(",").map(Number) : [5000, 50_000, 100_000];
})();

interface Run {
  firstMs: number;
  doneMs: number;
  peakRss: number;
}

interface Contest {
  tugboat: Run[];
  tugboatRequests: number;
  firstReplyLine: string;
  kubectl: Run[];
  kubectlRequests: number;
  /** kubectl's output size: lines for the table, bytes for YAML. */
  kubectlOutput: number;
}

interface SizeResult {
  pods: number;
  rows: number;
  tugboatIdle: number;
  table: Contest;
  yaml: Contest;
}

function methodsSince(standIn: SlackStandIn, from: number): string[] {
  return standIn.calls.slice(from).map((c) => c.method);
}

/** One `/kube get pods -A …` through Slack: time to the first channel message and to the uploaded attachment. */
async function tugboatRun(standIn: SlackStandIn, bot: Awaited<ReturnType<typeof startBot>>, text: string): Promise<Run & { firstText: string }> {
  standIn.reset();
  let peak = memoryOf(bot.pid).rss;
  const sampler = setInterval(() => (peak = Math.max(peak, memoryOf(bot.pid).rss)), 50);
  const t0 = performance.now();
  const acked = await sendCommand(bot, standIn, "/kube", text);
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

/** `kubectl get pods -A …`: time to its first output byte, to its exit, and its peak RSS (getrusage of the child). */
async function kubectlRun(kubeconfig: string, extra: string[]): Promise<Run & { lines: number; bytes: number }> {
  const script = "import resource,subprocess,sys\np=subprocess.Popen(sys.argv[1:],stdout=sys.stdout)\np.wait()\nprint(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,file=sys.stderr)";
  const t0 = performance.now();
  const child = spawn("python3", ["-c", script, KUBECTL, "--kubeconfig", kubeconfig, "--context", "staging", "get", "pods", "-A", ...extra], { stdio: ["ignore", "pipe", "pipe"] });
  let firstMs = 0;
  let lines = 0;
  let bytes = 0;
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => {
    if (!firstMs) firstMs = performance.now() - t0;
    bytes += d.length;
    for (const b of d) if (b === 10) lines++;
  });
  child.stderr.on("data", (d) => (stderr += String(d)));
  const code = await new Promise<number | null>((r) => child.once("close", r));
  const doneMs = performance.now() - t0;
  const maxKb = Number(/(\d+)\s*$/.exec(stderr.trim())?.[1] ?? NaN);
  if (code !== 0 || !Number.isFinite(maxKb)) throw new Error(`kubectl failed (${code}): ${stderr.slice(0, 500)}`);
  return { firstMs, doneMs, peakRss: maxKb * 1024, lines, bytes };
}

async function measureSize(pods: number): Promise<SizeResult> {
  log(`--- ${pods.toLocaleString("en-US")} pods: starting the sandbox`);
  const sandbox: SandboxProcess = await startSandboxProcess(pods);
  try {
    return await withStandIn(async (standIn) => {
      const bot = await startBot("tugboat", standIn, sandbox, [], IMAGE_ENV);
      try {
        for (let i = 0; i < 3; i++) await sendCommand(bot, standIn, "/kube", "get pods -n github-staging"); // discovery, JIT
        await sleep(3000);
        const tugboatIdle = memoryOf(bot.pid).rss;
        const contest = async (runs: number, text: string, extra: string[], more: RegExp): Promise<Contest> => {
          const c: Contest = { tugboat: [], tugboatRequests: 0, firstReplyLine: "", kubectl: [], kubectlRequests: 0, kubectlOutput: 0 };
          for (let r = 0; r < runs; r++) {
            sandbox.reset();
            await sleep(100);
            const t = await tugboatRun(standIn, bot, text);
            c.tugboatRequests = (await sandbox.requests()).filter((q) => q.path === "/api/v1/pods").length;
            c.tugboat.push(t);
            c.firstReplyLine = more.exec(t.firstText)?.[0] ?? t.firstText.slice(0, 120);
            sandbox.reset();
            await sleep(100);
            const k = await kubectlRun(sandbox.kubeconfigPath, extra);
            c.kubectlRequests = (await sandbox.requests()).filter((q) => q.path === "/api/v1/pods").length;
            c.kubectlOutput = extra.length > 0 ? k.bytes : k.lines - 1;
            c.kubectl.push(k);
            log(`${text}, run ${r + 1}: Tugboat first reply ${t.firstMs.toFixed(0)} ms, attachment ${t.doneMs.toFixed(0)} ms, peak ${mb(t.peakRss)}; kubectl first byte ${k.firstMs.toFixed(0)} ms, done ${k.doneMs.toFixed(0)} ms, peak ${mb(k.peakRss)}`);
          }
          return c;
        };
        const table = await contest(RUNS, "get pods -A", [], /… ([\d,]+) more rows; the full list follows as an attachment/);
        const yaml = await contest(YAML_RUNS, "get pods -A -o yaml", ["-o", "yaml"], /… ([\d,]+) objects in all; the full list follows as an attachment/);
        const result: SizeResult = { pods, rows: table.kubectlOutput, tugboatIdle, table, yaml };
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
  const contestRows = (s: SizeResult, c: Contest, what: string, whole: string) => {
    const tf = median(c.tugboat.map((r) => r.firstMs));
    const td = median(c.tugboat.map((r) => r.doneMs));
    const tp = Math.max(...c.tugboat.map((r) => r.peakRss));
    const kf = median(c.kubectl.map((r) => r.firstMs));
    const kd = median(c.kubectl.map((r) => r.doneMs));
    const kp = Math.max(...c.kubectl.map((r) => r.peakRss));
    const n = `${s.rows.toLocaleString("en-US")} ${what}`;
    return [
      `| ${n}: time to first reply (median) | ${ms(tf)} | ${ms(kf)} (first byte) | ${ratio(tf, kf)} |`,
      `| ${n}: time to the whole output | ${ms(td)} (attachment uploaded, ${whole}) | ${ms(kd)} | ${ratio(td, kd)} |`,
      `| ${n}: peak RSS while answering | ${mb(tp)} (idle before: ${mb(s.tugboatIdle)}) | ${mb(kp)} | ${ratio(tp, kp)} |`,
      `| ${n}: list requests | ${c.tugboatRequests} | ${c.kubectlRequests} | |`,
    ];
  };
  const rows = results.flatMap((s) => contestRows(s, s.table, "rows", "at most 50,000 rows"));
  const yamlRows = results.flatMap((s) => contestRows(s, s.yaml, "pods -o yaml", `at most 8 MiB; kubectl printed ${mb(s.yaml.kubectlOutput)}`));
  const allRuns = (pick: (s: SizeResult) => Contest) =>
    results.map((s) => `${s.pods.toLocaleString("en-US")} pods: Tugboat ${pick(s).tugboat.map((r) => `${r.firstMs.toFixed(0)}/${r.doneMs.toFixed(0)}`).join(", ")}; kubectl ${pick(s).kubectl.map((r) => `${r.firstMs.toFixed(0)}/${r.doneMs.toFixed(0)}`).join(", ")}`).join(". ");
  const body = [
    `Latest run: ${facts.date}, commit ${facts.commit}, ${facts.machine}, ${kubectlVersion}; load average (1/5/15 min) ${loadBefore} at the start, ${facts.load()} at the end. The machine was shared with other engineers' builds and tests while this ran, so absolute times are noisy; Tugboat and kubectl alternated in the same run against the same server, so their ratio is what to read.`,
    "",
    `\`npm run bench:kube-get\`: per size, the sandbox in a child process holding that many Running pods in staging (plus the seed's); Tugboat as \`node dist/main.js\` in Slack HTTP mode as the image runs it (\`NODE_OPTIONS="--max-semi-space-size=1 --max-old-space-size=256" MALLOC_ARENA_MAX=2\`; a fresh process per size, warmed with three namespace reads), its Web API the Slack stand-in; kubectl as a child process with its default chunking (500). ${RUNS} runs each of the table and ${YAML_RUNS} of \`-o yaml\`, alternating. Tugboat's first reply is the channel message with the first rows and "… N more rows" (e.g. \`${results.at(-1)?.table.firstReplyLine ?? ""}\`); the attachment follows, paged, up to \`kube.attachmentMaxRows\` (50,000) rows. With \`-o yaml\` the first reply is the document's first lines and \`${results.at(-1)?.yaml.firstReplyLine ?? ""}\`, the attachment at most \`kube.attachmentMaxBytes\` (8 MiB) of YAML. kubectl prints nothing until it has every page, so its first byte is nearly its end.`,
    "",
    "| measure | Tugboat `/kube get pods -A` | `kubectl get pods -A` | ratio (Tugboat / kubectl) |",
    "|---|---|---|---|",
    ...rows,
    "",
    "| measure | Tugboat `/kube get pods -A -o yaml` | `kubectl get pods -A -o yaml` | ratio (Tugboat / kubectl) |",
    "|---|---|---|---|",
    ...yamlRows,
    "",
    `All runs (first reply / whole output, ms), table: ${allRuns((s) => s.table)}.`,
    "",
    `All runs, -o yaml: ${allRuns((s) => s.yaml)}.`,
  ].join("\n");
  publish("## /kube get pods -A at scale", body);
}

runBenchmark(main);
