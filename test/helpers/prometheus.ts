import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";

// A real Prometheus (Debian's 2.42, installed by npm test's pretest or .ci/run) on a loopback port, scraping the
// given targets every second from a generated config, with its data in a temporary directory.
// When it is not installed the test fails (never skips), saying what to install.

export interface RunningPrometheus {
  url: string;
  stop(): Promise<void>;
}

export function prometheusBinary(): string {
  const found = (process.env.PATH ?? "").split(delimiter).map((d) => join(d, "prometheus")).find((p) => existsSync(p));
  if (found) return found;
  if (existsSync("/usr/bin/prometheus")) return "/usr/bin/prometheus";
  throw new Error("prometheus is not installed: run `sudo apt-get install prometheus` (npm test's pretest does it when it may)");
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export async function startPrometheus(targets: string[]): Promise<RunningPrometheus> {
  const binary = prometheusBinary();
  const dir = mkdtempSync(join(tmpdir(), "tugboat-prometheus-"));
  const config = join(dir, "prometheus.yml");
  writeFileSync(
    config,
    [
      "global: { scrape_interval: 1s, evaluation_interval: 1s }",
      "scrape_configs:",
      "  - job_name: sandbox-pods",
      "    honor_labels: true",
      `    static_configs: [{ targets: ${JSON.stringify(targets)} }]`,
      "",
    ].join("\n"),
  );
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(
    binary,
    [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, "data")}`, `--web.listen-address=127.0.0.1:${port}`, "--log.level=warn"],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    if (child.exitCode === null) child.kill("SIGTERM");
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`prometheus exited at start (${child.exitCode}): ${stderr.trim()}`);
    }
    const ready = await fetch(`${url}/-/ready`).then((r) => r.ok).catch(() => false);
    if (ready) return { url, stop };
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`prometheus did not become ready within 15 s: ${stderr.trim()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Waits (real time: Prometheus scrapes on its own clock) until `promql` has a result. */
export async function waitForSeries(url: string, promql: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const body = (await fetch(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`).then((r) => r.json())) as { data?: { result?: unknown[] } };
    if ((body.data?.result?.length ?? 0) > 0) return;
    if (Date.now() > deadline) throw new Error(`no series for ${promql} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
