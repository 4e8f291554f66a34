/**
 * Admission like a real cluster: ResourceQuota refusing pods (FailedCreate on the ReplicaSet and Deployment, and
 * the event), Pod Security `restricted` refusing privileged pods, and sidecar injection in labelled namespaces.
 */
import { expect } from "chai";
import { startKubeSandbox, TEST_DELAYS, type KubeSandbox } from "@tugboat/sandbox/kube";
import { deployment, raw, waitFor } from "./helpers.js";

const SEED = new URL("../../../config/sandbox/kube/production", import.meta.url).pathname;

async function namespace(sb: KubeSandbox, name: string, labels: Record<string, string> = {}): Promise<void> {
  const r = await raw(sb, "POST", "/api/v1/namespaces", { body: { apiVersion: "v1", kind: "Namespace", metadata: { name, labels } } });
  expect(r.status).to.equal(201);
}

describe("kube sandbox: admission", function () {
  this.timeout(30_000);
  let sb: KubeSandbox;
  beforeEach(async () => {
    sb = await startKubeSandbox({ clusterName: "production", seedDir: SEED, delays: TEST_DELAYS });
  });
  afterEach(async () => sb && sb.stop());

  it("a pod count quota: the ReplicaSet and the Deployment get ReplicaFailure/FailedCreate and a FailedCreate event names the quota", async () => {
    await namespace(sb, "quota-a");
    const q = await raw(sb, "POST", "/api/v1/namespaces/quota-a/resourcequotas", { body: { apiVersion: "v1", kind: "ResourceQuota", metadata: { name: "pod-quota" }, spec: { hard: { pods: "1" } } } });
    expect(q.status).to.equal(201);
    expect((await raw(sb, "POST", "/apis/apps/v1/namespaces/quota-a/deployments", { body: deployment("web", "quota-a", { replicas: 2 }) })).status).to.equal(201);
    const rs = await waitFor(() => sb.listObjects("apps/v1", "ReplicaSet", "quota-a").find((x) => x.status?.conditions?.some((c: any) => c.type === "ReplicaFailure")), 5000, "ReplicaFailure on the ReplicaSet");
    const cond = rs.status.conditions.find((c: any) => c.type === "ReplicaFailure");
    expect(cond).to.include({ status: "True", reason: "FailedCreate" });
    expect(cond.message).to.match(/^pods "web-[a-z0-9]+-[a-z0-9]{5}" is forbidden: exceeded quota: pod-quota, requested: pods=1, used: pods=1, limited: pods=1$/);
    const d = await waitFor(() => sb.getObject("apps/v1", "Deployment", "quota-a", "web")?.status?.conditions?.find((c: any) => c.type === "ReplicaFailure"), 5000, "ReplicaFailure on the Deployment");
    expect(d).to.include({ status: "True", reason: "FailedCreate", message: cond.message });
    // every attempt leaves its own event (the pod names differ); the condition keeps the first failure
    const ev = sb.listObjects("v1", "Event", "quota-a").find((e) => e.reason === "FailedCreate" && e.message === `Error creating: ${cond.message}`);
    expect(ev).to.include({ type: "Warning", message: `Error creating: ${cond.message}` });
    expect(ev.involvedObject).to.include({ kind: "ReplicaSet", name: rs.metadata.name });
    expect(sb.listObjects("v1", "Pod", "quota-a")).to.have.length(1);
  });

  it("a compute quota refuses pods that do not specify what it limits", async () => {
    await namespace(sb, "quota-b");
    await raw(sb, "POST", "/api/v1/namespaces/quota-b/resourcequotas", { body: { apiVersion: "v1", kind: "ResourceQuota", metadata: { name: "compute" }, spec: { hard: { "limits.cpu": "2", "requests.memory": "1Gi" } } } });
    const pod = { apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: { containers: [{ name: "app", image: "nginx:1.25" }] } };
    const r = await raw(sb, "POST", "/api/v1/namespaces/quota-b/pods", { body: pod });
    expect(r.status).to.equal(403);
    expect(r.json).to.include({ reason: "Forbidden", message: 'pods "p" is forbidden: failed quota: compute: must specify limits.cpu for: app; requests.memory for: app' });
    const big = { ...pod, spec: { containers: [{ name: "app", image: "nginx:1.25", resources: { limits: { cpu: "1500m" }, requests: { memory: "768Mi" } } }] } };
    expect((await raw(sb, "POST", "/api/v1/namespaces/quota-b/pods", { body: big })).status).to.equal(201);
    const again = await raw(sb, "POST", "/api/v1/namespaces/quota-b/pods", { body: { ...big, metadata: { name: "p2" } } });
    expect(again.json.message).to.equal('pods "p2" is forbidden: exceeded quota: compute, requested: limits.cpu=1500m,requests.memory=768Mi, used: limits.cpu=1500m,requests.memory=768Mi, limited: limits.cpu=2,requests.memory=1Gi');
  });

  it("Pod Security restricted refuses a privileged pod with the plugin's message", async () => {
    await namespace(sb, "locked", { "pod-security.kubernetes.io/enforce": "restricted" });
    const pod = { apiVersion: "v1", kind: "Pod", metadata: { name: "priv" }, spec: { containers: [{ name: "app", image: "nginx:1.25", securityContext: { privileged: true } }] } };
    const r = await raw(sb, "POST", "/api/v1/namespaces/locked/pods", { body: pod });
    expect(r.status).to.equal(403);
    expect(r.json.message).to.equal(
      'pods "priv" is forbidden: violates PodSecurity "restricted:latest": privileged (container "app" must not set securityContext.privileged=true), ' +
        'allowPrivilegeEscalation != false (container "app" must set securityContext.allowPrivilegeEscalation=false), ' +
        'unrestricted capabilities (container "app" must set securityContext.capabilities.drop=["ALL"]), ' +
        'runAsNonRoot != true (pod or container "app" must set securityContext.runAsNonRoot=true), ' +
        'seccompProfile (pod or container "app" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")',
    );
    const compliant = {
      apiVersion: "v1", kind: "Pod", metadata: { name: "ok" },
      spec: { securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } }, containers: [{ name: "app", image: "nginx:1.25", securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } } }] },
    };
    expect((await raw(sb, "POST", "/api/v1/namespaces/locked/pods", { body: compliant })).status).to.equal(201);
  });

  it("a pod naming a ServiceAccount that does not exist is refused", async () => {
    const pod = { apiVersion: "v1", kind: "Pod", metadata: { name: "sa" }, spec: { serviceAccountName: "builder", containers: [{ name: "app", image: "nginx:1.25" }] } };
    const r = await raw(sb, "POST", "/api/v1/namespaces/github-production/pods", { body: pod });
    expect(r.status).to.equal(403);
    expect(r.json.message).to.equal('pods "sa" is forbidden: error looking up service account github-production/builder: serviceaccount "builder" not found');
  });

  it("pods of a namespace labelled sidecar-injection: enabled get a proxy container", async () => {
    await namespace(sb, "meshed", { "sidecar-injection": "enabled" });
    await raw(sb, "POST", "/apis/apps/v1/namespaces/meshed/deployments", { body: deployment("web", "meshed", { replicas: 1 }) });
    const pod = await waitFor(() => sb.listObjects("v1", "Pod", "meshed")[0], 5000, "a pod");
    expect(pod.spec.containers.map((c: any) => c.name)).to.deep.equal(["app", "sidecar-proxy"]);
    const d = sb.getObject("apps/v1", "Deployment", "meshed", "web");
    expect(d.spec.template.spec.containers).to.have.length(1);
  });
});
