import { expect } from "chai";
import { startHarness, type Harness } from "../../helpers/harness.js";
import { reapOnce } from "../../../src/commands/reviewlab/index.js";
import { silentLogger } from "../../../src/core/logger.js";
import { fakeClock, labNamespaceObj, type FakeClock } from "./helpers.js";

// /reviewlab pin and unpin through the router against the sandbox: a pinned lab outlives its expiry (the reaper
// passes it by) until it is unpinned; a new `up` keeps the pin.

describe("/reviewlab pin and unpin (sandbox, through the router)", function () {
  this.timeout(30_000);
  let h: Harness;
  let clock: FakeClock;
  before(async () => {
    clock = fakeClock();
    h = await startHarness({
      clock,
      instanceId: "bot-pin",
      configure: (c) => {
        c.roles.labuser = { permissions: ["reviewlab:up", "reviewlab:list"] };
        c.bindings.push({ role: "labuser", users: ["ULABUSER"], groups: [] });
      },
    });
  });
  after(async () => h?.stop());
  const ns = () => labNamespaceObj(h, "review-lab-my-branch");

  it("keeps a pinned lab past its expiry, also after another up, and lets it go once unpinned", async () => {
    expect((await h.run("/reviewlab up my-branch", { user: "UDEPLOYER" })).final?.tone).to.equal("success");
    const denied = await h.run("/reviewlab pin my-branch", { user: "ULABUSER" });
    expect(denied.text).to.match(/Denied: .*reviewlab:extend/);
    expect(ns().metadata.annotations["tugboat.dev/pinned"]).to.equal(undefined);

    const pinned = await h.run("/reviewlab pin PR4816", { user: "UDEPLOYER", channel: "CDEPLOYS" });
    expect(pinned.final?.summary).to.match(/^The review lab for `my-branch` is pinned: it stays past its expiry \(\S+Z\) until `\/reviewlab unpin my-branch`\.$/);
    expect(ns().metadata.annotations["tugboat.dev/pinned"]).to.equal("true");
    expect((await h.run("/reviewlab up my-branch", { user: "UDEPLOYER" })).final?.tone).to.equal("success");
    expect(ns().metadata.annotations["tugboat.dev/pinned"], "a new up keeps the pin").to.equal("true");
    expect((await h.run("/reviewlab list", { user: "UDEPLOYER" })).text).to.include("never (pinned)");

    clock.advance(73 * 3600_000);
    const kept = await reapOnce(h.app.services, silentLogger);
    expect(kept).to.deep.include({ leader: true, reaped: [], failures: [] });
    expect(ns()).to.not.equal(undefined);

    const unpinned = await h.run("/reviewlab unpin my-branch", { user: "UDEPLOYER" });
    expect(unpinned.final?.summary).to.match(/is unpinned: it expires \S+Z \(already passed: the reaper removes it on its next pass\)\.$/);
    const reaped = await reapOnce(h.app.services, silentLogger);
    expect(reaped.reaped.map((r) => r.lab.branch)).to.deep.equal(["my-branch"]);
  });

  it("refuses to pin a lab that does not exist, and bad input gets the usage", async () => {
    expect((await h.run("/reviewlab pin no-such-branch", { user: "UDEPLOYER" })).text).to.include("There is no review lab for `no-such-branch`. See `/reviewlab list`.");
    const bad = await h.run("/reviewlab unpin a b", { user: "UDEPLOYER" });
    expect(bad.whispers).to.have.length(1);
    expect(bad.text).to.include("/reviewlab unpin BRANCH|PR<n>");
  });
});
