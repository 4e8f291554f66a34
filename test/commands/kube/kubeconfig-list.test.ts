import { expect } from "chai";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { parse, stringify } from "yaml";
import { startHarness, type Harness } from "../../helpers/harness.js";

// KUBECONFIG=a:b as kubectl loads it: merged in order, the first definition of a name and the first current
// context win, missing files are skipped.

describe("a KUBECONFIG list of several files (through the router)", function () {
  this.timeout(30_000);
  let base: Harness;
  let h: Harness;
  let dir: string;
  before(async () => {
    base = await startHarness();
    dir = mkdtempSync(join(tmpdir(), "tugboat-kubeconfig-"));
  });
  after(async () => {
    await h?.stop();
    await base?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("merges the files like kubectl: both clusters work, the first file's definitions win", async () => {
    const full = parse(readFileSync(base.sandbox.kubeconfigPath, "utf8"));
    const part = (names: string[], extra: any = {}) => ({
      apiVersion: "v1",
      kind: "Config",
      clusters: full.clusters.filter((c: any) => names.includes(c.name)),
      users: full.users.filter((u: any) => names.some((n) => u.name === `${n}-user`)),
      contexts: full.contexts.filter((c: any) => names.includes(c.name)),
      ...extra,
    });
    const a = join(dir, "production.yaml");
    const b = join(dir, "staging.yaml");
    writeFileSync(a, stringify(part(full.clusters.map((c: any) => c.name).filter((n: string) => n !== "staging"), { "current-context": "production" })));
    // The second file also defines "production", pointing nowhere: the first definition wins, as in kubectl.
    const staging = part(["staging"], { "current-context": "staging" });
    staging.clusters.push({ name: "production", cluster: { server: "http://127.0.0.1:9", "insecure-skip-tls-verify": true } });
    writeFileSync(b, stringify(staging));
    h = await startHarness({ sandbox: base.sandbox, kubeconfigPath: [a, join(dir, "missing.yaml"), b].join(delimiter) });
    const prod = await h.run("/kube get deploy -n github-production --cluster production", { user: "UADMIN" });
    expect(prod.final?.tone, prod.text).to.not.equal("error");
    expect(prod.text).to.match(/unicorn/);
    const stg = await h.run("/kube get deploy -n github-staging --cluster staging", { user: "UADMIN" });
    expect(stg.final?.tone, stg.text).to.not.equal("error");
    expect(stg.text).to.match(/unicorn/);
  });
});
