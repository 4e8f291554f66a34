import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startSandbox, type Sandbox } from "@tugboat/sandbox";
import { SandboxBusyError } from "@tugboat/sandbox";
import { TEST_DELAYS } from "@tugboat/sandbox/kube";

// Two sandboxes at once: the one that owns .sandbox/ keeps its kubeconfig and env; another embedded one writes its own
// files; `npm run sandbox` refuses while another one runs; a dead owner does not count.
describe("sandbox files (.sandbox/kubeconfig and env) with two sandboxes", function () {
  this.timeout(30_000);
  let dir: string;
  const running: Sandbox[] = [];
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "tugboat-sandbox-files-"))));
  afterEach(async () => {
    await Promise.all(running.splice(0).map((s) => s.stop()));
    rmSync(dir, { recursive: true, force: true });
  });
  const start = async (owner: string, whenBusy: "refuse" | "own-dir") => {
    const s = await startSandbox({ outDir: dir, delays: TEST_DELAYS, owner, whenBusy });
    running.push(s);
    return s;
  };

  it("an embedded sandbox started while `npm run sandbox` runs leaves its kubeconfig and env alone", async () => {
    const first = await start("npm run sandbox", "refuse");
    expect(first.kubeconfigPath).to.equal(join(dir, "kubeconfig"));
    const kubeconfig = readFileSync(first.kubeconfigPath, "utf8");
    const env = readFileSync(first.envPath, "utf8");

    const embedded = await start("npm start", "own-dir");
    expect(embedded.kubeconfigPath).to.equal(join(dir, "embedded", String(process.pid), "kubeconfig"));
    expect(embedded.busy?.holder).to.include({ pid: process.pid, owner: "npm run sandbox" });
    expect(readFileSync(first.kubeconfigPath, "utf8")).to.equal(kubeconfig);
    expect(readFileSync(first.envPath, "utf8")).to.equal(env);
    expect(readFileSync(embedded.kubeconfigPath, "utf8")).to.contain(embedded.clusters.staging!.url);

    await embedded.stop();
    running.splice(running.indexOf(embedded), 1);
    expect(existsSync(join(dir, "embedded"))).to.equal(false);
    expect(readFileSync(first.kubeconfigPath, "utf8")).to.equal(kubeconfig);
  });

  it("`npm run sandbox` refuses politely while another sandbox runs, and takes over once it has stopped", async () => {
    const embedded = await start("npm start", "own-dir");
    let refusal: unknown;
    await start("npm run sandbox", "refuse").catch((err) => (refusal = err));
    expect(refusal).to.be.instanceOf(SandboxBusyError);
    expect((refusal as Error).message).to.match(/belongs to a running sandbox \(npm start, pid \d+\): stop that one first/);
    await embedded.stop();
    running.splice(running.indexOf(embedded), 1);
    const second = await start("npm run sandbox", "refuse");
    expect(second.kubeconfigPath).to.equal(join(dir, "kubeconfig"));
  });

  it("an owner file left by a process that died does not count", async () => {
    const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
    writeFileSync(join(dir, "owner.json"), JSON.stringify({ pid: Number(dead.stdout), owner: "npm run sandbox", started: "" }));
    const s = await start("npm run sandbox", "refuse");
    expect(s.kubeconfigPath).to.equal(join(dir, "kubeconfig"));
    expect(JSON.parse(readFileSync(join(dir, "owner.json"), "utf8"))).to.include({ pid: process.pid, owner: "npm run sandbox" });
    await s.stop();
    running.splice(running.indexOf(s), 1);
    expect(existsSync(join(dir, "owner.json")), "released at stop").to.equal(false);
  });
});
