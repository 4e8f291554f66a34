import { expect } from "chai";
import { startHarness, type Harness } from "../../helpers/harness.js";
import { replicas } from "./nodes-helpers.js";

describe("/nodes: roles and bad input (sandbox, through the router)", function () {
  let h: Harness;
  before(async () => (h = await startHarness()));
  after(async () => h.stop());

  for (const user of ["UDEPLOYER", "UVIEWER", "UNOBODY"]) {
    it(`${user} may not add nodes`, async () => {
      const t = await h.run("/nodes add 1 highmem --cluster production", { user });
      expect(t.final).to.equal(undefined);
      expect(t.confirmations).to.have.length(0);
      expect(t.whispers).to.have.length(1);
      expect(t.whispers[0]!.summary).to.equal("Denied: you need the `nodes:add` permission; no role bound to you grants it. Ask for role `admin`, which grants `nodes:add`.");
      expect(h.audit.at(-1)).to.include({ decision: "denied", permission: "nodes:add" });
      expect(replicas(h, "production", "highmem")).to.equal(1);
    });
  }

  const cases: Array<[string, string, string]> = [
    ["/nodes", "/nodes needs a subcommand (one of: list, add)", "/nodes list"],
    ["/nodes frobnicate", 'unknown subcommand "frobnicate" for /nodes (one of: list, add)', "/nodes add"],
    ["/nodes list extra", "unexpected word: extra", "/nodes list [--cluster C]"],
    ["/nodes list --dry-run", "unknown flag --dry-run", "/nodes list [--cluster C]"],
    ["/nodes list --cluster nosuch", 'unknown cluster "nosuch"; clusters: production, staging, management', "/nodes list [--cluster C]"],
    ["/nodes list --cluster", "--cluster needs a value", "/nodes list [--cluster C]"],
    ["/nodes add 1 general extra words", "unexpected words after the pool: extra words", "/nodes add N"],
    ["/nodes add 1 --force", "unknown flag --force", "/nodes add N"],
    ["/nodes add 1 -y", "unknown flag -y", "/nodes add N"],
    ["/nodes add 1 --dry-run=maybe", "--dry-run takes no value", "/nodes add N"],
    ["/nodes add 1 --cluster nosuch", 'unknown cluster "nosuch"; clusters: production, staging, management', "/nodes add N"],
    ["/nodes add 1 --cluster=", "--cluster needs a value", "/nodes add N"],
    ["/nodes add 1 --cluster 'Prod Cluster'", '--cluster must be a cluster name, not "Prod Cluster"', "/nodes add N"],
    ["/nodes add 1 General_Pool", 'POOL must be a MachineDeployment name (lowercase letters, digits, - and .), not "General_Pool"', "/nodes add N"],
    ["/nodes add 1 gpu --cluster staging", 'unknown pool "gpu" (pools on staging: general)', "/nodes add N"],
  ];
  for (const [line, reason, usage] of cases) {
    it(`${JSON.stringify(line)} → one reason plus usage, to the caller only`, async () => {
      const t = await h.run(line);
      expect(t.final).to.equal(undefined);
      expect(t.whispers).to.have.length(1);
      const w = t.whispers[0]!;
      expect(w.summary).to.equal(reason);
      expect(w.summary).not.to.include("\n");
      const code = w.blocks.find((b) => b.type === "code") as { text: string } | undefined;
      expect(code?.text).to.include(usage);
    });
  }

  it("a channel whose cluster is unknown gets the same refusal", async () => {
    h.config.channels.CBROKEN = { cluster: "gone" };
    try {
      const t = await h.run("/nodes list", { channel: "CBROKEN" });
      expect(t.whispers[0]!.summary).to.equal('unknown cluster "gone" (this channel\'s cluster); clusters: production, staging, management');
    } finally {
      delete h.config.channels.CBROKEN;
    }
  });

  it("shows /nodes in help with both commands", async () => {
    const t = await h.run("help nodes");
    expect(t.text).to.include("/nodes list [--cluster C]").and.include("/nodes add N [POOL] [--cluster C] [--dry-run]");
  });
});
