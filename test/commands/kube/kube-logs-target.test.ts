import { expect } from "chai";
import { startHarness, type Harness } from "../../helpers/harness.js";
import { byLogging } from "../../../src/commands/kube/logs-target.js";
import type { V1Pod } from "../../../src/gateways/kube-models.js";
import { codeBlock, kubectl } from "./kube-helpers.js";

// `/kube logs TYPE/NAME`: the pod kubectl picks (the object's pods by selector, podutils.ByLogging order).

describe("/kube logs TYPE/NAME", function () {
  this.timeout(60_000);
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h?.stop();
  });

  for (const target of ["deploy/unicorn", "rs/RS", "svc/unicorn"]) {
    it(`${target} reads the pod kubectl reads, and says which`, async () => {
      const rs = h.sandbox.clusters.staging!.listObjects("apps/v1", "ReplicaSet", "github-staging").find((r: any) => /^unicorn-[a-z0-9]+$/.test(r.metadata.name));
      const arg = target.replace("RS", rs.metadata.name);
      const [t, k] = await Promise.all([
        h.run(`/kube logs ${arg} -n github-staging -c statsd --tail 5`, { user: "UVIEWER" }),
        kubectl(h, "staging", ["logs", arg, "-n", "github-staging", "-c", "statsd", "--tail", "5"]),
      ]);
      expect(t.final?.tone, t.text).to.equal("success");
      const chosen = /Found (\d+) pods, using pod\/(\S+)/.exec(k.stderr);
      expect(chosen, k.stderr).to.not.equal(null);
      const ctx = t.final?.blocks[0];
      const kind = arg.startsWith("deploy") ? "deployment" : arg.startsWith("rs") ? "replicaset" : "service";
      expect(ctx && ctx.type === "context" && ctx.text).to.equal(
        `cluster: staging · namespace: github-staging · ${kind}/${arg.split("/")[1]}: first of ${chosen![1]} pods · pod: ${chosen![2]} · container: statsd`,
      );
      expect(codeBlock(t).split("\n")).to.have.length(5);
    });
  }

  it("an object kubectl cannot take logs from, and a missing one, are one line each", async () => {
    const cm = await h.run("/kube logs ns/github-staging -n github-staging", { user: "UADMIN" });
    expect(cm.final?.tone).to.equal("error");
    expect(cm.text).to.contain("Cannot read logs from a Namespace");
    const missing = await h.run("/kube logs deploy/unicron -n github-staging", { user: "UVIEWER" });
    expect(missing.text).to.match(/^deployments\.apps "unicron" not found in namespace github-staging on cluster staging\. Did you mean `unicorn`/);
  });

  it("orders pods as podutils.ByLogging does", () => {
    const pod = (name: string, extra: Partial<V1Pod>): V1Pod => ({ metadata: { name, creationTimestamp: "2026-01-01T00:00:00Z" }, spec: { nodeName: "n1", containers: [] }, status: { phase: "Running" }, ...extra });
    const ready = (t: string) => ({ conditions: [{ type: "Ready", status: "True", lastTransitionTime: t }], phase: "Running" });
    const pods = [
      pod("unassigned", { spec: { containers: [] } }),
      pod("pending", { status: { phase: "Pending" } }),
      pod("not-ready", {}),
      pod("ready-late", { status: ready("2026-01-03T00:00:00Z") }),
      pod("ready-early", { status: ready("2026-01-02T00:00:00Z") }),
    ];
    expect([...pods].sort(byLogging).map((p) => p.metadata?.name)).to.deep.equal(["ready-early", "ready-late", "not-ready", "pending", "unassigned"]);
  });
});
