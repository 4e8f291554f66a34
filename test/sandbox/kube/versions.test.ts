/**
 * Several served versions of one stored resource: autoscaling/v1 and v2 HorizontalPodAutoscalers, Cluster API
 * v1beta1 and v1beta2 (preferred), in /apis, aggregated discovery and every verb.
 */
import { expect } from "chai";
import { startKubeSandbox, TEST_DELAYS, type KubeSandbox } from "@tugboat/sandbox/kube";
import { raw } from "./helpers.js";

const SEED = new URL("../../../config/sandbox/kube/production", import.meta.url).pathname;
const NS = "github-production";
const AGGREGATED = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

const machine = (name: string, status: any) => ({
  apiVersion: "cluster.x-k8s.io/v1beta1",
  kind: "Machine",
  metadata: { name, namespace: "default", labels: { "cluster.x-k8s.io/cluster-name": "production" } },
  spec: { clusterName: "production", bootstrap: { dataSecretName: "x" }, infrastructureRef: { apiVersion: "infrastructure.cluster.x-k8s.io/v1beta2", kind: "AWSMachine", name } },
  status,
});

describe("kube sandbox: several versions per group", function () {
  this.timeout(30_000);
  let sb: KubeSandbox;
  before(async () => {
    sb = await startKubeSandbox({ clusterName: "production", seedDir: SEED, delays: TEST_DELAYS });
  });
  after(async () => sb && sb.stop());

  it("/apis and aggregated discovery list both versions, the preferred one first", async () => {
    const groups = (await raw(sb, "GET", "/apis")).json.groups;
    const autoscaling = groups.find((g: any) => g.name === "autoscaling");
    expect(autoscaling.versions.map((v: any) => v.groupVersion)).to.deep.equal(["autoscaling/v2", "autoscaling/v1"]);
    expect(autoscaling.preferredVersion.version).to.equal("v2");
    const capi = groups.find((g: any) => g.name === "cluster.x-k8s.io");
    expect(capi.versions.map((v: any) => v.version)).to.deep.equal(["v1beta2", "v1beta1"]);
    expect(capi.preferredVersion.version).to.equal("v1beta2");
    expect(groups.filter((g: any) => g.name === "autoscaling")).to.have.length(1);
    const agg = (await raw(sb, "GET", "/apis", { accept: AGGREGATED })).json;
    const aggCapi = agg.items.find((g: any) => g.metadata.name === "cluster.x-k8s.io");
    expect(aggCapi.versions.map((v: any) => v.version)).to.deep.equal(["v1beta2", "v1beta1"]);
    expect(aggCapi.versions[0].resources.map((r: any) => r.resource)).to.include.members(["machinedeployments", "machines"]);
    const crd = (await raw(sb, "GET", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/machines.cluster.x-k8s.io")).json;
    expect(crd.spec.versions.map((v: any) => [v.name, v.served, v.storage])).to.deep.equal([["v1beta2", true, true], ["v1beta1", true, false]]);
    const hpaV1 = (await raw(sb, "GET", "/apis/autoscaling/v1")).json.resources.map((r: any) => r.name);
    expect(hpaV1).to.include("horizontalpodautoscalers");
  });

  it("an HPA created as autoscaling/v1 reads back as v2 with a CPU metric, and a v1 patch changes it", async () => {
    const hpa = { apiVersion: "autoscaling/v1", kind: "HorizontalPodAutoscaler", metadata: { name: "unicorn" }, spec: { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "unicorn" }, minReplicas: 2, maxReplicas: 6, targetCPUUtilizationPercentage: 60 } };
    const created = await raw(sb, "POST", `/apis/autoscaling/v1/namespaces/${NS}/horizontalpodautoscalers`, { body: hpa });
    expect(created.status).to.equal(201);
    expect(created.json).to.include({ apiVersion: "autoscaling/v1" });
    expect(created.json.spec.targetCPUUtilizationPercentage).to.equal(60);
    const v2 = (await raw(sb, "GET", `/apis/autoscaling/v2/namespaces/${NS}/horizontalpodautoscalers/unicorn`)).json;
    expect(v2.apiVersion).to.equal("autoscaling/v2");
    expect(v2.spec.metrics).to.deep.equal([{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 60 } } }]);
    const patched = await raw(sb, "PATCH", `/apis/autoscaling/v1/namespaces/${NS}/horizontalpodautoscalers/unicorn`, { body: { spec: { targetCPUUtilizationPercentage: 75 } }, contentType: "application/merge-patch+json" });
    expect(patched.status).to.equal(200);
    expect(patched.json.spec.targetCPUUtilizationPercentage).to.equal(75);
    expect((await raw(sb, "GET", `/apis/autoscaling/v2/namespaces/${NS}/horizontalpodautoscalers/unicorn`)).json.spec.metrics[0].resource.target.averageUtilization).to.equal(75);
    const list = (await raw(sb, "GET", `/apis/autoscaling/v1/horizontalpodautoscalers`)).json;
    expect(list).to.include({ kind: "HorizontalPodAutoscalerList", apiVersion: "autoscaling/v1" });
    expect(list.items.map((i: any) => i.apiVersion)).to.deep.equal(["autoscaling/v1"]);
    const bad = await raw(sb, "POST", `/apis/autoscaling/v1/namespaces/${NS}/horizontalpodautoscalers?fieldValidation=Strict`, { body: { ...hpa, metadata: { name: "x" }, spec: { ...hpa.spec, metrics: [] } } });
    expect(bad.status).to.equal(400);
    expect(bad.json.message).to.equal('HorizontalPodAutoscaler in version "v1" cannot be handled as a HorizontalPodAutoscaler: strict decoding error: unknown field "spec.metrics"');
  });

  it("Cluster API v1beta2: failure reason, counters and conditions where v1beta2 keeps them; v1beta1 unchanged", async () => {
    sb.putObject(machine("broken", { phase: "Failed", failureReason: "CreateError", failureMessage: "instance quota exceeded", conditions: [{ type: "BootstrapReady", status: "True", lastTransitionTime: "2026-01-01T00:00:00Z" }], nodeRef: { apiVersion: "v1", kind: "Node", name: "n1", uid: "u" } }));
    const v2 = (await raw(sb, "GET", "/apis/cluster.x-k8s.io/v1beta2/namespaces/default/machines/broken")).json;
    expect(v2.apiVersion).to.equal("cluster.x-k8s.io/v1beta2");
    expect(v2.status.failureReason).to.equal(undefined);
    expect(v2.status.deprecated.v1beta1).to.deep.include({ failureReason: "CreateError", failureMessage: "instance quota exceeded" });
    expect(v2.status.conditions[0]).to.include({ type: "BootstrapConfigReady", status: "True", reason: "BootstrapConfigReady" });
    expect(v2.status.nodeRef).to.deep.equal({ name: "n1" });
    expect(v2.spec.infrastructureRef).to.deep.equal({ apiGroup: "infrastructure.cluster.x-k8s.io", kind: "AWSMachine", name: "broken" });
    const v1 = (await raw(sb, "GET", "/apis/cluster.x-k8s.io/v1beta1/namespaces/default/machines/broken")).json;
    expect(v1.status.failureReason).to.equal("CreateError");
    expect(v1.spec.infrastructureRef.apiVersion).to.equal("infrastructure.cluster.x-k8s.io/v1beta2");
    // a write through v1beta2 keeps the reference's stored version
    const p = await raw(sb, "PATCH", "/apis/cluster.x-k8s.io/v1beta2/namespaces/default/machines/broken", { body: { metadata: { labels: { touched: "yes" } } }, contentType: "application/merge-patch+json" });
    expect(p.status).to.equal(200);
    const after = sb.getObject("cluster.x-k8s.io/v1beta1", "Machine", "default", "broken");
    expect(after.metadata.labels.touched).to.equal("yes");
    expect(after.spec.infrastructureRef.apiVersion).to.equal("infrastructure.cluster.x-k8s.io/v1beta2");
  });

  it("watches through an alternate version see converted objects", async () => {
    const w = await raw(sb, "GET", "/apis/cluster.x-k8s.io/v1beta2/namespaces/default/machines?watch=true&timeoutSeconds=0.05");
    const objs = w.text.split("\n").filter(Boolean).map((l) => JSON.parse(l).object);
    expect(objs.length).to.be.greaterThan(0);
    expect(new Set(objs.map((o: any) => o.apiVersion))).to.deep.equal(new Set(["cluster.x-k8s.io/v1beta2"]));
  });
});
