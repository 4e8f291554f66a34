import { expect } from "chai";
import { startHarness, type Harness } from "../../helpers/harness.js";
import { MD_API, allText, leases, machineDeployment, management, minSize, replicas } from "./nodes-helpers.js";

describe("/nodes add: concurrency, conflicts and stuck Nodes (sandbox, through the router)", function () {
  let h: Harness;
  afterEach(async () => h?.stop());

  it("serializes two adds on one pool with a Lease: the final count is the start plus both requests", async () => {
    h = await startHarness();
    // Slow the first scale write down so the second add surely finds the lock taken.
    management(h).faults.add({ verb: "update", resource: "machinedeployments/scale", latencyMs: 150, count: 1 });
    const [a, b] = await Promise.all([h.run("/nodes add 2 general --cluster production"), h.run("/nodes add 3 general --cluster production", { user: "UADMIN" })]);
    expect(a.final!.tone, a.text).to.equal("success");
    expect(b.final!.tone, b.text).to.equal("success");
    expect(replicas(h, "production", "general")).to.equal(3 + 2 + 3);
    expect(minSize(h, "production", "general")).to.equal("8");

    const runs = h.audit.filter((e) => e.command.startsWith("/nodes add")).map((e) => e.details!);
    const [first, second] = runs.sort((x, y) => (x.before as number) - (y.before as number));
    expect(first!.before).to.equal(3);
    expect(second!.before).to.equal(first!.after); // the second computed its target from the first one's result
    expect(second!.after).to.equal(8);
    // one of them waited for the lock instead of being refused
    const waited = [...a.updates, ...b.updates].some((u) => allText(u).includes("waiting: @UADMIN holds tugboat-nodes-general"));
    expect(waited).to.equal(true);
    // each names its own new Nodes: 5 distinct names in all
    const names = [...(runs[0]!.newNodes as string[]), ...(runs[1]!.newNodes as string[])];
    expect(new Set(names).size).to.equal(5);
    expect(leases(h)).to.have.length(0);
  });

  describe("409 Conflict on the scale subresource", () => {
    for (const conflicts of [1, 2, 3]) {
      it(`re-reads and succeeds after ${conflicts} forced 409${conflicts > 1 ? "s" : ""}`, async () => {
        h = await startHarness();
        management(h).faults.add({ verb: "update", resource: "machinedeployments/scale", status: 409, count: conflicts });
        const t = await h.run("/nodes add 2 highmem --cluster production");
        expect(t.final!.tone, t.text).to.equal("success");
        expect(replicas(h, "production", "highmem")).to.equal(3);
        expect(h.audit.at(-1)!.details).to.include({ before: 1, after: 3, conflicts });
        expect(allText(t.final)).to.include(`after ${conflicts} conflict`);
      });
    }

    it("fails clearly after 4 conflicts in a row and changes nothing", async () => {
      h = await startHarness();
      management(h).faults.add({ verb: "update", resource: "machinedeployments/scale", status: 409, count: 4 });
      const t = await h.run("/nodes add 2 general --cluster production");
      expect(t.final!.tone).to.equal("error");
      expect(t.final!.summary).to.equal(
        "Could not scale pool general on production: the MachineDeployment changed under Tugboat 4 times in a row (409 Conflict on every attempt). Nothing was changed; try again.",
      );
      expect(replicas(h, "production", "general")).to.equal(3);
      expect(minSize(h, "production", "general")).to.equal("2");
      expect(leases(h)).to.have.length(0);
      expect(h.audit.at(-1)).to.include({ outcome: "failure" });
    });

    it("adds N on top of a change someone else made between the read and the write, never more", async () => {
      h = await startHarness();
      // The "autoscaler" scales highmem 1 → 2 right before Tugboat's first write, whose resourceVersion is then stale.
      const restore = scaleBeforeFirstWrite(h, 2);
      try {
        const t = await h.run("/nodes add 2 highmem --cluster production");
        expect(t.final!.tone, t.text).to.equal("success");
        expect(replicas(h, "production", "highmem")).to.equal(4);
        expect(h.audit.at(-1)!.details).to.include({ readUnderLock: 1, before: 2, after: 4, conflicts: 1 });
        expect(allText(t.final)).to.include("Replicas changed from 1 to 2 while Tugboat was scaling, so the 2 nodes went on top of 2.");
      } finally {
        restore();
      }
    });

    it("re-checks the maximum when someone else's change leaves no room", async () => {
      h = await startHarness();
      const restore = scaleBeforeFirstWrite(h, 3);
      try {
        const t = await h.run("/nodes add 2 highmem --cluster production");
        expect(t.final!.tone).to.equal("error");
        expect(t.final!.summary).to.include("at most 1 more can be added").and.include("replicas changed from 1 to 3 while Tugboat was scaling");
        expect(replicas(h, "production", "highmem")).to.equal(3);
      } finally {
        restore();
      }
    });
  });

  describe("raising the autoscaler min-size", () => {
    it("retries a 409 on the annotation patch", async () => {
      h = await startHarness();
      management(h).faults.add({ verb: "patch", resource: "machinedeployments", status: 409, count: 2 });
      const t = await h.run("/nodes add 1 general --cluster production");
      expect(t.final!.tone, t.text).to.equal("success");
      expect(minSize(h, "production", "general")).to.equal("4");
    });

    it("keeps the scale and warns when min-size cannot be raised", async () => {
      h = await startHarness();
      management(h).faults.add({ verb: "patch", resource: "machinedeployments", status: 409, count: 4 });
      const t = await h.run("/nodes add 1 general --cluster production");
      expect(t.final!.tone).to.equal("warning");
      expect(allText(t.final)).to.include("Could not raise the autoscaler min-size").and.include("may take the new nodes back");
      expect(replicas(h, "production", "general")).to.equal(4);
      expect(minSize(h, "production", "general")).to.equal("2");
      expect(h.audit.at(-1)!.details).to.include({ before: 3, after: 4, minSizeRaisedTo: null });
    });
  });

  it("does not retry a scale write whose outcome is unknown (503), and says so", async () => {
    h = await startHarness();
    management(h).faults.add({ verb: "update", resource: "machinedeployments/scale", status: 503, count: 1 });
    const t = await h.run("/nodes add 1 highmem --cluster production");
    expect(t.final!.tone).to.equal("error");
    expect(t.final!.summary).to.match(/^Could not confirm the scale of pool highmem on production to 2 \(.*\); it may or may not have been applied\. Check \/nodes list before trying again\.$/);
    expect(leases(h)).to.have.length(0);
  });

  it("reports the deadline and names the stuck Machines when new Nodes never become Ready; the scale stays", async () => {
    h = await startHarness({ configure: (c) => void (c.nodes.readyTimeoutSeconds = 3) });
    const md = machineDeployment(h, "production", "highmem");
    md.metadata.annotations = { ...md.metadata.annotations, "sandbox.tugboat.dev/nodes-never-ready": "true" };
    management(h).putObject(md);

    const poolMachines = () =>
      management(h).listObjects(MD_API, "Machine", "default").filter((m) => m.metadata.labels["cluster.x-k8s.io/deployment-name"] === "highmem");
    const seeded = poolMachines().map((m) => m.metadata.name as string);

    const started = Date.now();
    // The deadline leaves the sandbox's MachineSet time to create both Machines even on a loaded machine, so the
    // reply can name them (a Machine not created yet is reported as such, which is another case).
    const t = await h.run("/nodes add 2 highmem --cluster production");
    expect(Date.now() - started).to.be.lessThan(8000);
    const final = t.final!;
    expect(["warning", "error"]).to.include(final.tone);
    const fresh = poolMachines().map((m) => m.metadata.name as string).filter((n) => !seeded.includes(n));
    expect(fresh).to.have.length(2);
    expect(final.summary).to.match(/^Scaled highmem on production to 3, but 2 of 2 nodes were not Ready after 3s; stuck Machines: \S+, \S+$/);
    expect(final.summary.split("stuck Machines: ")[1]!.split(", ").sort()).to.deep.equal(fresh.sort());
    expect(allText(final)).to.include("were not Ready before the deadline (3s)").and.include("The scale to 3 replicas stays: Tugboat does not undo it.");
    expect(replicas(h, "production", "highmem")).to.equal(3);
    expect(h.audit.at(-1)!.details).to.include({ before: 1, after: 3, allReady: false });
  });

  it("stops following (the scale stays) when Tugboat shuts down while Nodes are not Ready yet", async () => {
    h = await startHarness();
    const md = machineDeployment(h, "production", "highmem");
    md.metadata.annotations = { ...md.metadata.annotations, "sandbox.tugboat.dev/nodes-never-ready": "true" };
    management(h).putObject(md);
    const running = h.run("/nodes add 1 highmem --cluster production");
    for (let i = 0; i < 200 && replicas(h, "production", "highmem") !== 2; i++) await new Promise((r) => setTimeout(r, 10));
    await h.app.router.drain(50);
    const t = await running;
    expect(t.final!.tone).to.equal("error");
    expect(t.final!.summary).to.match(/^Scaled highmem on production to 2; Tugboat stopped following the new nodes \(it is shutting down\) while 1 of 1 node was not Ready; stuck Machines: \S+$/);
    expect(replicas(h, "production", "highmem")).to.equal(2);
  });
});

/**
 * Someone else (an autoscaler) sets production/highmem's replicas just before Tugboat's first scale write (on the
 * management cluster). The write goes through a client without gateway retries (cluster.withRetry), so that is wrapped.
 */
function scaleBeforeFirstWrite(h: Harness, replicas: number): () => void {
  const cluster = h.kube.cluster("management");
  const realWithRetry = cluster.withRetry.bind(cluster);
  let bumped = false;
  (cluster as any).withRetry = (policy: Parameters<typeof cluster.withRetry>[0]) => {
    const client = realWithRetry(policy);
    const realSetScale = client.setScale.bind(client);
    (client as any).setScale = async (...a: Parameters<typeof client.setScale>) => {
      if (!bumped) {
        bumped = true;
        const md = machineDeployment(h, "production", "highmem");
        md.spec.replicas = replicas;
        management(h).putObject(md);
      }
      return realSetScale(...a);
    };
    return client;
  };
  return () => {
    (cluster as any).withRetry = realWithRetry;
  };
}
