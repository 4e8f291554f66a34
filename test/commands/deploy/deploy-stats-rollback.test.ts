import { expect } from "chai";
import { renderText } from "../../../src/chat/terminal/render-text.js";
import { useHarness } from "../../helpers/use-harness.js";

// DORA counts a change that had to be rolled back as a failed change, and the rollback as how service was restored,
// not as another deployment. /deploy stats counted a deploy undone by /deploy rollback as a success and the
// rollback as a second successful deploy: 0% failures and twice the deployment frequency. Through the router.

describe("/deploy stats after a /deploy rollback", function () {
  this.timeout(30_000);
  const h = useHarness();

  it("the rolled-back deploy is a failed change, restored by the rollback, which is not counted as a deploy", async () => {
    const deploy = await h.run("/deploy PR4812 to staging", { user: "UDEPLOYER", channel: "CDEPLOYS" });
    expect(deploy.final?.tone, deploy.text).to.equal("success");
    const rollback = await h.run("/deploy rollback github staging", { user: "UDEPLOYER", channel: "CDEPLOYS" });
    expect(rollback.final?.tone, rollback.text).to.equal("success");

    const t = await h.run("/deploy stats github staging", { user: "UDEPLOYER", channel: "CDEPLOYS" });
    const text = renderText(t.final!);
    // One change in 30 days, which failed (100% of 1), restored within seconds by the rollback.
    expect(text, text).to.match(/staging\s+0\.0\/day \(0\)\s+-\s+100% \(1 of 1\)\s+\d+s\b/);

    // A later deploy that stays is a success again: 1 of 2 failed.
    const again = await h.run("/deploy PR4812 to staging", { user: "UDEPLOYER", channel: "CDEPLOYS" });
    expect(again.final?.tone, again.text).to.equal("success");
    const after = renderText((await h.run("/deploy stats github staging", { user: "UDEPLOYER", channel: "CDEPLOYS" })).final!);
    expect(after, after).to.match(/staging\s+0\.03\/day \(1\)\s+\S+\s+50% \(1 of 2\)\s+\d+s\b/);
  });
});
