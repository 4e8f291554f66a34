// Benchmark: `/reviewlab up` with 150 and 500 objects against kubectl bringing up the same lab, in the same run.
//
//   npm run bench:reviewlab [-- --runs 3 --no-write]
//
// Runs scripts/bench/reviewlab-up.ts (Tugboat through the router with the production gateways vs kubectl create ns +
// apply --server-side + wait, same sandbox, same objects) with 50 and 166 template services (3 objects each, plus the
// Namespace, Secret and Ingress Tugboat adds: 153 and 501 objects), and writes both tables into docs/benchmarks.md
// (section "## /reviewlab up").

import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { log, numberArg, ROOT, runBenchmark, runFacts } from "./lib/processes.js";
import { publish } from "./lib/write-section.js";

const exec = promisify(execFile);
const RUNS = numberArg("runs", 3);
const SIZES = [50, 166];

async function main(): Promise<void> {
  const facts = runFacts();
  const loadBefore = facts.load();
  const parts: string[] = [];
  for (const services of SIZES) {
    const objects = services * 3 + 3;
    log(`--- ${objects} objects (${services} services), ${RUNS} runs`);
    const { stdout } = await exec(process.execPath, ["--import", "tsx", "scripts/bench/reviewlab-up.ts", "--services", String(services), "--runs", String(RUNS)], {
      cwd: ROOT,
      maxBuffer: 64 * 1024 * 1024,
      timeout: 60 * 60_000,
    });
    const lines = stdout.split("\n");
    const start = lines.findIndex((l) => /^\d{4}-\d{2}-\d{2}, \d+ runs: /.test(l));
    const end = lines.findIndex((l) => l.startsWith("target: "));
    if (start < 0 || end < 0) throw new Error(`reviewlab-up.ts printed no results:\n${stdout.slice(-2000)}`);
    const table = lines.slice(start + 2, end);
    const applies = (round: string, who: 0 | 1) => {
      const row = table.find((l) => l.startsWith(`| API requests, ${round} |`)) ?? "";
      const m = [...row.matchAll(/\(apply (\d+(?:\.\d+)?)\)/g)][who];
      return m ? Number(m[1]) : NaN;
    };
    table.splice(
      table.findIndex((l) => l === "") >= 0 ? table.findIndex((l) => l === "") : table.length,
      0,
      `| applies per object, create / update | ${(applies("create", 0) / objects).toFixed(2)} / ${(applies("update", 0) / objects).toFixed(2)} | ${(applies("create", 1) / (objects - 1)).toFixed(2)} / ${(applies("update", 1) / (objects - 1)).toFixed(2)} (kubectl creates the Namespace itself) | |`,
    );
    parts.push(`### ${objects} objects (${services} template services)`, "", lines[start]!, "", ...table, lines[end]!, "");
  }
  const body = [
    `Latest run: ${facts.date}, commit ${facts.commit}, ${facts.machine}; load average (1/5/15 min) ${loadBefore} at the start, ${facts.load()} at the end. The machine was shared with other engineers' builds and tests while this ran, so the times are slower and noisier than on a quiet machine; Tugboat and kubectl alternate within each run against the same sandbox, so their ratio is what to read.`,
    "",
    "`npm run bench:reviewlab` runs `scripts/bench/reviewlab-up.ts` twice: a lab of 153 objects (50 template services, each a ConfigMap, a Deployment and a Service, plus the Namespace, Secret and Ingress Tugboat adds) and one of 501 (166 services). Each run: Tugboat `/reviewlab up` through the router with the production gateways (create, then update with a new sha), then kubectl (`create namespace` + `apply --server-side` of exactly the objects Tugboat applied + `wait --for=condition=Available deployment --all`), against the sandbox in a child process with every simulated delay at zero. \"To reply\" is until Tugboat's final reply, when every Deployment has rolled out.",
    "",
    ...parts,
  ].join("\n");
  publish("## /reviewlab up", body);
}

runBenchmark(main);
