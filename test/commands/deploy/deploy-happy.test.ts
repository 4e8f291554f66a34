import { expect } from "chai";
import { startHarness, type Harness } from "../../helpers/harness.js";
import { IMAGE, SHAS, appImages, deployment, githubDeployments, githubStates } from "./helpers.js";

describe("/deploy happy paths", function () {
  this.timeout(20000);
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.stop();
  });

  it("deploys a PR to staging: images, annotations, GitHub deployment and statuses", async () => {
    const t = await h.run("/deploy PR4812 to staging", { user: "UDEPLOYER", channel: "CDEPLOYS" });
    expect(t.final?.tone, t.text).to.equal("success");
    expect(t.text).to.match(/Deployed PR #4812 \(eed486a\) to github staging/);
    expect(t.updates.length).to.be.greaterThan(1);
    expect(t.updates[0]!.tone).to.equal("info");
    const images = appImages(h, "staging", "github-staging");
    expect(images).to.deep.equal({ unicorn: `${IMAGE}:${SHAS.pr4812}`, "unicorn-api": `${IMAGE}:${SHAS.pr4812}` });
    const d = deployment(h, "staging", "github-staging", "unicorn");
    expect(d.metadata.annotations).to.include({ "tugboat.dev/pr": "4812", "tugboat.dev/sha": SHAS.pr4812, "tugboat.dev/deployed-by": "UDEPLOYER" });
    expect(d.metadata.annotations["tugboat.dev/deployed-at"]).to.match(/^\d{4}-/);
    const statsd = d.spec.template.spec.containers.find((c: any) => c.name === "statsd");
    expect(statsd.image).to.equal("prom/statsd-exporter:v0.26.0");
    const router = deployment(h, "staging", "github-staging", "consul-service-router");
    expect(router.spec.template.spec.containers[0].image).to.equal("haproxy:2.8");
    const gh = githubDeployments(h, "staging");
    expect(gh).to.have.length(1);
    expect(gh[0].sha).to.equal(SHAS.pr4812);
    expect(githubStates(h, gh[0].id)).to.deep.equal(["in_progress", "success"]);
  });
});
