import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";

// A real Prometheus (Debian's 2.42: `apt-get install prometheus`) on a loopback port, scraping the given targets
// every second (or as often as asked) from a generated config, with its data in a temporary directory. The tests and `npm start`'s
// embedded sandbox both use it; there is no npm package that ships Prometheus.

export interface RunningPrometheus {
  url: string;
  stop(): Promise<void>;
}

export const PROMETHEUS_MISSING = "prometheus is not installed: run `sudo apt-get install prometheus`";

/** The prometheus binary on PATH or Debian's /usr/bin/prometheus; undefined when neither exists. */
export function findPrometheus(): string | undefined {
  const found = (process.env.PATH ?? "").split(delimiter).map((d) => join(d, "prometheus")).find((p) => existsSync(p));
  if (found) return found;
  return existsSync("/usr/bin/prometheus") ? "/usr/bin/prometheus" : undefined;
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

export interface PrometheusOptions {
  /** How often it scrapes (default 1000 ms); tests that wait for samples scrape faster. */
  scrapeIntervalMs?: number;
}

export async function startPrometheus(targets: string[], binary = findPrometheus(), opts: PrometheusOptions = {}): Promise<RunningPrometheus> {
  if (!binary) throw new Error(PROMETHEUS_MISSING);
  const interval = `${Math.max(1, Math.round(opts.scrapeIntervalMs ?? 1000))}ms`;
  const dir = mkdtempSync(join(tmpdir(), "tugboat-prometheus-"));
  const config = join(dir, "prometheus.yml");
  writeFileSync(
    config,
    [
      `global: { scrape_interval: ${interval}, evaluation_interval: ${interval} }`,
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
