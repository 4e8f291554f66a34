import { expect } from "chai";
import { startHarness, type Harness } from "../../helpers/harness.js";
import { ManualClock, settleOnClock } from "../../helpers/manual-clock.js";
import { staging } from "./helpers.js";

// A lab whose Deployments Tugboat may not watch: the informer backs off (a handful of watches over several
// seconds of the injected clock, not a tight loop) and the reply says why, naming the namespace.

describe("/reviewlab up when the cluster refuses to let Tugboat watch (sandbox, through the router)", function () {
  this.timeout(20_000);
  let h: Harness;
  const clock = new ManualClock();

  before(async () => {
    // Pods never become ready here, so the wait has to watch.
    h = await startHarness({ clock, delays: { podReadyMs: 600_000 } });
  });
  after(async () => h?.stop());

  it("a watch answered 403 is retried with back-off, then the reply says there is no permission to watch", async () => {
    const deadline = h.config.reviewlab!.readyTimeoutSeconds * 1000;
    staging(h).faults.add({ verb: "watch", resource: "deployments", status: 403 });
    // The clock moves through each back-off (any sleep shorter than the readiness deadline) until the reply.
    const t = await settleOnClock(clock, h.run("/reviewlab up my-branch"), deadline);
    const watches = staging(h).requests.log.filter((r) => r.path === "/apis/apps/v1/namespaces/review-lab-my-branch/deployments" && /watch=true/.test(r.query ?? ""));
    expect(t.final?.tone, t.text).to.equal("error");
    expect(t.text).to.include("could not follow its rollout: no permission to watch deployments in review-lab-my-branch (cluster staging)");
    expect(t.text).to.include("/reviewlab down my-branch");
    expect(watches).to.have.length(4);
    // Between the four watches, three back-offs: 0.8, 1.6 and 3.2 s, each with up to as much jitter again.
    const backoffs = clock.sleeps.filter((ms) => ms >= 800 && ms < 6400); // not the lock renewals (10 s)
    expect(backoffs).to.have.length(3);
    backoffs.forEach((ms, i) => expect(ms).to.be.within(800 * 2 ** i, 1600 * 2 ** i));
    const store = h.sandbox.github.store;
    const dep = store.deployments("octo/github").filter((x) => x.environment === "review-lab/my-branch");
    expect(store.deploymentStatuses("octo/github", dep[0]!.id).map((s) => s.state)).to.deep.equal(["in_progress", "failure"]);
  });
});
