import { expect } from "chai";
import { startHarness, type Harness, type Transcript } from "../../helpers/harness.js";
import { codeBlock, kubectl, output, sameAsKubectl } from "./kube-helpers.js";

// Who may see what: kube:get narrowed by cluster, namespace and type; Secrets only for roles that name them,
// and even then every value is redacted in every output format.

const PLAIN = "hunter2-very-secret-password";
const PLAIN_B64 = Buffer.from(PLAIN).toString("base64");
const STRING_DATA = "string-data-secret-value";
const LAB_NAMESPACE = "review-lab-secret-acquisition";

function denied(t: Transcript): string {
  expect(t.final, t.text).to.equal(undefined);
  expect(t.whispers).to.have.length(1);
  return t.whispers[0]!.blocks.map((b) => ("text" in b ? b.text : "")).join("\n");
}

function everything(t: Transcript): string {
  return JSON.stringify([t.updates, t.whispers, t.final]);
}

describe("/kube scope and secrets", function () {
  this.timeout(60_000);
  let h: Harness;
  before(async () => {
    h = await startHarness({
      configure: (c) => {
        c.roles.stagingApps = { permissions: ["kube:get"], kube: { clusters: ["staging"], namespaces: ["github-*"], resources: ["pods", "deployments", "events"] } };
        c.roles.secretReader = { permissions: ["kube:get"], kube: { resources: ["*", "secrets"] } };
        c.roles.allNamespaces = { permissions: ["kube:get"], kube: { namespaces: ["*"] } };
        c.bindings.push({ role: "stagingApps", users: ["UNARROW"], groups: [] });
        c.bindings.push({ role: "secretReader", users: ["USECRETS"], groups: [] });
        c.bindings.push({ role: "allNamespaces", users: ["UALLNS"], groups: [] });
        c.roles.stagingOnly = { permissions: ["kube:get"], kube: { clusters: ["staging"], namespaces: ["github-staging"] } };
        c.roles.stagingNodes = { permissions: ["kube:get"], kube: { clusters: ["staging"], namespaces: ["github-*"], clusterScoped: ["nodes", "namespaces"] } };
        c.bindings.push({ role: "stagingOnly", users: ["USTAGING"], groups: [] });
        c.bindings.push({ role: "stagingNodes", users: ["UNODES"], groups: [] });
        c.roles.podsEverywhere = { permissions: ["kube:get"], kube: { resources: ["pods"] } };
        c.bindings.push({ role: "podsEverywhere", users: ["UPODS"], groups: [] });
        // /nodes list reads the pools in namespace default (of the management cluster) and the workload cluster's Nodes.
        c.roles.poolsOnly = { permissions: ["kube:get"], kube: { namespaces: ["default"] } };
        c.roles.poolsAndNodes = { permissions: ["kube:get"], kube: { namespaces: ["default"], clusterScoped: ["nodes"] } };
        c.bindings.push({ role: "poolsOnly", users: ["UPOOLS"], groups: [] });
        c.bindings.push({ role: "poolsAndNodes", users: ["UPOOLNODES"], groups: [] });
      },
    });
    const staging = h.sandbox.clusters.staging!;
    const lastApplied = JSON.stringify({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "db", namespace: "github-staging" },
      data: { password: PLAIN_B64 },
      stringData: { extra: STRING_DATA },
    });
    staging.putObject({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "db", namespace: "github-staging", annotations: { "kubectl.kubernetes.io/last-applied-configuration": lastApplied + "\n" } },
      type: "Opaque",
      data: { password: PLAIN_B64, user: Buffer.from("app").toString("base64") },
    });
    // A review lab's namespace names its branch: a role limited to github-staging must not learn it.
    staging.putObject({ apiVersion: "v1", kind: "Namespace", metadata: { name: LAB_NAMESPACE, labels: { "kubernetes.io/metadata.name": LAB_NAMESPACE } }, spec: { finalizers: ["kubernetes"] }, status: { phase: "Active" } });
  });
  after(async () => {
    await h?.stop();
  });

  it("a user without kube:get is denied by the router", async () => {
    const t = await h.run("/kube get pods -n github-staging", { user: "UNOBODY" });
    expect(denied(t)).to.contain("kube:get");
  });

  it("denial by namespace names the namespace", async () => {
    expect(denied(await h.run("/kube get pods -n tugboat-secrets", { user: "UNARROW" }))).to.equal("Denied: namespace `tugboat-secrets` is not allowed for you.");
    const ok = await h.run("/kube get pods -n github-staging", { user: "UNARROW" });
    expect(codeBlock(ok)).to.match(/^NAME\s+READY/);
  });

  it("denial by type names the type, also inside a multi-type get", async () => {
    expect(denied(await h.run("/kube get svc -n github-staging", { user: "UNARROW" }))).to.equal("Denied: type `services` is not allowed for you.");
    expect(denied(await h.run("/kube get po,svc -n github-staging", { user: "UNARROW" }))).to.equal("Denied: type `services` is not allowed for you.");
    expect(denied(await h.run("/kube describe svc unicorn -n github-staging", { user: "UNARROW" }))).to.contain("type `services`");
  });

  it("denial by cluster names the cluster", async () => {
    expect(denied(await h.run("/kube get pods -n github-production", { user: "UNARROW" }))).to.equal("Denied: cluster `production` is not allowed for you.");
    expect(denied(await h.run("/kube logs x --cluster production -n github-production", { user: "UNARROW" }))).to.contain("cluster `production`");
  });

  it("-A is refused for a role limited to some namespaces, and says so", async () => {
    const msg = denied(await h.run("/kube get pods -A", { user: "UNARROW" }));
    expect(msg).to.contain("all namespaces (-A) is not allowed for you");
    expect(msg).to.contain("-n");
    expect(denied(await h.run("/kube events -A", { user: "UNARROW" }))).to.contain("all namespaces (-A)");
    const ok = await h.run("/kube get pods -A", { user: "UALLNS" });
    expect(codeBlock(ok)).to.match(/^NAMESPACE\s+NAME/);
  });

  it("Secrets are denied unless a role names them (viewer and a '*' resource role alike)", async () => {
    expect(denied(await h.run("/kube get secrets -n github-staging", { user: "UVIEWER" }))).to.contain("type `secrets` is not allowed");
    expect(denied(await h.run("/kube get secret db -n github-staging -o yaml", { user: "UALLNS" }))).to.contain("type `secrets`");
    expect(denied(await h.run("/kube get po,secrets -n github-staging", { user: "UVIEWER" }))).to.contain("type `secrets`");
    expect(denied(await h.run("/kube describe secret db -n github-staging", { user: "UVIEWER" }))).to.contain("type `secrets`");
  });

  const formats = ["", "-o wide", "-o yaml", "-o json", "-o name"];
  for (const f of formats) {
    it(`redacts Secret values with ${f || "the default table"}`, async () => {
      const t = await h.run(`/kube get secrets -n github-staging ${f}`, { user: "USECRETS" });
      expect(t.final?.tone, t.text).to.equal("success");
      const all = everything(t);
      for (const leak of [PLAIN, PLAIN_B64, STRING_DATA, "YXBw"]) expect(all).to.not.contain(leak);
      const text = output(t);
      if (f.includes("yaml") || f.includes("json")) {
        expect(text).to.contain("<redacted: 28 bytes>");
        expect(text).to.contain("<redacted: 3 bytes>");
      }
      if (f === "-o name") expect(codeBlock(t).split("\n")).to.include("secret/db");
    });
  }

  it("redacts inside last-applied-configuration (yaml and json of a single Secret)", async () => {
    for (const f of ["yaml", "json"]) {
      const t = await h.run(`/kube get secret db -n github-staging -o ${f}`, { user: "USECRETS" });
      const text = output(t);
      expect(text).to.contain("last-applied-configuration");
      expect(text).to.contain("redacted: 24 bytes"); // stringData inside the annotation
      for (const leak of [PLAIN, PLAIN_B64, STRING_DATA]) expect(everything(t)).to.not.contain(leak);
    }
  });

  it("redacts in describe, and hides the last-applied annotation as kubectl describe does", async () => {
    const t = await h.run("/kube describe secret db -n github-staging", { user: "USECRETS" });
    const text = output(t);
    // kubectl's Secret describer: sizes, no Events section
    expect(text).to.match(/^password:\s+28 bytes$/m);
    expect(text).to.not.contain("Events:");
    expect(text).to.not.contain("last-applied");
    for (const leak of [PLAIN, PLAIN_B64, STRING_DATA]) expect(everything(t)).to.not.contain(leak);
  });

  it("redacts in a multi-type yaml List and never writes a value to the log", async () => {
    const t = await h.run("/kube get secrets,deploy -n github-staging -o yaml", { user: "USECRETS" });
    expect(output(t)).to.contain("kind: List");
    for (const leak of [PLAIN, PLAIN_B64, STRING_DATA]) {
      expect(everything(t)).to.not.contain(leak);
      expect(h.logText()).to.not.contain(leak);
    }
  });

  it("the Secret table itself matches kubectl (no values there to begin with)", async () => {
    const t = await h.run("/kube get secrets -n github-staging", { user: "USECRETS" });
    const k = await kubectl(h, "staging", ["get", "secrets", "-n", "github-staging"]);
    expect(sameAsKubectl(codeBlock(t), k.stdout), `${codeBlock(t)}\n---\n${k.stdout}`).to.equal(true);
  });

  describe("cluster-scoped types for roles limited to namespaces (deny by default)", () => {
    it("a staging-only role is refused clusterroles, nodes, namespaces and CRDs, and never sees a lab namespace", async () => {
      const asked = ["clusterroles", "clusterrolebindings", "nodes", "namespaces", "crd"];
      for (const type of asked) {
        const t = await h.run(`/kube get ${type} --cluster staging`, { user: "USTAGING" });
        expect(denied(t)).to.match(/^Denied: cluster-scoped type `[a-z]+` is not allowed for you \(your role is limited to namespaces; roles.<role>.kube.clusterScoped must name it\)\.$/);
        expect(everything(t)).to.not.contain(LAB_NAMESPACE);
      }
      expect(denied(await h.run("/kube get clusterroles --cluster staging -o yaml", { user: "USTAGING" }))).to.contain("cluster-scoped type `clusterroles`");
      expect(denied(await h.run("/kube describe ns github-staging", { user: "USTAGING" }))).to.contain("cluster-scoped type `namespaces`");
      expect(denied(await h.run("/kube get pods,nodes -n github-staging", { user: "USTAGING" }))).to.contain("cluster-scoped type `nodes`");
      // Its own namespace still reads as before.
      expect(codeBlock(await h.run("/kube get pods -n github-staging", { user: "USTAGING" }))).to.match(/^NAME\s+READY/);
      // Unscoped roles read everything, labs included.
      expect(codeBlock(await h.run("/kube get ns --cluster staging", { user: "UVIEWER" }))).to.contain(LAB_NAMESPACE);
      expect(codeBlock(await h.run("/kube get clusterroles --cluster staging", { user: "UVIEWER" }))).to.match(/^NAME\s+CREATED AT/);
    });

    it("a role granted nodes reads them as kubectl prints them, and is still refused what it was not granted", async () => {
      const t = await h.run("/kube get nodes --cluster staging", { user: "UNODES" });
      const k = await kubectl(h, "staging", ["get", "nodes"]);
      expect(k.stdout).to.match(/^NAME\s+STATUS/);
      expect(sameAsKubectl(codeBlock(t), k.stdout), `${codeBlock(t)}\n---\n${k.stdout}`).to.equal(true);
      const node = k.stdout.split("\n")[1]!.split(/\s+/)[0]!;
      expect(output(await h.run(`/kube describe node ${node} --cluster staging`, { user: "UNODES" }))).to.match(new RegExp(`^Name:\\s+${node}$`, "m"));
      expect(denied(await h.run("/kube get clusterroles --cluster staging", { user: "UNODES" }))).to.contain("cluster-scoped type `clusterroles`");
    });

    it("/nodes list shows Nodes only to a namespace-limited role granted nodes", async () => {
      expect(denied(await h.run("/nodes list --cluster staging", { user: "UPOOLS", channel: "CDEPLOYS" }))).to.contain("cluster-scoped type `nodes`");
      const t = await h.run("/nodes list --cluster staging", { user: "UPOOLNODES", channel: "CDEPLOYS" });
      expect(t.final?.tone, t.text).to.equal("success");
      expect(t.text).to.include("Node pools on staging");
    });

    it("-A for a role reading every namespace but not the type names the type", async () => {
      expect(denied(await h.run("/kube get svc -A --cluster staging", { user: "UPODS" }))).to.equal("Denied: type `services` is not allowed for you.");
      expect(codeBlock(await h.run("/kube get pods -A --cluster staging", { user: "UPODS" }))).to.match(/^NAMESPACE\s+NAME/);
    });

    it("a role granted namespaces lists only its own, in every output, and is refused the others by name", async () => {
      for (const f of ["", "-o wide", "-o name", "-o yaml", "-o json", "--sort-by .metadata.name"]) {
        const t = await h.run(`/kube get ns --cluster staging ${f}`, { user: "UNODES" });
        expect(t.final?.tone, t.text).to.equal("success");
        const text = output(t);
        expect(text, f).to.contain("github-staging");
        for (const hidden of [LAB_NAMESPACE, "tugboat-secrets", "kube-system"]) expect(everything(t), `${f}: ${hidden}`).to.not.contain(hidden);
      }
      const table = codeBlock(await h.run("/kube get ns --cluster staging", { user: "UNODES" }));
      const k = await kubectl(h, "staging", ["get", "ns", "github-staging"]);
      expect(sameAsKubectl(table, k.stdout), `${table}\n---\n${k.stdout}`).to.equal(true);
      expect(denied(await h.run(`/kube get ns ${LAB_NAMESPACE} --cluster staging`, { user: "UNODES" }))).to.equal(`Denied: namespace \`${LAB_NAMESPACE}\` is not allowed for you.`);
      expect(denied(await h.run("/kube describe ns kube-system --cluster staging", { user: "UNODES" }))).to.equal("Denied: namespace `kube-system` is not allowed for you.");
      expect(output(await h.run("/kube describe ns github-staging --cluster staging", { user: "UNODES" }))).to.match(/^Name:\s+github-staging$/m);
      const all = await h.run("/kube describe ns --cluster staging", { user: "UNODES" });
      expect(output(all).match(/^Name:\s+\S+$/gm)).to.deep.equal(["Name:         github-staging"]);
      expect(everything(all)).to.not.contain(LAB_NAMESPACE);
      // A near miss suggests only namespaces the role may read.
      const miss = await h.run("/kube get ns github-stagin --cluster staging", { user: "UNODES" });
      expect(miss.text).to.contain("not found");
      expect(everything(miss)).to.not.contain(LAB_NAMESPACE);
    });
  });
});
