import { expect } from "chai";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

// `npm run sandbox` (scripts/sandbox.ts) as a terminal runs it: its own process group, which Ctrl-C signals as a whole
// (so the script also gets tsx's relayed copy of the same SIGINT). It writes its files to SANDBOX_DIR, away from the
// checkout's .sandbox/.
function runUntilReady(dir: string, signal: NodeJS.Signals, toGroup: boolean): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/sandbox.ts"], {
    env: { ...process.env, SANDBOX_DIR: dir, SANDBOX_KUBE_PORT: "", SANDBOX_GITHUB_PORT: "", SANDBOX_WEBHOOK_URL: "" },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let out = "";
  let err = "";
  let signalled = false;
  child.stdout.on("data", (c) => {
    out += c;
    if (!signalled && out.includes("Press Ctrl-C to stop.")) {
      signalled = true;
      process.kill(toGroup ? -child.pid! : child.pid!, signal);
    }
  });
  child.stderr.on("data", (c) => (err += c));
  return new Promise((resolve) => child.on("exit", (code) => resolve({ code, out, err })));
}

describe("npm run sandbox", function () {
  this.timeout(30_000);
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "tugboat-sandbox-script-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("Ctrl-C: says in one line that it stopped, and exits 0", async () => {
    const run = await runUntilReady(dir, "SIGINT", true);
    expect(run.err, JSON.stringify(run)).to.equal("");
    const after = run.out.slice(run.out.indexOf("Press Ctrl-C to stop.\n") + "Press Ctrl-C to stop.\n".length);
    expect(after, JSON.stringify(run)).to.equal("Tugboat sandbox stopped.\n");
    expect(run.code).to.equal(0);
  });
});
