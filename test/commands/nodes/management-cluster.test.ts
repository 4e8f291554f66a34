import { expect } from "chai";
import { startHarness, type Harness } from "../../helpers/harness.js";
import { systemClock } from "../../../src/core/services.js";
import { withPoolLock } from "../../../src/domain/nodes/lock-pool.js";
import { raw } from "../../sandbox/kube/helpers.js";
import { MD_API, allText, machineDeployment, management, replicas } from "./nodes-helpers.js";

// Cluster API in a management cluster (clusters.<name>.nodePools): MachineDeployments and Machines are read from the
// sandbox's "management" server, filtered by workload cluster; Nodes come from (and appear in) the workload cluster.

const FAILURE = "InstanceLimitExceeded: You have requested more instances (5) than your current instance limit of 4 allows";

function nodeNames(h: Harness, cluster: string): string[] {
  return h.sandbox.clusters[cluster]!.listObjects("v1", "Node").map((n) => n.metadata.name as string);
}

describe("/nodes with Cluster API in a management cluster (sandbox, through the router)", function () {
  this.timeout(30_000);
  let h: Harness;
  afterEach(async () => {
    await h?.stop();
  });

  it("/nodes list shows only the asked cluster's pools, with Nodes from the workload cluster", async () => {
    h = await startHarness();
    const prod = await h.run("/nodes list --cluster production", { user: "UVIEWER" });
    const text = allText(prod.final);
    expect(prod.final!.tone, prod.text).to.equal("success");
    expect(text).to.match(/^general\s+3\s+3\s+3\s+m5\.xlarge/m).and.match(/^highmem\s+1\s+1\s+1\s+r5\.2xlarge/m);
    expect(text).to.not.include("staging-general");
    expect(text).to.include("ip-10-0-11-21.ec2.internal").and.not.include("ip-10-1-11-42.ec2.internal");
    expect(text).to.include("namespace default of management cluster management (Cluster production)");
    expect(prod.final!.summary).to.equal("production: Totals: 2 pools · 4 desired · 4 ready · 4 available · 4 nodes, 4 Ready");

    const stg = await h.run("/nodes list --cluster staging", { user: "UVIEWER" });
    const stext = allText(stg.final);
    expect(stext).to.match(/^general\s+2\s+2\s+2\s+m5\.large/m);
    expect(stext).to.include("replicas set by Cluster staging's topology (ClusterClass); MachineDeployment staging-general-7xk2p");
    expect(stext).to.include("ip-10-1-11-42.ec2.internal").and.not.include("highmem");
  });

  it("/nodes add scales the MachineDeployment on the management cluster and reports the Node that joins the workload cluster", async () => {
    h = await startHarness();
    const before = { production: nodeNames(h, "production"), staging: nodeNames(h, "staging") };
    const t = await h.run("/nodes add 1 highmem --cluster production");
    expect(t.final!.tone, t.text).to.equal("success");
    expect(replicas(h, "production", "highmem")).to.equal(2);
    const added = nodeNames(h, "production").filter((n) => !before.production.includes(n));
    expect(added).to.have.length(1);
    expect(t.final!.summary).to.equal(`Added 1 node to highmem on production (1 → 2) in ${t.final!.summary.split(" in ")[1]!.split(":")[0]}: ${added[0]}`);
    expect(nodeNames(h, "staging")).to.deep.equal(before.staging);
    expect(h.sandbox.clusters.management!.listObjects("v1", "Node")).to.have.length(0);
    const node = h.sandbox.clusters.production!.getObject("v1", "Node", undefined, added[0]!);
    expect(node.status.conditions.find((c: any) => c.type === "Ready").status).to.equal("True");
    // The pool Lease sits next to the MachineDeployments.
    expect(allText(t.final)).to.include("Lock tugboat-nodes-highmem done");
  });

  it("reports a Machine that cannot provision from its conditions (no Failed phase, no failureReason) without waiting for the deadline", async () => {
    h = await startHarness({ configure: (c) => void (c.nodes.readyTimeoutSeconds = 120) });
    const md = machineDeployment(h, "production", "highmem");
    md.metadata.annotations = { ...md.metadata.annotations, "sandbox.tugboat.dev/provision-failure": FAILURE };
    management(h).putObject(md);

    const started = Date.now();
    const t = await h.run("/nodes add 1 highmem --cluster production");
    expect(Date.now() - started).to.be.lessThan(5000);
    expect(t.final!.tone, t.text).to.equal("error");
    const stuck = management(h)
      .listObjects(MD_API, "Machine", "default")
      .filter((m) => m.metadata.labels["cluster.x-k8s.io/deployment-name"] === "highmem" && !m.status?.nodeRef);
    expect(stuck).to.have.length(1);
    expect(stuck[0].status.phase).to.equal("Provisioning");
    expect(stuck[0].status.failureReason).to.equal(undefined);
    // The message may carry the provider's "AWSMachine:" prefix (v1beta2 conditions) or not (v1beta1 ones): both are read.
    const summary = /^Scaled highmem on production to 2, but 1 of 1 node was not provisioned \(InfrastructureReady: InstanceLimitExceeded: (AWSMachine: )?You have requested more instances \(5\) than your current instance limit of 4 allows\); stuck Machines: (\S+)$/;
    expect(t.final!.summary).to.match(summary);
    expect(summary.exec(t.final!.summary)![2]).to.equal(stuck[0].metadata.name);
    expect(allText(t.final)).to.include("cannot be provisioned");

    const list = await h.run("/nodes list --cluster production", { user: "UVIEWER" });
    expect(allText(list.final)).to.include(`machine ${stuck[0].metadata.name}: Provisioning (cannot provision: InfrastructureReady: InstanceLimitExceeded:`);
    // Tugboat read the Machines as v1beta2 (CAPI 1.11's preferred version): the reason came from status.conditions.
    expect((await h.kube.cluster("management").resolve("machines.cluster.x-k8s.io"))!.version).to.equal("v1beta2");
  });

  it("scales a ClusterClass pool through the Cluster's topology, and the topology controller keeps it", async () => {
    h = await startHarness();
    const before = nodeNames(h, "staging");
    const t = await h.run("/nodes add 1 --cluster staging", { channel: "CGITHUB" });
    expect(t.final!.tone, t.text).to.equal("success");
    expect(t.confirmations[0]!.blocks.map((b: any) => b.text ?? "").join("\n")).to.include("Scales Cluster staging's topology entry general (ClusterClass)");
    const cluster = management(h).getObject(MD_API, "Cluster", "default", "staging");
    expect(cluster.spec.topology.workers.machineDeployments[0].replicas).to.equal(3);
    expect(replicas(h, "staging", "general")).to.equal(3);
    expect(nodeNames(h, "staging").filter((n) => !before.includes(n))).to.have.length(1);
    expect(h.audit.at(-1)!.details).to.include({ before: 2, after: 3, via: "topology" });
    // Still 3 after the topology controller had every chance to revert.
    await new Promise((r) => setTimeout(r, 100));
    expect(replicas(h, "staging", "general")).to.equal(3);
  });

  it("raises the autoscaler min-size of a ClusterClass pool in its topology entry, in the same write as the replicas", async () => {
    h = await startHarness();
    const cluster = management(h).getObject(MD_API, "Cluster", "default", "staging");
    cluster.spec.topology.workers.machineDeployments[0].metadata = {
      annotations: { "cluster.x-k8s.io/cluster-api-autoscaler-node-group-min-size": "2", "cluster.x-k8s.io/cluster-api-autoscaler-node-group-max-size": "6" },
    };
    management(h).putObject(cluster);
    for (let i = 0; i < 100 && !machineDeployment(h, "staging", "general").metadata.annotations?.["cluster.x-k8s.io/cluster-api-autoscaler-node-group-min-size"]; i++) await new Promise((r) => setTimeout(r, 10));
    const t = await h.run("/nodes add 1 general --cluster staging");
    expect(t.final!.tone, t.text).to.equal("success");
    const entry = management(h).getObject(MD_API, "Cluster", "default", "staging").spec.topology.workers.machineDeployments[0];
    expect(entry.replicas).to.equal(3);
    expect(entry.metadata.annotations["cluster.x-k8s.io/cluster-api-autoscaler-node-group-min-size"]).to.equal("3");
    expect(machineDeployment(h, "staging", "general").metadata.annotations["cluster.x-k8s.io/cluster-api-autoscaler-node-group-min-size"]).to.equal("3");
    expect(allText(t.final)).to.include("Autoscaler min-size raised from 2 to 3");
    expect(h.audit.at(-1)!.details).to.include({ minSizeRaisedTo: 3, via: "topology" });
  });

  it("retries a 409 on the Cluster write: someone changed the Cluster between Tugboat's read and write", async () => {
    h = await startHarness();
    management(h).faults.add({ verb: "update", resource: "clusters", status: 409, count: 2 });
    const t = await h.run("/nodes add 2 general --cluster staging");
    expect(t.final!.tone, t.text).to.equal("success");
    expect(management(h).getObject(MD_API, "Cluster", "default", "staging").spec.topology.workers.machineDeployments[0].replicas).to.equal(4);
    expect(h.audit.at(-1)!.details).to.include({ conflicts: 2, via: "topology" });
  });

  it("sandbox: the topology controller reverts a direct scale of a managed MachineDeployment", async () => {
    h = await startHarness();
    const md = machineDeployment(h, "staging", "general");
    md.spec.replicas = 5;
    management(h).putObject(md);
    for (let i = 0; i < 100 && replicas(h, "staging", "general") !== 2; i++) await new Promise((r) => setTimeout(r, 10));
    expect(replicas(h, "staging", "general")).to.equal(2);
    expect(nodeNames(h, "staging")).to.have.length(2);
  });

  it("sandbox: deleting a Machine on the management cluster deletes its Node in the workload cluster; a replacement joins there", async () => {
    h = await startHarness();
    const victim = management(h).getObject(MD_API, "Machine", "default", "highmem-7f8b9c6d4-h2v8n");
    const node = victim.status.nodeRef.name as string;
    expect(nodeNames(h, "production")).to.include(node);
    expect((await raw(management(h), "DELETE", "/apis/cluster.x-k8s.io/v1beta1/namespaces/default/machines/highmem-7f8b9c6d4-h2v8n")).status).to.equal(200);
    const before = nodeNames(h, "production").filter((n) => n !== node);
    let fresh: string[] = [];
    for (let i = 0; i < 300 && fresh.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 10));
      fresh = nodeNames(h, "production").filter((n) => !before.includes(n) && n !== node);
    }
    expect(nodeNames(h, "production")).to.not.include(node);
    expect(fresh).to.have.length(1);
    expect(h.sandbox.clusters.production!.getObject("v1", "Node", undefined, fresh[0]!).metadata.annotations["cluster.x-k8s.io/cluster-name"]).to.equal("production");
  });

  it("scales a ClusterClass pool whose topology leaves replicas to the autoscaler through the MachineDeployment", async () => {
    h = await startHarness();
    const cluster = management(h).getObject(MD_API, "Cluster", "default", "staging");
    delete cluster.spec.topology.workers.machineDeployments[0].replicas;
    cluster.spec.topology.workers.machineDeployments[0].metadata = {
      annotations: { "cluster.x-k8s.io/cluster-api-autoscaler-node-group-min-size": "1", "cluster.x-k8s.io/cluster-api-autoscaler-node-group-max-size": "5" },
    };
    management(h).putObject(cluster);
    for (let i = 0; i < 100 && !machineDeployment(h, "staging", "general").metadata.annotations?.["cluster.x-k8s.io/cluster-api-autoscaler-node-group-max-size"]; i++) await new Promise((r) => setTimeout(r, 10));
    const t = await h.run("/nodes add 1 general --cluster staging");
    expect(t.final!.tone, t.text).to.equal("success");
    expect(t.confirmations[0]!.blocks.map((b: any) => b.text ?? "").join("\n")).to.include("through its scale subresource");
    expect(replicas(h, "staging", "general")).to.equal(3);
    expect(management(h).getObject(MD_API, "Cluster", "default", "staging").spec.topology.workers.machineDeployments[0].replicas).to.equal(undefined);
  });

  it("a busy ClusterClass pool is named as the user knows it; its Lease is next to the MachineDeployment on the management cluster", async () => {
    h = await startHarness();
    const now = new Date().toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
    management(h).putObject({
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      metadata: { name: "tugboat-nodes-staging-general-7xk2p", namespace: "default", annotations: { "tugboat.dev/owner": "UOTHER", "tugboat.dev/reason": "/nodes add 1 general" } },
      spec: { holderIdentity: "other-bot/r1", leaseDurationSeconds: 3600, acquireTime: now, renewTime: now },
    });
    const lock = withPoolLock(
      {
        cluster: h.kube.cluster("management"),
        namespace: "default",
        pool: "staging-general-7xk2p",
        label: { pool: "general", cluster: "staging" },
        holder: "bot/r2",
        owner: "UADMIN",
        reason: "/nodes add 1",
        clock: systemClock,
        waitMs: 300,
      },
      async () => "ran",
    );
    const err = await lock.then(() => undefined, (e: unknown) => e);
    expect(String((err as Error).message)).to.match(/^Pool general on staging is busy: .* holds the lock tugboat-nodes-staging-general-7xk2p \(\/nodes add 1 general\)/);
  });

  it("refuses the management cluster itself as --cluster, naming the clusters it manages", async () => {
    h = await startHarness();
    for (const line of ["/nodes list --cluster management", "/nodes add 1 general --cluster management"]) {
      const t = await h.run(line);
      expect(t.final).to.equal(undefined);
      expect(t.whispers[0]!.summary).to.equal("management is the management cluster of production, staging: name one of those with --cluster");
    }
  });

  it("keeps the single-cluster layout when nodePools is not set", async () => {
    h = await startHarness({
      configure: (c) => {
        delete c.clusters.production!.nodePools;
        c.nodes.clusters.production!.pools.local = { maxSize: 3 };
      },
    });
    h.sandbox.clusters.production!.putObject({
      apiVersion: MD_API,
      kind: "MachineDeployment",
      metadata: { name: "local", namespace: "default", labels: { "cluster.x-k8s.io/cluster-name": "production" } },
      spec: { clusterName: "production", replicas: 1, template: { metadata: { labels: { "node.kubernetes.io/instance-type": "m5.large" } }, spec: { version: "v1.32.4" } } },
    });
    for (let i = 0; i < 200 && !h.sandbox.clusters.production!.listObjects(MD_API, "MachineDeployment", "default")[0]?.status?.readyReplicas; i++) await new Promise((r) => setTimeout(r, 10));
    const list = await h.run("/nodes list --cluster production", { user: "UVIEWER" });
    expect(allText(list.final)).to.match(/^local\s+1\s+1\s+1\s+m5\.large/m).and.include("Cluster API MachineDeployments in namespace default");
    const t = await h.run("/nodes add 1 local --cluster production");
    expect(t.final!.tone, t.text).to.equal("success");
    expect(h.sandbox.clusters.production!.getObject(MD_API, "MachineDeployment", "default", "local").spec.replicas).to.equal(2);
  });
});
