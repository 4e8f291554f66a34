// Prints npm test's test files in the order mocha --parallel hands them to its two workers: the longest first, so
// the run does not end with one worker still on a long file while the other core idles; then the rest in path order.
// LONGEST is from docs/benchmarks.md ("Test suite", longest files by wall time); a file missing from it only runs
// in path order, and a listed file that no longer exists is left out.
import { existsSync, readdirSync } from "node:fs";

const LONGEST = [
  "test/startup/main-process.test.ts",
  "test/chat/slack/two-replicas.test.ts",
  "test/domain/render-budget.test.ts",
  "test/core/layering.test.ts",
  "test/deploy/rbac-least-privilege.test.ts",
  "test/webhooks/sandbox-writes.test.ts",
  "test/commands/canary/canary-analysis.test.ts",
  "test/cluster/test-cluster-script.test.ts",
  "test/chat/slack/slack-adapter.test.ts",
  "test/chat/terminal/terminal-adapter.test.ts",
];

const all = readdirSync("test", { recursive: true })
  .map((f) => `test/${String(f).split("\\").join("/")}`)
  .filter((f) => f.endsWith(".test.ts"))
  .sort();
const first = LONGEST.filter((f) => existsSync(f));
console.log([...first, ...all.filter((f) => !first.includes(f))].join("\n"));
