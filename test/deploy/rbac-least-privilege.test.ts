import { expect } from "chai";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseConfig } from "../../src/config/load-config.js";
import type { Sandbox } from "@tugboat/sandbox";
import { startHarness, type Harness } from "../helpers/harness.js";
import { FLOWS, runFlow, startServiceAccountBot, type ServiceAccountBot } from "./rbac-flows.js";
import { asAdmin, kubectl, kubectlOk, ROOT } from "./rbac-helpers.js";

// deploy/'s RBAC is enough. With the seed's own grants to Tugboat's ServiceAccount taken away and deploy/rbac applied
// to the sandbox clusters (deploy/rbac/cluster everywhere, review-labs on staging, node-pools on the management
// cluster), every feature's happy path runs through the router as that ServiceAccount, and nothing more is granted.
// That no rule is more than needed is rbac-rule-removal.check.ts (in .ci/run's check:production step). The overlays
// pass a server-side dry run.

describe("deploy/ RBAC: least privilege, proven against the sandbox", function () {
  this.timeout(300_000);
  let bot: ServiceAccountBot;
  let sandbox: Sandbox;
  let h: Harness;

  before(async () => {
    bot = await startServiceAccountBot();
    ({ sandbox, h } = bot);
  });

  after(() => bot?.stop());

  it("every feature's happy path runs as the ServiceAccount, and leaves no lock behind", async () => {
    const failures: string[] = [];
    for (const flow of FLOWS) {
      const failed = await runFlow(h, sandbox, flow);
      if (failed) failures.push(`${flow.name}: ${failed}`);
    }
    expect(failures).to.deep.equal([]);
  });

  it("the ServiceAccount has no grant beyond deploy/ (no Secrets to read, no RBAC to write, nothing in kube-system)", async () => {
    // kubectl answers yes or no on stdout (and exits 1 for no).
    const can = async (cluster: string, verb: string, what: string, ns?: string) =>
      (await kubectl(["--kubeconfig", sandbox.kubeconfigPath, "--context", cluster, "auth", "can-i", verb, what, ...(ns ? ["-n", ns] : []), "--as", "system:serviceaccount:tugboat:tugboat"])).stdout.trim();
    expect(await can("staging", "list", "secrets", "github-staging")).to.equal("no");
    expect(await can("staging", "create", "rolebindings.rbac.authorization.k8s.io", "github-staging")).to.equal("no");
    expect(await can("production", "delete", "deployments.apps", "kube-system")).to.equal("no");
    expect(await can("production", "create", "namespaces"), "labs only on the lab cluster").to.equal("no");
    expect(await can("staging", "create", "namespaces"), "on the lab cluster").to.equal("yes");
    expect(await can("production", "patch", "deployments.apps", "github-production")).to.equal("yes");
  });

  it("kubectl apply --dry-run=server -k deploy/overlays/http (and socket-mode) passes against the sandbox", async () => {
    for (const overlay of ["deploy/overlays/http", "deploy/overlays/socket-mode"]) {
      // On staging, the review-lab cluster: the overlays include the lab and Cluster API rules, whose namespaces it has.
      const out = await kubectlOk(["--kubeconfig", sandbox.kubeconfigPath, "--context", "staging", "apply", "--dry-run=server", "-k", overlay]);
      expect(out, overlay).to.match(/deployment\.apps\/tugboat (created|configured) \(server dry run\)/);
      expect(out, overlay).to.match(/poddisruptionbudget\.policy\/tugboat (created|configured) \(server dry run\)/);
    }
    // Nothing was stored; the ConfigMap's tugboat.yaml is a valid config.
    expect(() => parseConfig(readFileSync(join(ROOT, "deploy/base/tugboat.yaml"), "utf8"), "deploy/base/tugboat.yaml")).not.to.throw();
    expect(await asAdmin(sandbox, "staging", ["get", "deployments,poddisruptionbudgets", "-n", "tugboat", "-o", "name"])).to.equal("");
  });

  it("with canary.mode istio, deploy/rbac/istio-canaries grants Tugboat's routes (list, create, patch, delete) in the app namespace only", async () => {
    const can = async (verb: string, what: string, ns: string) =>
      (await kubectl(["--kubeconfig", sandbox.kubeconfigPath, "--context", "production", "auth", "can-i", verb, what, "-n", ns, "--as", "system:serviceaccount:tugboat:tugboat"])).stdout.trim();
    const kinds = ["virtualservices.networking.istio.io", "destinationrules.networking.istio.io"];
    const verbs = ["list", "create", "patch", "delete"];
    for (const kind of kinds) expect(await can("patch", kind, "github-production"), `${kind} without the overlay`).to.equal("no");
    await asAdmin(sandbox, "production", ["apply", "-k", "deploy/rbac/istio-canaries"]);
    try {
      for (const kind of kinds) {
        for (const verb of verbs) expect(await can(verb, kind, "github-production"), `${verb} ${kind}`).to.equal("yes");
        expect(await can("patch", kind, "kube-system"), `${kind} outside the app namespace`).to.equal("no");
        expect(await can("update", kind, "github-production"), `update ${kind} (apply is a patch)`).to.equal("no");
      }
    } finally {
      await asAdmin(sandbox, "production", ["delete", "-k", "deploy/rbac/istio-canaries"]);
    }
  });

  it("with impersonate: true, deploy/rbac/impersonation lets Tugboat act for the user, and without it the cluster refuses", async () => {
    await asAdmin(sandbox, "staging", ["apply", "-k", "deploy/rbac/impersonation"]);
    // The cluster's own rule for the user: admins may deploy in the app namespace.
    const binding = {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name: "slack-admins-deploy", namespace: "github-staging" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "tugboat-deploy" },
      subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: "tugboat:role:admin" }],
    };
    await asAdmin(sandbox, "staging", ["apply", "-f", "-"], JSON.stringify(binding));
    const acting = await startHarness({
      sandbox,
      kubeconfigPath: bot.kubeconfigPath,
      configure: (c) => {
        c.clusters.staging = { ...c.clusters.staging!, impersonate: true };
        // Tugboat's own Leases live in its namespace (as deploy/base/tugboat.yaml configures).
        c.coordination.namespace = "tugboat";
      },
    });
    try {
      const deploy = () => runFlow(acting, sandbox, { name: "deploy as the user", steps: [{ line: "/deploy PR4812 to staging", user: "UADMIN", channel: "CDEPLOYS" }] });
      expect(await deploy()).to.equal(undefined);
      // Tugboat's shared state (a freeze, in its own namespace) is written as Tugboat, not as the user, who has no
      // rights there.
      const froze = await runFlow(acting, sandbox, { name: "freeze", steps: [{ line: "/deploy freeze staging 1h rbac check", user: "UADMIN", channel: "CDEPLOYS" }, { line: "/deploy unfreeze staging", user: "UADMIN", channel: "CDEPLOYS" }] });
      expect(froze).to.equal(undefined);
      await asAdmin(sandbox, "staging", ["delete", "clusterrolebinding", "tugboat-impersonator"]);
      expect(await deploy()).to.match(/forbidden.*impersonate/i);
    } finally {
      await acting.stop();
      await asAdmin(sandbox, "staging", ["delete", "rolebinding", "slack-admins-deploy", "-n", "github-staging"]);
      await asAdmin(sandbox, "staging", ["delete", "leases", "--all", "-n", "github-staging"]);
    }
  });
});
