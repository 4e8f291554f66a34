import { expect } from "chai";
import { renderText } from "../../../src/chat/terminal/render-text.js";
import { useHarness } from "../../helpers/use-harness.js";
import { IMAGE, REPO, SHAS, appImages, deployment, githubDeployments, githubStates } from "./helpers.js";

// Locks, status, history, rollback, and template injection.

describe("/deploy lock, unlock, status, history, rollback", function () {
  this.timeout(30000);
  const h = useHarness();

  it("a manual lock names its owner and reason to anyone refused, covers the canary, and unlocks", async () => {
    const l = await h.run("/deploy lock github production freeze for the launch: \"{{x}}\"", { user: "URELEASER", channel: "CDEPLOYS" });
    expect(l.final?.tone, l.text).to.equal("success");
    expect(l.text).to.include("Locked github production: freeze for the launch: {{x}}");
    const lease = h.sandbox.clusters.production!.getObject("coordination.k8s.io/v1", "Lease", "github-production", "tugboat-lock-github-production");
    expect(lease.metadata.annotations).to.include({ "tugboat.dev/owner": "URELEASER", "tugboat.dev/reason": 'freeze for the launch: {{x}}', "tugboat.dev/lock-kind": "manual" });

    const p = await h.run("/deploy PR4812 to production", { user: "UADMIN", channel: "CDEPLOYS" });
    expect(p.confirmations).to.have.length(0);
    expect(p.text).to.match(/github production is locked \(tugboat-lock-github-production\): locked by @URELEASER since \d{4}-\d\d-\d\d [\d:]+ UTC \(\d+s ago\): freeze for the launch/);
    expect(p.text).to.include("`/deploy unlock github production` removes it");
    const c = await h.run("/deploy PR4812 to canary", { user: "UADMIN", channel: "CDEPLOYS" });
    expect(c.text).to.match(/locked by @URELEASER/);
    const again = await h.run("/deploy lock github production mine now", { user: "UADMIN", channel: "CDEPLOYS" });
    expect(again.text).to.match(/already locked: locked by @URELEASER/);

    const s = await h.run("/deploy status", { user: "UVIEWER", channel: "CDEPLOYS" });
    expect(s.text).to.match(/production: locked by @URELEASER .*freeze for the launch/);

    const u = await h.run("/deploy unlock github production", { user: "UADMIN", channel: "CDEPLOYS" });
    expect(u.text).to.include("Unlocked github production (it was @URELEASER's: freeze for the launch");
    expect(h.sandbox.clusters.production!.getObject("coordination.k8s.io/v1", "Lease", "github-production", "tugboat-lock-github-production")).to.equal(undefined);
    const u2 = await h.run("/deploy unlock github production", { user: "UADMIN", channel: "CDEPLOYS" });
    expect(u2.text).to.include("github production is not locked");
  });

  it("the lock's owner may still deploy", async () => {
    await h.run("/deploy lock github staging testing a migration", { user: "UDEPLOYER", channel: "CDEPLOYS" });
    try {
      const other = await h.run("/deploy my-branch to staging", { user: "UADMIN", channel: "CDEPLOYS" });
      expect(other.text).to.match(/locked by @UDEPLOYER.*testing a migration/);
      const own = await h.run("/deploy PR4812 to staging", { user: "UDEPLOYER", channel: "CDEPLOYS" });
      expect(own.final?.tone, own.text).to.equal("success");
      expect(h.sandbox.clusters.staging!.getObject("coordination.k8s.io/v1", "Lease", "github-staging", "tugboat-lock-github-staging")?.spec.holderIdentity).to.equal("manual:UDEPLOYER");
    } finally {
      await h.run("/deploy unlock github staging", { user: "UDEPLOYER", channel: "CDEPLOYS" });
    }
  });

  it("status shows what runs where; history reads GitHub deployments", async () => {
    const s = await h.run("/deploy status github", { user: "UVIEWER", channel: "CDEPLOYS" });
    expect(s.final?.tone, s.text).to.equal("success");
    expect(s.text).to.match(/staging\s+unicorn\s+2\/2\s+eed486a\s+#4812\s+UDEPLOYER\s+\d+s ago/);
    expect(s.text).to.match(/production\s+unicorn\s+3\/3\s+0c6121e\s+-\s+-\s+-/);
    expect(s.text).to.not.match(/consul-service-router/);
    expect(s.text, s.text).to.include("No environment is locked.");
    const hist = await h.run("/deploy history staging -n 5", { user: "UVIEWER", channel: "CDEPLOYS" });
    expect(hist.text).to.match(/\d+\s+staging\s+eed486a\s+#4812\s+UDEPLOYER\s+success/);
    const bad = await h.run("/deploy history nowhere", { user: "UVIEWER", channel: "CDEPLOYS" });
    expect(bad.text).to.match(/"nowhere" is neither an app \(github\) nor an environment/);
  });

  it("rolls back to the previous revision like kubectl rollout undo", async () => {
    expect(appImages(h, "staging", "github-staging").unicorn).to.equal(`${IMAGE}:${SHAS.pr4812}`);
    const t = await h.run("/deploy rollback github staging", { user: "UDEPLOYER", channel: "CDEPLOYS" });
    expect(t.final?.tone, t.text).to.equal("success");
    expect(t.text).to.match(/`unicorn`: revision \d+ → \d+ \(registry\.example\.com\/github:eed486a → registry\.example\.com\/github:4e2b69b\)/);
    expect(appImages(h, "staging", "github-staging")).to.deep.equal({ unicorn: `${IMAGE}:${SHAS.staging}`, "unicorn-api": `${IMAGE}:${SHAS.staging}` });
    const d = deployment(h, "staging", "github-staging", "unicorn");
    expect(d.spec.template.metadata.labels["pod-template-hash"]).to.equal(undefined);
    expect(d.metadata.annotations["tugboat.dev/sha"]).to.equal(SHAS.staging);
    const gh = githubDeployments(h, "staging").find((x) => x.sha === SHAS.staging);
    expect(gh.payload).to.include({ rollback: true });
    expect(githubStates(h, gh.id)).to.deep.equal(["in_progress", "success"]);
    const canary = await h.run("/deploy rollback github canary", { user: "UADMIN", channel: "CDEPLOYS" });
    expect(canary.text).to.match(/a canary is not rolled back; `\/canary abort github` removes it/);
  });
});

describe("/deploy template injection", function () {
  this.timeout(20000);
  const h = useHarness();

  it("a PR title and branch full of YAML and Handlebars change nothing but their own value", async () => {
    const store = h.sandbox.github.store;
    const sha = "1234567890abcdef1234567890abcdef12345678";
    const title = 'Evil "}}\n---\nkind: Namespace\nevil: {{image}} {{#each this}}x{{/each}}';
    store.addCommit(REPO, { sha, message: "evil", parents: [SHAS.main] });
    store.addPull(REPO, { number: 4900, title, head: "evil/branch.x-1", sha, user: "mallory" });
    store.setStatus(REPO, sha, "ci/image", "success");
    // The repository's own template uses every value, in quoted and unquoted positions.
    const tpl = (name: string) => `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}
  namespace: {{namespace}}
data:
  pr: {{pr}}
  sha: {{sha}}
  image: {{image}}
  app: {{app}}
  env: {{env}}
  short: {{shortSha}}
`;
    store.setFile(REPO, sha, "config/kubernetes/staging/values.yaml", tpl("deploy-values"));
    const t = await h.run("/deploy PR4900 to staging", { user: "UADMIN", channel: "CDEPLOYS" });
    expect(t.final?.tone, t.text).to.equal("success");
    expect(renderText(t.updates.find((u) => u.summary.startsWith("Deployed"))!)).to.include("PR #4900");
    const cm = h.sandbox.clusters.staging!.getObject("v1", "ConfigMap", "github-staging", "deploy-values");
    expect(cm.data).to.deep.equal({ pr: "4900", sha, image: `${IMAGE}:${sha}`, app: "github", env: "staging", short: "1234567" });
    expect(h.sandbox.clusters.staging!.getObject("v1", "Namespace", undefined, "evil")).to.equal(undefined);
    const d = deployment(h, "staging", "github-staging", "unicorn");
    expect(d.metadata.annotations["tugboat.dev/pr"]).to.equal("4900");
    const [gh] = githubDeployments(h, "staging");
    expect(gh.payload).to.deep.include({ pr: 4900, branch: "evil/branch.x-1" });

    const plan = await h.run("/deploy PR4900 to production --dry-run", { user: "UADMIN", channel: "CDEPLOYS" });
    expect(plan.text).to.include(title.split("\n")[0]!);
    const branch = await h.run("/deploy 'feat/{{image}}' to staging", { user: "UADMIN", channel: "CDEPLOYS" });
    expect(branch.text).to.match(/is not a PR \(PR4812 or #4812\), branch or commit sha/);
  });
});
