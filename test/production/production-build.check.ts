import { expect } from "chai";
import { execFile, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { promisify } from "node:util";
import { cpSync, existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { startSandbox, type Sandbox } from "@tugboat/sandbox";
import { TEST_DELAYS } from "@tugboat/sandbox/kube";
import { SlackStandIn } from "../chat/slack/helpers/slack-stand-in.js";
import { postSigned, SIGNING_SECRET, slashCommandBody } from "../chat/slack/helpers/signed-request.js";
import { BOT_TOKEN } from "../chat/slack/helpers/test-bot.js";

// The Dockerfile's steps without Docker (CI has no container engine): a clean copy of the tree as the context, the
// build stage's COPYs, `npm ci`, `npm run build`, `npm prune --omit=dev`, the runtime stage's COPYs, then
// `node dist/main.js` there in Slack HTTP mode against a sandbox this test starts (the image holds none). The built
// bot must answer a signed slash command and /healthz, /readyz, /metrics, and stop gracefully on SIGTERM.
// It takes a minute or two, so .ci/run runs it as its own step (`npm run check:production`), not in `npm test`.

const ROOT = resolve(import.meta.dirname, "../..");
const FORM = "application/x-www-form-urlencoded";
const execFileAsync = promisify(execFile);

function run(cwd: string, cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8", env: { ...process.env, npm_config_audit: "false", npm_config_fund: "false" } });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (${r.status}):\n${(r.stderr || r.stdout).slice(-3000)}`);
}

/** The working tree as a clean clone would have it: tracked and untracked-but-not-ignored files, no node_modules. */
function cleanCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), "tugboat-prod-"));
  const files = spawnSync("git", ["ls-files", "-z", "-c", "-o", "--exclude-standard"], { cwd: ROOT, encoding: "utf8" }).stdout.split("\0").filter((f) => f && existsSync(join(ROOT, f)));
  const tar = spawnSync("tar", ["-c", "-f", "-", "--null", "-T", "-"], { cwd: ROOT, input: files.join("\0"), maxBuffer: 1 << 30 });
  if (tar.status !== 0) throw new Error(`tar failed: ${tar.stderr}`);
  const untar = spawnSync("tar", ["-x", "-f", "-"], { cwd: dir, input: tar.stdout });
  if (untar.status !== 0) throw new Error(`untar failed: ${untar.stderr}`);
  return dir;
}

/**
 * One stage's COPY lines, replayed: from the build context (`context`, the tree as a clone has it) or, with
 * --from, from the build stage's /app (`built`), into `into`, links kept as links as Docker copies them. Each stage
 * sees only what it copies: the build stage has no packages/ (so no sandbox), the runtime stage no sources.
 */
function copyStage(stage: "build" | "runtime", from: { context: string; built?: string }, into: string): void {
  const stages = readFileSync(join(ROOT, "Dockerfile"), "utf8").split(/^FROM /m).slice(1);
  const text = stage === "build" ? stages[0]! : stages.at(-1)!;
  const copies = [...text.matchAll(/^COPY[ \t]+(?:--from=(\S+)[ \t]+)?(\S+(?:[ \t]+\S+)*)[ \t]+(\S+)[ \t]*$/gm)];
  expect(copies.length, `the ${stage} stage's COPY lines`).to.be.greaterThan(0);
  for (const [, stageName, sources, target] of copies) {
    for (const source of sources!.split(/\s+/)) {
      // Build-stage paths are under its WORKDIR /app.
      const src = stageName ? join(from.built!, source.replace(/^\/app\/?/, "")) : join(from.context, source);
      // `COPY a b ./` copies into the folder; `COPY dir ./dir` copies to that name.
      cpSync(src, join(into, target!, target!.endsWith("/") ? basename(src) : ""), { recursive: true, verbatimSymlinks: true });
    }
  }
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

/** True also for a link whose target is missing (existsSync follows links). */
function lstatExists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolvePort) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolvePort(port));
    });
  });
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Resident memory of a process in MiB (Linux). */
function rssMiB(pid: number): number {
  const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]);
  return Math.round(kb / 1024);
}

