// Every benchmark, one after the other (they share the machine's two cores, so never at once):
//
//   npm run bench [-- --no-write]
//
// Builds first (the Slack benchmarks run node dist/main.js), then runs each `bench:*` script; each writes its own
// section of docs/benchmarks.md. Stops at the first that fails.

import { execFileSync } from "node:child_process";
import { log, ROOT, runBenchmark } from "./lib/processes.js";

const BENCHES = ["ack-latency.ts", "rollout-requests.ts", "kube-get.ts", "memory.ts", "reviewlab.ts"];

async function main(): Promise<void> {
  const extra = process.argv.slice(2);
  execFileSync("npm", ["run", "build"], { cwd: ROOT, stdio: "inherit" });
  for (const bench of BENCHES) {
    log(`=== ${bench}`);
    execFileSync(process.execPath, ["--import", "tsx", `scripts/bench/${bench}`, ...extra], { cwd: ROOT, stdio: "inherit" });
  }
}

runBenchmark(main);
