import { expect } from "chai";
import { GatewayError } from "../../../src/gateways/types.js";
import { startHarness, type Harness } from "../../helpers/harness.js";
import { IMAGE, SHAS, appImages, deployment, githubDeployments, githubStates } from "./helpers.js";

// /deploy rollback that cannot finish: nothing half rolled back, and no GitHub deployment left in_progress.

describe("/deploy rollback failures", function () {
  this.timeout(30000);
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    h.sandbox.clusters.staging!.faults.clear();
    await h.stop();
  });

  it("a refused patch marks the rollback's GitHub deployment error and changes nothing", async () => {
    await h.run("/deploy PR4812 to staging", { user: "UDEPLOYER", channel: "CDEPLOYS" });
    h.sandbox.clusters.staging!.faults.add({ verb: "patch", resource: "deployments", status: 403 });
    const t = await h.run("/deploy rollback github staging", { user: "UDEPLOYER", channel: "CDEPLOYS" });
    h.sandbox.clusters.staging!.faults.clear();
    expect(t.final?.tone, t.text).to.equal("error");
    expect(t.text).to.match(/Could not roll back github staging: .*forbidden.*Nothing was changed/);
    const rb = githubDeployments(h, "staging").find((d) => d.payload.rollback);
    expect(rb, "a GitHub deployment for the rollback").to.not.equal(undefined);
    expect(githubStates(h, rb.id)).to.deep.equal(["in_progress", "error"]);
    expect(appImages(h, "staging", "github-staging")).to.deep.equal({ unicorn: `${IMAGE}:${SHAS.pr4812}`, "unicorn-api": `${IMAGE}:${SHAS.pr4812}` });
    expect(h.sandbox.clusters.staging!.getObject("coordination.k8s.io/v1", "Lease", "github-staging", "tugboat-lock-github-staging")).to.equal(undefined);
  });

  it("when the second Deployment cannot be rolled back, the first goes forward again (never half rolled back)", async () => {
    await h.run("/deploy PR4812 to staging", { user: "UDEPLOYER", channel: "CDEPLOYS" });
    const cluster = h.kube.cluster("staging");
    const patch = cluster.patch.bind(cluster);
    let deploymentPatches = 0;
    cluster.patch = async (res, name, namespace, body, type) => {
      if (res.plural === "deployments" && ++deploymentPatches === 2) throw new GatewayError("forbidden", `deployments.apps "${name}" is forbidden: injected`);
      return patch(res, name, namespace, body, type);
    };
    try {
      const t = await h.run("/deploy rollback github staging", { user: "UDEPLOYER", channel: "CDEPLOYS" });
      expect(t.final?.tone, t.text).to.equal("error");
      expect(t.text).to.match(/went back to the revision they ran; nothing was changed/);
    } finally {
      cluster.patch = patch;
    }
    expect(appImages(h, "staging", "github-staging")).to.deep.equal({ unicorn: `${IMAGE}:${SHAS.pr4812}`, "unicorn-api": `${IMAGE}:${SHAS.pr4812}` });
    for (const name of ["unicorn", "unicorn-api"]) {
      expect(deployment(h, "staging", "github-staging", name).metadata.annotations["tugboat.dev/sha"], name).to.equal(SHAS.pr4812);
    }
    const rb = githubDeployments(h, "staging").find((d) => d.payload.rollback);
    expect(githubStates(h, rb.id).at(-1)).to.equal("error");
  });
});