describe("production build (the Dockerfile's steps, without Docker)", function () {
  this.timeout(300_000);
  let context: string | undefined;
  let dir: string;
  let image: string;
  let sandbox: Sandbox;
  let sandboxDir: string;
  let standIn: SlackStandIn;
  let bot: ChildProcess | undefined;
  let output = "";
  let base = "";

  before(() => {
    // TUGBOAT_BUILT_COPY reuses a copy built by an earlier run (while working on this file).
    if (process.env.TUGBOAT_BUILT_COPY) dir = process.env.TUGBOAT_BUILT_COPY;
    else {
      context = cleanCopy();
      dir = mkdtempSync(join(tmpdir(), "tugboat-build-"));
      copyStage("build", { context }, dir);
      run(dir, "npm", ["ci", "--prefer-offline"]);
      run(dir, "npm", ["run", "build"]);
      run(dir, "npm", ["prune", "--omit=dev"]);
    }
    image = mkdtempSync(join(tmpdir(), "tugboat-image-"));
    copyStage("runtime", { context: context ?? ROOT, built: dir }, image);
  });

  after(() => {
    if (dir && !process.env.TUGBOAT_BUILT_COPY) rmSync(dir, { recursive: true, force: true });
    if (context) rmSync(context, { recursive: true, force: true });
    if (image) rmSync(image, { recursive: true, force: true });
  });

  // The sandbox is a development tool (packages/sandbox): neither dist/ nor the image's node_modules holds it, and
  // the built bot with nothing configured says so in one line instead of starting one.
  it("ships no sandbox, and with nothing configured says in one line how to configure a cluster", async () => {
    expect(lstatExists(join(image, "node_modules/@tugboat/sandbox")), "@tugboat/sandbox in the image").to.equal(false);
    const sandboxCode = filesUnder(join(image, "dist")).filter((f) => /startKubeSandbox|startGithubSandbox|class Store\b/.test(readFileSync(f, "utf8")));
    expect(sandboxCode, "sandbox code in dist/").to.deep.equal([]);
    expect(filesUnder(join(image, "dist")).length, "dist/ was built").to.be.greaterThan(20);
    const bare = spawnSync(process.execPath, ["dist/main.js"], { cwd: image, env: { PATH: process.env.PATH }, encoding: "utf8", input: "", timeout: 20_000 });
    expect(bare.status, bare.stdout + bare.stderr).to.equal(1);
    const said = bare.stderr.trim().split("\n");
    expect(said, bare.stderr).to.have.length(1);
    expect(said[0]).to.match(/^tugboat: the embedded sandbox \(@tugboat\/sandbox\) is a development tool/);
    expect(said[0]).to.include("KUBECONFIG");
  });

  beforeEach(async () => {
    // Slow enough pods that a deploy is still rolling out when SIGTERM arrives.
    sandboxDir = mkdtempSync(join(tmpdir(), "tugboat-prod-sandbox-"));
    sandbox = await startSandbox({ outDir: sandboxDir, delays: { ...TEST_DELAYS, podReadyMs: 1500 } });
    standIn = await new SlackStandIn().start();
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    output = "";
    bot = spawn(process.execPath, ["dist/main.js"], {
      cwd: image,
      env: {
        PATH: process.env.PATH,
        SLACK_BOT_TOKEN: BOT_TOKEN,
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_API_URL: standIn.apiUrl,
        PORT: String(port),
        KUBECONFIG: sandbox.kubeconfigPath,
        GITHUB_TOKEN: sandbox.github.token,
        GITHUB_API_URL: sandbox.github.url,
        TUGBOAT_CONFIG: sandbox.configPath,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    bot.stdout!.on("data", (d) => (output += d));
    bot.stderr!.on("data", (d) => (output += d));
    await until("/healthz", async () => ((await fetch(`${base}/healthz`)).status === 200 ? true : undefined));
  });

  afterEach(async () => {
    if (bot && bot.exitCode === null) {
      bot.kill("SIGKILL");
      await new Promise((r) => bot!.once("exit", r));
    }
    await standIn.stop();
    await sandbox.stop();
    rmSync(sandboxDir, { recursive: true, force: true });
  });

  function slash(command: string, text: string, id: string, who = { user_id: "UADMIN", channel_id: "CDEPLOYS" }) {
    return postSigned(`${base}/slack/events`, slashCommandBody({ command, text, ...who, response_url: standIn.responseUrl(id) }), FORM);
  }

  const posted = () => standIn.callsTo("chat.postMessage").concat(standIn.callsTo("chat.update")).map((c) => JSON.stringify(c.args));

  it("has no dev dependencies, answers a signed slash command, and serves /healthz, /readyz and /metrics", async () => {
    for (const dev of ["tsx", "typescript", "mocha", "eslint"]) expect(existsSync(join(image, "node_modules", dev)), dev).to.equal(false);
    const ready = await until("/readyz 200", async () => {
      const r = await fetch(`${base}/readyz`);
      return r.status === 200 ? r.json() : undefined;
    });
    expect(ready).to.deep.equal({ ready: true, reasons: [] });
    const idle = rssMiB(bot!.pid!);

    const res = await slash("/kube", "get pods -n github-production", "r1");
    expect(res.status).to.equal(200);
    await until("the /kube reply", async () => (posted().some((p) => p.includes("unicorn")) ? true : undefined));
    await slash("/deploy", "PR4812 to staging", "r2");
    await until("the deploy's final reply", async () => (posted().some((p) => /Deployed|deployed/.test(p)) ? true : undefined), 30_000);
    for (let i = 0; i < 5; i++) await slash("/kube", "describe deploy unicorn -n github-staging", `d${i}`);
    await until("five describes", async () => (standIn.callsTo("chat.postMessage").length >= 7 ? true : undefined));
    // Lab templates render in a worker thread: its JavaScript entry must be in dist/.
    await slash("/reviewlab", "up my-branch", "l1", { user_id: "UDEPLOYER", channel_id: "CGITHUB" });
    await until("the lab", async () => (posted().some((p) => p.includes("is ready at")) ? true : undefined), 30_000);
    const busy = rssMiB(bot!.pid!);
    console.log(`      RSS of the built bot: ${idle} MiB idle, ${busy} MiB after 8 commands (a review lab among them)`);

    const metrics = await (await fetch(`${base}/metrics`)).text();
    const byName = new Map(parsePrometheusTextFormat(metrics).map((f) => [f.name, f]));
    const sample = (name: string, labels: Record<string, string>) =>
      byName.get(name)?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v))?.value;
    expect(sample("tugboat_commands_total", { family: "kube", verb: "get", outcome: "success" })).to.equal("1");
    expect(sample("tugboat_deploys_total", { app: "github", env: "staging", outcome: "success" })).to.equal("1");
    expect(Number(sample("tugboat_slack_api_requests_total", { method: "chat.postMessage", status: "ok" }))).to.be.at.least(8);
    expect(metrics).to.match(/^tugboat_slack_ack_seconds_count 8$/m);
    expect(byName.has("nodejs_eventloop_lag_seconds"), "default process metrics").to.equal(true);
    expect(byName.has("process_resident_memory_bytes")).to.equal(true);
  });

  it("on SIGTERM: /readyz says 503, a new command is turned away, the running deploy finishes and releases its lock, then it exits 0", async () => {
    await until("/readyz 200", async () => ((await fetch(`${base}/readyz`)).status === 200 ? true : undefined));
    await slash("/deploy", "PR4812 to staging", "r1");
    await until("the deploy to start", async () => (posted().some((p) => /staging/.test(p)) ? true : undefined));
    const exited = new Promise<number | null>((r) => bot!.once("exit", (code) => r(code)));
    bot!.kill("SIGTERM");

    const draining = await until("/readyz 503", async () => {
      const r = await fetch(`${base}/readyz`);
      return r.status === 503 ? r.json() : undefined;
    });
    expect((draining as { reasons: string[] }).reasons).to.include("draining: shutting down");
    expect((await fetch(`${base}/healthz`)).status, "alive while draining").to.equal(200);
    await slash("/kube", "get pods -n github-staging", "r2");
    await until("the turn-away", async () => (standIn.responses.some((r) => JSON.stringify(r).includes("restarting")) ? true : undefined));

    expect(await exited, output).to.equal(0);
    expect(posted().some((p) => /Deployed|deployed/.test(p)), "the deploy finished").to.equal(true);
    // Asynchronously: the sandbox answers kubectl from this process.
    const leases = await execFileAsync("kubectl", ["--kubeconfig", sandbox.kubeconfigPath, "--context", "staging", "get", "leases", "-n", "github-staging", "-o", "name"]);
    expect(leases.stdout.trim(), "no lock left behind").to.equal("");
    expect(standIn.callsTo("chat.postMessage").some((c) => JSON.stringify(c.args).includes("get pods")), "the turned-away command did not run").to.equal(false);
  });
});
