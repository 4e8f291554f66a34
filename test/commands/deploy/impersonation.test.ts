import { expect } from "chai";
import { startHarness, type Harness } from "../../helpers/harness.js";
import { SHAS, appImages, githubDeployments } from "./helpers.js";

// Impersonation as a second gate (issue 10 item 6): with clusters.staging.impersonate, Tugboat (here its own
// service account, context tugboat@staging) sends a user's writes, and every request of read-only commands,
// as tugboat:slack:<id> in tugboat:role:<role> groups, so the cluster's RBAC decides too.

const RBAC = "rbac.authorization.k8s.io/v1";
const TUGBOAT_SA = "system:serviceaccount:tugboat:tugboat";

describe("clusters.<name>.impersonate: the cluster's RBAC as a second gate", function () {
  this.timeout(60000);
  let h: Harness;
  const staging = () => h.sandbox.clusters.staging!;
  const lease = () => staging().getObject("coordination.k8s.io/v1", "Lease", "github-staging", "tugboat-lock-github-staging");

  before(async () => {
    h = await startHarness({
      configure: (c) => {
        c.clusters.staging = { ...c.clusters.staging!, context: "tugboat@staging", impersonate: true };
        // UDEPLOYER has two roles, so two groups: each must reach the cluster as its own group.
        c.bindings.push({ role: "viewer", users: ["UDEPLOYER"], groups: [] });
      },
    });
    // Deployers may change the app namespace; viewers may read tugboat-secrets' ConfigMaps. Admins: nothing.
    staging().putObject({ apiVersion: RBAC, kind: "RoleBinding", metadata: { name: "tugboat-deployers", namespace: "github-staging" }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "edit" }, subjects: [{ kind: "Group", name: "tugboat:role:deployer" }] });
    staging().putObject({ apiVersion: RBAC, kind: "RoleBinding", metadata: { name: "tugboat-viewers", namespace: "tugboat-secrets" }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" }, subjects: [{ kind: "Group", name: "tugboat:role:viewer" }] });
  });
  after(async () => {
    await h.stop();
  });

  it("a deploy the cluster allows runs, its writes made as the user and its reads as Tugboat", async () => {
    staging().requests.reset();
    const t = await h.run("/deploy PR4812 to staging", { user: "UDEPLOYER", channel: "CDEPLOYS" });
    expect(t.final?.tone, t.text).to.equal("success");
    expect(appImages(h, "staging", "github-staging").unicorn).to.equal(`registry.example.com/github:${SHAS.pr4812}`);
    const log = staging().requests.log;
    const writes = log.filter((e) => e.method !== "GET");
    expect(writes.length).to.be.greaterThan(0);
    for (const w of writes) expect(w, `${w.method} ${w.path}`).to.include({ user: "tugboat:slack:UDEPLOYER", impersonatedBy: TUGBOAT_SA });
    expect(log.filter((e) => e.method === "GET").every((e) => e.user === TUGBOAT_SA && !e.impersonatedBy)).to.equal(true);
  });

  it("a deploy the cluster refuses is denied in one line naming what was refused, and nothing changes", async () => {
    const before = appImages(h, "staging", "github-staging");
    const deploymentsBefore = githubDeployments(h, "staging").length;
    const t = await h.run("/deploy my-branch to staging", { user: "UADMIN", channel: "CDEPLOYS" });
    const denial = /^Denied by cluster staging's RBAC for tugboat:slack:UADMIN: \S+( "[^"]+")? is forbidden: User "tugboat:slack:UADMIN" cannot (patch|create) resource "[a-z/]+" in API group "[a-z0-9.]*" in the namespace "github-staging"\.$/;
    // Whispered like any denial; the deploy's progress message in the channel ends with it too.
    expect(t.whispers).to.have.length(1);
    expect(t.whispers[0]!.summary).to.match(denial);
    expect(t.final?.tone).to.equal("error");
    expect(t.final?.summary).to.match(denial);
    expect(h.audit.at(-1)).to.include({ decision: "denied", outcome: "denied", permission: "deploy:staging" });
    expect(appImages(h, "staging", "github-staging")).to.deep.equal(before);
    expect(githubDeployments(h, "staging")).to.have.length(deploymentsBefore);
    expect(lease()).to.equal(undefined);
  });

  it("read-only commands read as the user: one Impersonate-Group line per role", async () => {
    const mine = await h.run("/kube get configmaps -n tugboat-secrets --cluster staging", { user: "UDEPLOYER", channel: "CDEPLOYS" });
    expect(mine.final?.tone, mine.text).to.not.equal("error");
    expect(mine.whispers).to.have.length(0);
    expect(staging().requests.log.at(-1)).to.include({ user: "tugboat:slack:UDEPLOYER", impersonatedBy: TUGBOAT_SA });
    const viewer = await h.run("/kube get pods -n github-staging --cluster staging", { user: "UVIEWER", channel: "CDEPLOYS" });
    expect(viewer.text).to.equal('Denied by cluster staging\'s RBAC for tugboat:slack:UVIEWER: pods is forbidden: User "tugboat:slack:UVIEWER" cannot list resource "pods" in API group "" in the namespace "github-staging".');
  });

  it("when Tugboat's own identity may not impersonate, the command is denied and nothing changes", async () => {
    const binding = staging().getObject(RBAC, "ClusterRoleBinding", undefined, "tugboat-impersonator");
    staging().putObject({ ...binding, subjects: [] });
    try {
      const before = appImages(h, "staging", "github-staging");
      const t = await h.run("/deploy my-branch to staging", { user: "UDEPLOYER", channel: "CDEPLOYS" });
      expect(t.whispers).to.have.length(1);
      expect(t.whispers[0]!.summary).to.match(/^Denied: cluster staging does not let Tugboat act for you \(clusters\.staging\.impersonate is on, but Tugboat's own identity may not impersonate\): users "tugboat:slack:UDEPLOYER" is forbidden: User "system:serviceaccount:tugboat:tugboat" cannot impersonate resource "users" in API group "" at the cluster scope\. Nothing was changed\.$/);
      expect(appImages(h, "staging", "github-staging")).to.deep.equal(before);
      expect(lease()).to.equal(undefined);
    } finally {
      staging().putObject(binding);
    }
  });
});
