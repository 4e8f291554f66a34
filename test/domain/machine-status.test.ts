import { expect } from "chai";
import { describeMachine, describePool, poolName, topologyOf } from "../../src/domain/nodes/describe-pool.js";
import { machineProblem } from "../../src/domain/nodes/machine-status.js";
import { topologyEntry } from "../../src/domain/nodes/scale-topology.js";

// Cluster API Machines as v1beta1 (before and after CAPI 1.9) and v1beta2 (CAPI 1.11+) serve them: where the reason a
// Machine has no Node is found, and which reasons are failures rather than waiting.

const v1beta2 = (status: any) => ({ apiVersion: "cluster.x-k8s.io/v1beta2", kind: "Machine", metadata: { name: "m" }, status });
const v1beta1 = (status: any) => ({ apiVersion: "cluster.x-k8s.io/v1beta1", kind: "Machine", metadata: { name: "m" }, status });

describe("Cluster API Machine status in both versions", () => {
  it("v1beta2: a False InfrastructureReady with a provider reason is a failure, read from status.conditions (no phase Failed)", () => {
    const m = v1beta2({
      phase: "Provisioning",
      conditions: [
        { type: "BootstrapConfigReady", status: "True", reason: "Ready" },
        { type: "InfrastructureReady", status: "False", reason: "InstanceProvisionFailed", message: "* AWSMachine: InsufficientInstanceCapacity in us-east-1a" },
      ],
    });
    expect(machineProblem(m)).to.deep.equal({ text: "InfrastructureReady: InstanceProvisionFailed: AWSMachine: InsufficientInstanceCapacity in us-east-1a", failed: true });
    expect(describeMachine(m)).to.include({ phase: "Provisioning", failure: "InfrastructureReady: InstanceProvisionFailed: AWSMachine: InsufficientInstanceCapacity in us-east-1a" });
  });

  it("v1beta2: BootstrapConfigReady False is reported too; waiting reasons are progress, not failures", () => {
    const bad = v1beta2({ conditions: [{ type: "BootstrapConfigReady", status: "False", reason: "BootstrapFailed", message: "kubeadm config is invalid" }] });
    expect(machineProblem(bad)).to.deep.equal({ text: "BootstrapConfigReady: BootstrapFailed: kubeadm config is invalid", failed: true });
    const waiting = v1beta2({ conditions: [{ type: "InfrastructureReady", status: "False", reason: "NotReady", message: "* AWSMachine: instance is pending" }] });
    expect(machineProblem(waiting)).to.deep.equal({ text: "InfrastructureReady: NotReady: AWSMachine: instance is pending", failed: false });
    expect(describeMachine(waiting)).to.include({ waitingFor: "InfrastructureReady: NotReady: AWSMachine: instance is pending" }).and.not.have.property("failure");
    expect(machineProblem(v1beta2({ conditions: [{ type: "InfrastructureReady", status: "False", reason: "WaitingForClusterInfrastructure" }] }))).to.equal(undefined);
  });

  it("v1beta2: the deprecated v1beta1 failure fields count when a provider still sets them", () => {
    const m = v1beta2({ deprecated: { v1beta1: { failureReason: "CreateError", failureMessage: "image not found" } } });
    expect(machineProblem(m)).to.deep.equal({ text: "CreateError: image not found", failed: true });
  });

  it("v1beta1: failureReason/failureMessage and phase Failed (before 1.11), and the v1beta2 conditions under status.v1beta2 (1.9+)", () => {
    expect(machineProblem(v1beta1({ phase: "Failed", failureReason: "UpdateError", failureMessage: "boom" }))).to.deep.equal({ text: "UpdateError: boom", failed: true });
    expect(machineProblem(v1beta1({ phase: "Failed" }))).to.deep.equal({ text: "phase Failed", failed: true });
    const newer = v1beta1({ phase: "Provisioning", v1beta2: { conditions: [{ type: "InfrastructureReady", status: "False", reason: "InstanceLimitExceeded", message: "limit 4" }] } });
    expect(machineProblem(newer)).to.deep.equal({ text: "InfrastructureReady: InstanceLimitExceeded: limit 4", failed: true });
    const old = v1beta1({ conditions: [{ type: "InfrastructureReady", status: "False", severity: "Error", reason: "InstanceProvisionFailed", message: "no capacity" }] });
    expect(machineProblem(old)).to.deep.equal({ text: "InfrastructureReady: InstanceProvisionFailed: no capacity", failed: true });
  });

  it("a Machine with a Node has no provisioning problem to report", () => {
    const m = v1beta2({ nodeRef: { name: "n1" }, conditions: [{ type: "InfrastructureReady", status: "False", reason: "InstanceProvisionFailed" }] });
    expect(describeMachine(m)).to.not.have.property("failure");
  });
});

describe("ClusterClass pools", () => {
  const md = {
    metadata: {
      name: "staging-general-7xk2p",
      namespace: "default",
      labels: { "cluster.x-k8s.io/cluster-name": "staging", "topology.cluster.x-k8s.io/owned": "", "topology.cluster.x-k8s.io/deployment-name": "general" },
    },
    spec: { clusterName: "staging", replicas: 2 },
  };

  it("a managed MachineDeployment is the pool named by its topology entry; its Machines are found by the MachineDeployment's name", () => {
    expect(topologyOf(md)).to.deep.equal({ cluster: "staging", name: "general" });
    expect(poolName(md)).to.equal("general");
    expect(poolName({ metadata: { name: "highmem", labels: { "cluster.x-k8s.io/cluster-name": "production" } } })).to.equal("highmem");
    const machine = { metadata: { name: "m1", labels: { "cluster.x-k8s.io/deployment-name": "staging-general-7xk2p" } }, status: { nodeRef: { name: "n1" } } };
    const p = describePool(md, [machine], new Map([["n1", { metadata: { name: "n1" }, status: { conditions: [{ type: "Ready", status: "True" }] } }]]));
    expect(p).to.include({ name: "general", machineDeployment: "staging-general-7xk2p" });
    expect(p.topology).to.deep.equal({ cluster: "staging", name: "general" });
    expect(p.nodes.map((n) => n.name)).to.deep.equal(["n1"]);
  });

  it("finds the topology entry and its replicas; an entry without replicas leaves them to an autoscaler", () => {
    const cluster = { spec: { topology: { workers: { machineDeployments: [{ class: "c", name: "other", replicas: 1 }, { class: "c", name: "general", replicas: 2 }, { class: "c", name: "auto" }] } } } };
    expect(topologyEntry(cluster, { cluster: "staging", name: "general" })).to.include({ index: 1, replicas: 2 });
    expect(topologyEntry(cluster, { cluster: "staging", name: "auto" })).to.include({ index: 2, replicas: undefined });
    expect(topologyEntry(cluster, { cluster: "staging", name: "missing" })).to.equal(undefined);
    expect(topologyEntry({ spec: {} }, { cluster: "staging", name: "general" })).to.equal(undefined);
  });
});
