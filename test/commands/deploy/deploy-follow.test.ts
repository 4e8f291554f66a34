import { expect } from "chai";
import { startHarness, type Harness } from "../../helpers/harness.js";
import { ManualClock, settleOnClock } from "../../helpers/manual-clock.js";
import { IMAGE, SHAS, appImages, githubDeployments, githubStates } from "./helpers.js";

// Following a rollout through the port's informers: pods are matched by owner (an injected sidecar does not hide
// a broken image), and a cluster that will not let Tugboat watch ends the follow with its reason, not a time-out.

describe("/deploy following the rollout", function () {
  this.timeout(30_000);
  let h: Harness;
  afterEach(async () => {
    await h?.stop();
  });

  it("a Deployment whose pods get an injected sidecar and a broken image is rolled back (pods matched by owner)", async () => {
    h = await startHarness();
    const staging = h.sandbox.clusters.staging!;
    const ns = staging.getObject("v1", "Namespace", undefined, "github-staging");
    staging.putObject({ ...ns, metadata: { ...ns.metadata, labels: { ...ns.metadata.labels, "sidecar-injection": "enabled" } } });
    const t = await h.run("/deploy PR4813 to staging --force", { user: "UADMIN", channel: "CDEPLOYS" });
    expect(t.final?.tone, t.text).to.equal("error");
    expect(t.text).to.match(/ImagePullBackOff/);
    expect(t.text).to.match(/Rolled back .*unicorn.* to the previous revision/);
    expect(appImages(h, "staging", "github-staging")).to.deep.equal({ unicorn: `${IMAGE}:${SHAS.staging}`, "unicorn-api": `${IMAGE}:${SHAS.staging}` });
    const injected = staging.listObjects("v1", "Pod", "github-staging").filter((p: any) => p.spec.containers.some((c: any) => c.name === "sidecar-proxy"));
    expect(injected.length, "the sandbox injected sidecars").to.be.greaterThan(0);
  });

  it("pods it may not watch: backs off, then stops following with the reason (no rollback of what it cannot see)", async () => {
    const clock = new ManualClock();
    h = await startHarness({ clock, delays: { podReadyMs: 600_000 } });
    const staging = h.sandbox.clusters.staging!;
    staging.faults.add({ verb: "watch", resource: "pods", status: 403 });
    const deadline = h.config.environments.staging!.rolloutTimeoutSeconds * 1000;
    const t = await settleOnClock(clock, h.run("/deploy my-branch to staging", { user: "UADMIN", channel: "CDEPLOYS" }), deadline);
    expect(t.final?.tone, t.text).to.equal("warning");
    expect(t.text).to.include("Stopped following this deploy: cannot follow the rollout: no permission to watch pods in github-staging (cluster staging)");
    const podWatches = staging.requests.log.filter((r) => r.path === "/api/v1/namespaces/github-staging/pods" && /watch=true/.test(r.query ?? ""));
    expect(podWatches).to.have.length(4);
    const [gh] = githubDeployments(h, "staging");
    expect(githubStates(h, gh.id).at(-1)).to.equal("error");
  });
});
