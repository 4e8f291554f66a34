import { expect } from "chai";
import { useHarness } from "../../helpers/use-harness.js";

// The lock reply says who can lift the lock: its owner, and the others allowed to unlock that environment.

describe("/deploy lock's reply", function () {
  this.timeout(20000);
  const h = useHarness({}, { each: true });

  it("does not claim that only the owner can unlock, and someone else allowed to does", async () => {
    const lock = await h.run("/deploy lock github staging db migration", { user: "UDEPLOYER", channel: "CDEPLOYS" });
    expect(lock.final?.tone, lock.text).to.equal("success");
    expect(lock.text).to.not.match(/until `\/deploy unlock/);
    expect(lock.text).to.include(
      "Only @UDEPLOYER may deploy there while it holds. `/deploy unlock github staging` lifts it: by @UDEPLOYER, or by anyone else allowed to unlock staging (`deploy:unlock:staging`, or `deploy:staging` with at least your rights there).",
    );
    const unlock = await h.run("/deploy unlock github staging", { user: "UADMIN", channel: "CDEPLOYS" });
    expect(unlock.final?.tone, unlock.text).to.equal("success");
    expect(unlock.text).to.match(/Unlocked github staging \(it was @UDEPLOYER's: db migration\)/);
  });
});
