import { expect } from "chai";
import { startHarness, type Harness } from "../../helpers/harness.js";
import { allText, leases, minSize, replicas } from "./nodes-helpers.js";

describe("/nodes add (sandbox, through the router)", function () {
  let h: Harness;
  beforeEach(async () => (h = await startHarness()));
  afterEach(async () => h.stop());

  it("shows the plan, scales after Confirm, follows the new Nodes until Ready and audits before/after", async () => {
    const t = await h.run("/nodes add 2 highmem --cluster production", { user: "UADMIN" });
    expect(t.confirmations).to.have.length(1);
    const plan = allText(t.confirmations[0]);
    expect(plan).to.include("Cluster: production").and.include("Pool: highmem (r5.2xlarge)").and.include("Nodes: 1 → 3 (+2)");
    expect(plan).to.include("Maximum: 4 (configured maxSize 4)");
    expect(plan).not.to.include("min-size");

    // progress: the first message is info with a progress block, later updates edit it, the last is success
    expect(t.updates.length).to.be.greaterThan(2);
    expect(t.updates[0]!.tone).to.equal("info");
    expect(t.updates[0]!.blocks.some((b) => b.type === "progress")).to.equal(true);
    const final = t.final!;
    expect(final.tone).to.equal("success");
    expect(final.summary).to.match(/^Added 2 nodes to highmem on production \(1 → 3\) in \d+s: ip-\S+, ip-\S+$/);
    expect(allText(final)).to.match(/took \d+s/);
    expect(allText(final)).not.to.include("min-size");

    expect(replicas(h, "production", "highmem")).to.equal(3);
    expect(leases(h).filter((l) => l.metadata.name === "tugboat-nodes-highmem")).to.have.length(0);
    const entry = h.audit.at(-1)!;
    expect(entry).to.include({ outcome: "success", permission: "nodes:add" });
    expect(entry.details).to.include({ cluster: "production", pool: "highmem", before: 1, after: 3, minSizeRaisedTo: null });
    expect((entry.details!.newNodes as string[]).length).to.equal(2);
  });

  it("changes nothing when the caller presses Cancel", async () => {
    const t = await h.run("/nodes add 2 highmem --cluster production", { confirm: "cancelled" });
    expect(t.confirmations).to.have.length(1);
    expect(t.final!.summary).to.equal("Cancelled: pool highmem on production stays at 1 node. Nothing was changed.");
    expect(replicas(h, "production", "highmem")).to.equal(1);
    expect(leases(h)).to.have.length(0);
    expect(h.audit.at(-1)).to.include({ outcome: "cancelled" });
  });

  it("--dry-run shows the plan and changes nothing, without asking", async () => {
    const t = await h.run("/nodes add 3 --cluster production --dry-run");
    expect(t.confirmations).to.have.length(0);
    expect(t.final!.summary).to.equal("Dry run: would add 3 nodes to pool general on production: 3 → 6 and raise autoscaler min-size to 6. Nothing was changed.");
    expect(allText(t.final)).to.include("Autoscaler min-size: 2 → 6");
    expect(replicas(h, "production", "general")).to.equal(3);
    expect(minSize(h, "production", "general")).to.equal("2");
    expect(h.audit.at(-1)!.details).to.include({ dryRun: true, before: 3, after: 6 });
  });

  it("raises the autoscaler min-size to the new count and says so (default pool, channel's cluster)", async () => {
    const t = await h.run("/nodes add 2", { channel: "CDEPLOYS" });
    expect(allText(t.confirmations[0])).to.include("Autoscaler min-size: 2 → 5 (stays raised until someone lowers it)");
    expect(t.final!.tone).to.equal("success");
    expect(allText(t.final)).to.include("Autoscaler min-size raised from 2 to 5").and.include("It stays at 5 until someone lowers it.");
    expect(replicas(h, "production", "general")).to.equal(5);
    expect(minSize(h, "production", "general")).to.equal("5");
    expect(h.audit.at(-1)!.details).to.include({ cluster: "production", pool: "general", before: 3, after: 5, minSizeRaisedTo: 5 });
  });

  it("refuses to pass the pool maximum and says how many can still be added", async () => {
    const config = await h.run("/nodes add 4 highmem --cluster production");
    expect(config.final!.tone).to.equal("error");
    expect(config.final!.summary).to.equal(
      "Refused: adding 4 would take pool highmem from 1 to 5 nodes, past its maximum of 4 (configured maxSize 4); at most 3 more can be added.",
    );
    // general: config says 12, the autoscaler annotation says 10; the smaller wins
    const annotation = await h.run("/nodes add 8 general --cluster production");
    expect(annotation.final!.summary).to.include("past its maximum of 10 (autoscaler max-size 10); at most 7 more can be added");
    expect(annotation.confirmations).to.have.length(0);
    expect(replicas(h, "production", "highmem")).to.equal(1);
    expect(replicas(h, "production", "general")).to.equal(3);
    const ok = await h.run("/nodes add 3 highmem --cluster production");
    expect(ok.final!.tone).to.equal("success");
    const full = await h.run("/nodes add 1 highmem --cluster production");
    expect(full.final!.summary).to.include("no more nodes can be added");
  });

  it("lists the pools that exist for an unknown pool", async () => {
    const t = await h.run("/nodes add 1 gpu --cluster production");
    expect(t.final).to.equal(undefined);
    expect(t.whispers).to.have.length(1);
    expect(t.whispers[0]!.summary).to.equal('unknown pool "gpu" (pools on production: general, highmem)');
    expect(t.text).to.include("Usage: /nodes add N [POOL] [--cluster C] [--dry-run]");
  });

  describe("refuses every N that is not a whole number from 1 to nodes.maxPerRequest, stating the range", () => {
    const cases: Array<[string, string]> = [
      ["0", 'N (nodes to add) must be a whole number from 1 to 10, not 0'],
      ["-1", "N (nodes to add) must be a whole number from 1 to 10, not -1"],
      ["3.5", 'N (nodes to add) must be a whole number from 1 to 10, not "3.5"'],
      ["1e3", 'N (nodes to add) must be a whole number from 1 to 10, not "1e3"'],
      ["ten", 'N (nodes to add) must be a whole number from 1 to 10, not "ten"'],
      ["11", "N (nodes to add) must be a whole number from 1 to 10, not 11"],
      ["99999999999999999999", "N (nodes to add) must be a whole number from 1 to 10, not 99999999999999999999"],
      ["''", "say how many nodes to add: N must be a whole number from 1 to 10"],
      ["(missing)", "say how many nodes to add: N must be a whole number from 1 to 10"],
      ["(pool only)", 'say how many nodes to add before the pool (/nodes add 2 general): N must be a whole number from 1 to 10, not "general"'],
    ];
    for (const [n, reason] of cases) {
      it(`N = ${n}`, async () => {
        const line = n === "(missing)" ? "/nodes add --cluster production" : n === "(pool only)" ? "/nodes add general --cluster production" : `/nodes add ${n} general --cluster production`;
        const t = await h.run(line);
        expect(t.final).to.equal(undefined);
        expect(t.confirmations).to.have.length(0);
        expect(t.whispers).to.have.length(1);
        expect(t.whispers[0]!.summary).to.equal(reason);
        expect(t.text).to.include("Usage: /nodes add N [POOL] [--cluster C] [--dry-run]");
        expect(replicas(h, "production", "general")).to.equal(3);
      });
    }
    it("follows nodes.maxPerRequest from the config", async () => {
      await h.stop();
      h = await startHarness({ configure: (c) => void (c.nodes.maxPerRequest = 2) });
      const t = await h.run("/nodes add 3 highmem --cluster production");
      expect(t.whispers[0]!.summary).to.equal("N (nodes to add) must be a whole number from 1 to 2, not 3");
    });
  });
});
