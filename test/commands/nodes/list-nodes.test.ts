import { expect } from "chai";
import { startHarness, type Harness } from "../../helpers/harness.js";

describe("/nodes list (sandbox, through the router)", function () {
  let h: Harness;
  before(async () => (h = await startHarness()));
  after(async () => h.stop());

  it("shows the seeded production pools, their Nodes and a totals line last", async () => {
    const t = await h.run("/nodes list --cluster production", { user: "UVIEWER" });
    expect(t.whispers).to.have.length(0);
    const reply = t.final!;
    expect(reply.tone).to.equal("success");
    const code = reply.blocks.find((b) => b.type === "code") as { text: string };
    const lines = code.text.split("\n");
    expect(lines[0]).to.match(/^POOL\s+DESIRED\s+READY\s+AVAILABLE\s+TYPE\s+AUTOSCALER$/);
    expect(lines[1]).to.match(/^general\s+3\s+3\s+3\s+m5\.xlarge\s+min 2, max 10$/);
    expect(lines[2]).to.match(/^highmem\s+1\s+1\s+1\s+r5\.2xlarge\s+-$/);
    expect(code.text).to.match(/^general \(m5\.xlarge\)\nNODE\s+STATUS\s+AGE\s+ROLES\s+VERSION$/m);
    // every Node row: name, Ready, an age, roles, kubelet version
    const nodeRows = lines.filter((l) => /^ip-/.test(l));
    expect(nodeRows).to.have.length(4);
    for (const row of nodeRows) expect(row).to.match(/^ip-\S+\s+Ready\s+\d+[smhd]\S*\s+\S+\s+v\d+\.\d+\.\d+$/);
    const last = reply.blocks[reply.blocks.length - 1]!;
    expect(last).to.deep.equal({ type: "text", text: "Totals: 2 pools · 4 desired · 4 ready · 4 available · 4 nodes, 4 Ready" });
    expect(h.audit.at(-1)).to.include({ outcome: "success", permission: "kube:get" });
  });

  it("takes the channel's cluster, else the default cluster (staging)", async () => {
    const inChannel = await h.run("/nodes list", { channel: "CDEPLOYS" });
    expect(inChannel.final!.blocks[0]).to.deep.equal({ type: "header", text: "Node pools on production" });
    const plain = await h.run("/nodes list");
    expect(plain.final!.blocks[0]).to.deep.equal({ type: "header", text: "Node pools on staging" });
    expect(plain.text).to.match(/^general\s+2\s+2\s+2\s+m5\.large\s+-$/m);
    expect(plain.final!.blocks.at(-1)).to.deep.equal({ type: "text", text: "Totals: 1 pool · 2 desired · 2 ready · 2 available · 2 nodes, 2 Ready" });
  });

  it("is read-only: every role with kube:get may list", async () => {
    for (const user of ["UADMIN", "UDEPLOYER", "UVIEWER"]) {
      const t = await h.run("/nodes list --cluster production", { user });
      expect(t.final?.tone, user).to.equal("success");
    }
    const nobody = await h.run("/nodes list", { user: "UNOBODY" });
    expect(nobody.final).to.equal(undefined);
    expect(nobody.whispers[0]!.summary).to.match(/kube:get/);
  });
});
