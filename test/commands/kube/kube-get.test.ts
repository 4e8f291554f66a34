import { expect } from "chai";
import { startHarness, type Harness } from "../../helpers/harness.js";
import { codeBlock, kubectl, output, sameAsKubectl } from "./kube-helpers.js";

// /kube get through the router against the sandbox, each form checked against what /usr/bin/kubectl prints
// for the same objects on the same server.

describe("/kube get: kubectl goldens through the router", function () {
  this.timeout(60_000);
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h?.stop();
  });

  const forms: Array<[string, string]> = [
    ["staging", "get pods -n github-staging"],
    ["production", "get pods -n github-production"],
    ["production", "get po,svc,deploy -n github-production"],
    ["staging", "get pods -A"],
    ["staging", "get pods -A -o wide"],
    ["staging", "get deploy unicorn unicorn-api -n github-staging"],
    ["staging", "get deploy/unicorn svc/unicorn -n github-staging"],
    ["staging", "get pods -n github-staging -l app=unicorn"],
    ["staging", "get pods -n github-staging --field-selector status.phase=Running"],
    ["staging", "get pods -A --sort-by .metadata.name"],
    ["staging", "get pods -A --sort-by {.status.podIP}"],
    ["staging", "get rs -n github-staging --sort-by .spec.replicas"],
    ["management", "get machinedeployments -n default"],
    ["management", "get md -n default -o wide"],
    ["management", "get machines.cluster.x-k8s.io -A"],
    ["production", "get crd"],
    ["production", "get nodes -o wide"],
    ["production", "get no,md -A"],
    ["staging", "get ns"],
    ["staging", "get deployments.apps -n github-staging"],
    ["staging", "get Deployment -n github-staging -o wide"],
    ["staging", "get deployment.v1.apps unicorn -n github-staging"],
    ["staging", "get svc,deploy -n github-staging -o name"],
    ["staging", "get pods -n github-staging -o name"],
    ["staging", "get deploy unicorn -n github-staging -o json"],
    ["staging", "get deploy unicorn -n github-staging -o yaml"],
    ["staging", "get svc -n github-staging -o yaml"],
    ["management", "get md -n default -o json"],
    ["staging", "get all -n github-staging"],
    ["production", "get all -n github-production -o wide"],
    ["management", "get cluster-api -n default"],
    ["staging", "get pods -n github-staging --show-labels"],
    ["staging", "get pods,svc -n github-staging --show-labels -o wide"],
    ["staging", "get ns --show-labels"],
    ["staging", "get pods -A --show-labels --sort-by .metadata.name"],
    ["staging", "get deploy unicorn -n github-staging --show-labels"],
    ["management", "get md -n default --show-labels"],
  ];
  for (const [cluster, args] of forms) {
    it(`/kube ${args} --cluster ${cluster} prints what kubectl prints`, async () => {
      const [t, k] = await Promise.all([h.run(`/kube ${args} --cluster ${cluster}`, { user: "UVIEWER" }), kubectl(h, cluster, args.split(" "))]);
      expect(t.whispers, t.text).to.have.length(0);
      expect(t.final?.tone).to.equal("success");
      expect(k.stdout, k.stderr).to.not.equal("");
      const ours = output(t);
      if (!sameAsKubectl(ours, k.stdout)) expect(ours + "\n").to.equal(k.stdout);
    });
  }

  // Sorting on names and values chosen for it, not the sandbox's random pod suffixes: kubectl 1.32 orders names
  // byte by byte ("web-10" before "web-9", "-" before "." before digits before letters) and values that read as
  // quantities by amount ("9" before "10").
  it("sorts seeded names and fields exactly as kubectl does", async () => {
    const staging = h.sandbox.clusters.staging!;
    staging.putObject({ apiVersion: "v1", kind: "Namespace", metadata: { name: "sorting" } });
    const ranks: Record<string, string> = { "web-9": "0", z0: "1", "web-1": "2", "web-9a": "3", "api-2": "4", "a-b": "6", "web-10": "7", "0z": "8", api: "9", web: "10", "a.b": "11" };
    for (const [name, rank] of Object.entries(ranks)) staging.putObject({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: "sorting" }, data: { rank } });
    const cases: Array<[string, string[]]> = [
      // kube-root-ca.crt: every namespace has it (the root-ca-cert-publisher's), the new one too
      ["get cm -n sorting --sort-by .metadata.name", ["0z", "a-b", "a.b", "api", "api-2", "kube-root-ca.crt", "web", "web-1", "web-10", "web-9", "web-9a", "z0"]],
      // (kubectl puts a value the object lacks first)
      ["get cm -n sorting --sort-by {.data.rank}", ["kube-root-ca.crt", ...Object.keys(ranks)]],
    ];
    for (const [args, order] of cases) {
      const [t, k] = await Promise.all([h.run(`/kube ${args} --cluster staging`, { user: "UVIEWER" }), kubectl(h, "staging", args.split(" "))]);
      const kubectlOrder = k.stdout.trim().split("\n").slice(1).map((line) => line.split(/\s+/)[0]);
      expect(kubectlOrder, `${args}: kubectl`).to.deep.equal(order);
      const ours = output(t);
      if (!sameAsKubectl(ours, k.stdout)) expect(ours + "\n").to.equal(k.stdout);
    }
  });

  it("--show-labels with -o name, yaml or json is refused as kubectl refuses it", async () => {
    for (const o of ["name", "yaml", "json"]) {
      const t = await h.run(`/kube get pods -n github-staging --show-labels -o ${o}`, { user: "UVIEWER" });
      const k = await kubectl(h, "staging", ["get", "pods", "-n", "github-staging", "--show-labels", "-o", o]);
      expect(t.final, t.text).to.equal(undefined);
      expect(k.stderr.trim()).to.equal(`error: --show-labels option cannot be used with ${o} printer`);
      expect(t.text).to.contain(`--show-labels option cannot be used with ${o} printer`);
      expect(t.text).to.contain("/kube get <type>");
    }
  });

  it("says what kubectl says (on stderr) when nothing matches", async () => {
    const t = await h.run("/kube get pods -n github-staging -l app=nothing", { user: "UVIEWER" });
    const k = await kubectl(h, "staging", ["get", "pods", "-n", "github-staging", "-l", "app=nothing"]);
    expect(k.stderr.trim()).to.equal("No resources found in github-staging namespace.");
    expect(t.text).to.contain("No resources found in github-staging namespace.");
    const all = await h.run("/kube get leases -A", { user: "UVIEWER" });
    expect(all.text).to.contain("No resources found");
  });

  it("shows the chosen cluster and namespace in the header line", async () => {
    const t = await h.run("/kube get pods -n github-production", { user: "UVIEWER" });
    expect(t.final?.blocks[0]).to.deep.equal({ type: "context", text: "cluster: production · namespace: github-production" });
    const all = await h.run("/kube get deploy -A", { user: "UVIEWER" });
    expect(all.final?.blocks[0]).to.deep.equal({ type: "context", text: "cluster: staging · namespace: all" });
    const nodes = await h.run("/kube get nodes", { user: "UVIEWER" });
    expect(nodes.final?.blocks[0]).to.deep.equal({ type: "context", text: "cluster: staging" });
    expect(codeBlock(nodes)).to.match(/^NAME\s+STATUS/);
  });

  it("picks the cluster: --cluster, then the namespace's environment, then the channel, then the default", async () => {
    const ctx = async (line: string, channel = "CTEST") => {
      const t = await h.run(line, { user: "UVIEWER", channel });
      const b = t.final?.blocks[0];
      return b && b.type === "context" ? b.text : t.text;
    };
    expect(await ctx("/kube get deploy -n github-production")).to.match(/^cluster: production/);
    expect(await ctx("/kube get deploy -n github-staging")).to.match(/^cluster: staging/);
    expect(await ctx("/kube get deploy -n github-staging", "CDEPLOYS")).to.match(/^cluster: staging/);
    expect(await ctx("/kube get deploy", "CDEPLOYS")).to.equal("cluster: production · namespace: github-production");
    expect(await ctx("/kube get deploy", "CGITHUB")).to.equal("cluster: staging · namespace: github-staging");
    expect(await ctx("/kube get nodes --cluster production", "CGITHUB")).to.equal("cluster: production");
    expect(await ctx("/kube get ns")).to.equal("cluster: staging");
  });

  it("names an unknown cluster in one line listing the known ones", async () => {
    const t = await h.run("/kube get pods --cluster mars", { user: "UVIEWER" });
    expect(t.final?.tone).to.equal("error");
    expect(t.text).to.equal('Unknown cluster "mars"; known clusters: production, staging, management.');
  });

  it("asks for one Table per type when discovery is warm, and discovery only once when cold", async () => {
    const staging = h.sandbox.clusters.staging!;
    await h.run("/kube get pods -n github-staging", { user: "UVIEWER" }); // warm the cache
    staging.requests.reset();
    await h.run("/kube get pods -n github-staging", { user: "UVIEWER" });
    expect(staging.requests.total).to.equal(1);
    staging.requests.reset();
    await h.run("/kube get po,svc,deploy -n github-staging", { user: "UVIEWER" });
    expect(staging.requests.total).to.equal(3);
    staging.requests.reset();
    await h.run("/kube get pods -A", { user: "UVIEWER" });
    expect(staging.requests.total).to.equal(1);
    expect(staging.requests.log[0]!.path).to.equal("/api/v1/pods");
  });

  it("resolves names the way kubectl does: singular, plural, short, Kind, type.group, CRD short names", async () => {
    for (const type of ["pod", "pods", "po", "Pod"]) {
      const t = await h.run(`/kube get ${type} -n github-staging -o name`, { user: "UVIEWER" });
      expect(codeBlock(t), type).to.match(/^pod\//);
    }
    for (const [type, prefix] of [["deploy", "deployment.apps/"], ["rs", "replicaset.apps/"], ["svc", "service/"], ["md", "machinedeployment.cluster.x-k8s.io/"]]) {
      const where = type === "md" ? "-n default --cluster management" : "-n github-production --cluster production";
      const t = await h.run(`/kube get ${type} ${where} -o name`, { user: "UVIEWER" });
      expect(codeBlock(t), type).to.contain(prefix!);
    }
    const ing = await h.run("/kube get ing -n github-staging", { user: "UVIEWER" });
    expect(ing.text).to.contain("No resources found in github-staging namespace.");
  });
});
