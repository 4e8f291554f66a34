import { expect } from "chai";
import { startHarness, type Harness } from "../../helpers/harness.js";
import { renderText } from "../../../src/chat/terminal/render-text.js";
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

describe("/deploy to production and canary", function () {
  this.timeout(30000);
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.stop();
  });

  it("shows the plan, waits for Confirm, then deploys production", async () => {
    const t = await h.run("/deploy PR4812 to production", { user: "UADMIN", channel: "CDEPLOYS" });
    expect(t.confirmations).to.have.length(1);
    const plan = renderText(t.confirmations[0]!);
    expect(plan).to.include("github").and.include("Make unicorn faster").and.include(SHAS.pr4812);
    expect(plan).to.match(/unicorn.*registry\.example\.com\/github:0c6121e → registry\.example\.com\/github:eed486a/);
    expect(t.final?.tone, t.text).to.equal("success");
    expect(appImages(h, "production", "github-production")).to.deep.equal({ unicorn: `${IMAGE}:${SHAS.pr4812}`, "unicorn-api": `${IMAGE}:${SHAS.pr4812}` });
    const [gh] = githubDeployments(h, "production");
    expect(githubStates(h, gh.id)).to.deep.equal(["in_progress", "success"]);
    expect(gh.production_environment).to.equal(true);
  });

  it("--reason goes to the GitHub deployment's description and the audit; a reason over 200 characters gets the usage", async () => {
    const t = await h.run('/deploy PR4812 to production --reason "hotfix for the 500s"', { user: "UADMIN", channel: "CDEPLOYS" });
    expect(t.confirmations).to.have.length(1);
    expect(t.final?.tone, t.text).to.equal("success");
    const [gh] = githubDeployments(h, "production");
    expect(gh.description).to.equal("PR #4812 (eed486a) by UADMIN via Tugboat: hotfix for the 500s");
    expect(h.audit.at(-1)!.details).to.include({ givenReason: "hotfix for the 500s" });

    const bad = await h.run(`/deploy PR4812 to production --reason ${"x".repeat(201)}`, { user: "UADMIN", channel: "CDEPLOYS" });
    expect(bad.confirmations).to.have.length(0);
    expect(bad.text).to.include("Usage:").and.include("--reason REASON");
    expect(githubDeployments(h, "production")).to.have.length(1);
  });

  it("changes nothing when the plan is cancelled", async () => {
    const t = await h.run("/deploy PR4812 to production", { user: "UADMIN", channel: "CDEPLOYS", confirm: "cancelled" });
    expect(t.final?.tone).to.equal("warning");
    expect(t.text).to.match(/Cancelled.*Nothing was changed/);
    expect(appImages(h, "production", "github-production")).to.deep.equal({ unicorn: `${IMAGE}:${SHAS.main}`, "unicorn-api": `${IMAGE}:${SHAS.main}` });
    expect(githubDeployments(h)).to.have.length(0);
    expect(h.audit.at(-1)!.outcome).to.equal("cancelled");
  });

  it("--dry-run shows the plan and changes nothing", async () => {
    const t = await h.run("/deploy PR4812 to production --dry-run", { user: "UADMIN", channel: "CDEPLOYS" });
    expect(t.confirmations).to.have.length(0);
    expect(t.text).to.include("Dry run").and.include("nothing was changed");
    expect(appImages(h, "production", "github-production").unicorn).to.equal(`${IMAGE}:${SHAS.main}`);
    expect(githubDeployments(h)).to.have.length(0);
  });

  it("starts a canary, shows its status, promotes it", async () => {
    const t = await h.run("/deploy PR4812 to canary", { user: "UDEPLOYER", channel: "CDEPLOYS" });
    expect(t.final?.tone, t.text).to.equal("success");
    expect(t.confirmations).to.have.length(0);
    const canary = deployment(h, "production", "github-production", "unicorn-canary");
    expect(canary.spec.replicas).to.equal(1);
    expect(canary.spec.selector.matchLabels).to.deep.equal({ app: "unicorn", track: "canary" });
    expect(canary.spec.template.metadata.labels.track).to.equal("canary");
    expect(canary.spec.template.spec.containers.find((c: any) => c.name === "unicorn").image).to.equal(`${IMAGE}:${SHAS.pr4812}`);
    expect(canary.spec.template.spec.containers.find((c: any) => c.name === "statsd").image).to.equal("prom/statsd-exporter:v0.26.0");
    expect(canary.metadata.annotations).to.include({ "tugboat.dev/pr": "4812", "tugboat.dev/sha": SHAS.pr4812, "tugboat.dev/deployed-by": "UDEPLOYER" });
    const stable = deployment(h, "production", "github-production", "unicorn");
    expect(stable.spec.template.metadata.labels.track).to.equal(undefined);
    expect(stable.spec.selector.matchLabels).to.deep.equal({ app: "unicorn" });
    expect(stable.spec.template.spec.containers[0].image).to.equal(`${IMAGE}:${SHAS.main}`);
    const [gh] = githubDeployments(h, "canary");
    expect(gh.transient_environment).to.equal(true);
    expect(githubStates(h, gh.id)).to.deep.equal(["in_progress", "success"]);

    const s = await h.run("/canary status", { user: "UDEPLOYER", channel: "CDEPLOYS" });
    expect(s.text).to.match(/unicorn-canary\s+canary\s+1\/1\s+0\s+\S+\s+eed486a/);
    expect(s.text).to.match(/unicorn\s+stable\s+3\/3\s+0\s+\S+\s+0c6121e/);

    const p = await h.run("/canary promote", { user: "UADMIN", channel: "CDEPLOYS" });
    expect(p.confirmations).to.have.length(1);
    expect(p.final?.tone, p.text).to.equal("success");
    expect(p.text).to.include("Removed the canary");
    expect(appImages(h, "production", "github-production")).to.deep.equal({ unicorn: `${IMAGE}:${SHAS.pr4812}`, "unicorn-api": `${IMAGE}:${SHAS.pr4812}` });
    const prod = githubDeployments(h, "production");
    expect(prod).to.have.length(1);
    expect(prod[0].sha).to.equal(SHAS.pr4812);
    expect(githubStates(h, gh.id).at(-1)).to.equal("inactive");
  });

  it("aborts a canary", async () => {
    await h.run("/deploy PR4812 to canary", { user: "UDEPLOYER", channel: "CDEPLOYS" });
    const a = await h.run("/canary abort", { user: "UDEPLOYER", channel: "CDEPLOYS" });
    expect(a.final?.tone, a.text).to.equal("success");
    expect(a.text).to.match(/Aborted the github canary of eed486a: removed (unicorn-canary, unicorn-api-canary|unicorn-api-canary, unicorn-canary)\./);
    expect(deployment(h, "production", "github-production", "unicorn-canary")).to.equal(undefined);
    expect(appImages(h, "production", "github-production")).to.deep.equal({ unicorn: `${IMAGE}:${SHAS.main}`, "unicorn-api": `${IMAGE}:${SHAS.main}` });
    const deployer = await h.run("/canary promote", { user: "UDEPLOYER", channel: "CDEPLOYS" });
    expect(deployer.text).to.match(/Denied.*canary:promote/);
  });
});
