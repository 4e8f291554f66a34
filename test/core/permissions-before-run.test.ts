import { expect } from "chai";
import { useHarness } from "../helpers/use-harness.js";

// Every permission an invocation needs (its arguments' too, such as --force's deploy:force) is checked by the
// router before the command runs, so a denial never follows a message already posted in the channel.

describe("permissions before run", function () {
  this.timeout(20000);
  const h = useHarness();

  for (const line of ["/reviewlab up my-branch --force", "/deploy PR4814 to staging --force"]) {
    it(`${line} without deploy:force posts nothing in the channel`, async () => {
      const t = await h.run(line, { user: "UDEPLOYER", channel: "CGITHUB" });
      expect(t.updates, JSON.stringify(t.updates)).to.have.length(0);
      expect(t.whispers).to.have.length(1);
      expect(t.text).to.match(/Denied: you need the `deploy:force` permission/);
      expect(h.audit.at(-1)).to.include({ decision: "denied", outcome: "denied" });
      expect(h.audit.at(-1)!.permission).to.include("deploy:force");
    });
  }

  it("with every permission granted, the command runs", async () => {
    const t = await h.run("/deploy PR4814 to staging --force --dry-run", { user: "UADMIN", channel: "CGITHUB" });
    expect(t.final?.tone, t.text).to.equal("success");
    expect(h.audit.at(-1)).to.include({ decision: "allowed", permission: "deploy:staging deploy:force" });
  });
});
