import { expect } from "chai";
import { startHarness, type Harness } from "../../helpers/harness.js";
import { ManualClock, settleOnClock } from "../../helpers/manual-clock.js";
import { labNamespaceObj } from "./helpers.js";

// A lab's expiry across `up`s, through the router against the sandbox on the ManualClock: someone else's `up` never
// cuts the owner's /reviewlab extend; only `--reset-expiry` (which needs reviewlab:extend) may bring it sooner.

const HOUR = 3600_000;

describe("/reviewlab up and the lab's expiry (sandbox, through the router, ManualClock)", function () {
  this.timeout(30_000);
  let h: Harness;
  const clock = new ManualClock();

  before(async () => {
    h = await startHarness({
      clock,
      instanceId: "bot-expiry",
      configure: (c) => {
        c.roles.labuser = { permissions: ["reviewlab:up", "reviewlab:list"] };
        c.bindings.push({ role: "labuser", users: ["ULABUSER"], groups: [] });
      },
    });
  });
  after(async () => h?.stop());

  const run = (text: string, user: string) => settleOnClock(clock, h.run(text, { user }), h.config.reviewlab!.readyTimeoutSeconds * 1000);
  const annotation = (name: string) => Date.parse(labNamespaceObj(h, "review-lab-my-branch").metadata.annotations[`tugboat.dev/${name}`]);
  const expiresAt = () => annotation("expires-at");
  /** When the last `up` set the expiry (the clock may have moved on while the rollout was followed). */
  const updatedAt = () => annotation("updated-at");

  it("another person's up keeps the owner's extension; a later expiry than the extension still moves it on", async () => {
    const up = await run("/reviewlab up my-branch", "UDEPLOYER");
    expect(up.final?.tone, up.text).to.equal("success");
    const t0 = updatedAt();
    expect(expiresAt() - t0).to.equal(72 * HOUR);

    const ext = await run("/reviewlab extend my-branch 2d", "UDEPLOYER");
    expect(ext.final?.tone, ext.text).to.equal("success");
    const extended = expiresAt();
    expect(extended - t0).to.equal(120 * HOUR);

    clock.advance(HOUR);
    const reUp = await run("/reviewlab up my-branch", "ULABUSER");
    expect(reUp.final?.tone, reUp.text).to.equal("success");
    expect(expiresAt(), "a re-up of someone else's lab does not cut its extension").to.equal(extended);
    expect(reUp.text).to.include(`${new Date(extended).toISOString().slice(0, 19)}Z (in 119 h)`);

    // Past the point where now + 72 h is later than the extension: the up moves the expiry on, as before.
    clock.advance(60 * HOUR);
    expect((await run("/reviewlab up my-branch", "ULABUSER")).final?.tone).to.equal("success");
    expect(expiresAt() - updatedAt()).to.equal(72 * HOUR);
  });

  it("--reset-expiry brings the expiry to ttlHours from now even when sooner, and needs reviewlab:extend", async () => {
    expect((await run("/reviewlab extend my-branch 3d", "UDEPLOYER")).final?.tone).to.equal("success");
    const extended = expiresAt();

    const denied = await run("/reviewlab up my-branch --reset-expiry", "ULABUSER");
    expect(denied.text).to.match(/Denied: .*reviewlab:extend/);
    expect(expiresAt()).to.equal(extended);

    const reset = await run("/reviewlab up my-branch --reset-expiry", "UDEPLOYER");
    expect(reset.final?.tone, reset.text).to.equal("success");
    expect(expiresAt() - updatedAt()).to.equal(72 * HOUR);
    expect(expiresAt()).to.be.below(extended);
    expect((await run("/reviewlab down my-branch", "UDEPLOYER")).final?.tone).to.equal("success");
  });
});
