import { expect } from "chai";
import { useHarness } from "../../helpers/use-harness.js";

// /deploy queue ENV shows who waits and the command each will run (PR numbers, shas): a reading view like
// /deploy status, so it follows the caller's /kube scope unless they may deploy to that environment.

describe("/deploy queue follows the caller's /kube scope", function () {
  this.timeout(30_000);
  const h = useHarness({
    configure: (c) => {
      c.roles["staging-viewer"] = { permissions: ["kube:get"], kube: { clusters: ["staging"], namespaces: ["github-staging"] } };
      c.bindings.push({ role: "staging-viewer", users: ["USTAGING"], groups: [] });
    },
  });

  it("a user limited to github-staging is refused production's queue and still reads staging's", async () => {
    const lock = await h.run("/deploy lock github production quiet", { user: "UADMIN", channel: "CDEPLOYS" });
    expect(lock.final?.tone, lock.text).to.equal("success");
    const queued = await h.run("/deploy PR4812 to production --queue", { user: "URELEASER", channel: "CDEPLOYS" });
    expect(queued.text).to.include("You are #1");

    const admin = await h.run("/deploy queue production", { user: "UADMIN", channel: "CDEPLOYS" });
    expect(admin.text).to.match(/1\. @URELEASER: `\/deploy github PR4812 to production`/);

    const scoped = await h.run("/deploy queue production", { user: "USTAGING", channel: "CDEPLOYS" });
    expect(scoped.final, "nothing posted in the channel").to.equal(undefined);
    expect(scoped.text).to.match(/^Denied: .*production/);
    expect(scoped.text).to.not.include("PR4812");
    const canary = await h.run("/deploy queue canary", { user: "USTAGING", channel: "CDEPLOYS" });
    expect(canary.text).to.match(/^Denied: /);

    const staging = await h.run("/deploy queue staging", { user: "USTAGING", channel: "CDEPLOYS" });
    expect(staging.final?.tone, staging.text).to.equal("success");
    expect(staging.text).to.include("nobody is waiting");
  });
});
