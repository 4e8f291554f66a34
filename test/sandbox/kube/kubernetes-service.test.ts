import { expect } from "chai";
import { TEST_DELAYS } from "@tugboat/sandbox/kube";
import { KUBECTL, raw, startKubectlSandbox, waitFor, type KubectlSandbox } from "./helpers.js";

// The `kubernetes` Service every real cluster has in `default` (the API server's bootstrap controller) with its
// Endpoints and EndpointSlice (the API server's endpoint reconciler), read back through the API and the real kubectl.

const SEED = new URL("../../../config/sandbox/kube/production", import.meta.url).pathname;
const REF = { apiVersion: "v1", kind: "Service", namespace: "default", name: "kubernetes" };

describe("kube sandbox: the kubernetes Service in default", function () {
  this.timeout(30_000);
  let k: KubectlSandbox;

  before(async () => {
    k = await startKubectlSandbox({ clusterName: "production", seedDir: SEED, delays: TEST_DELAYS });
  });
  after(async () => k && k.stop());

  const objects = () => k.sb.control.objects;
  const endpoints = () => objects().get({ apiVersion: "v1", kind: "Endpoints", namespace: "default", name: "kubernetes" }) as any;
  const slice = () => objects().get({ apiVersion: "discovery.k8s.io/v1", kind: "EndpointSlice", namespace: "default", name: "kubernetes" }) as any;

  it("is there from the start as on a real cluster: ClusterIP 10.96.0.1, https 443 -> 6443, no selector", async () => {
    const svc: any = objects().require(REF);
    expect(svc.metadata.labels).to.deep.equal({ component: "apiserver", provider: "kubernetes" });
    expect(svc.spec).to.deep.equal({
      type: "ClusterIP",
      clusterIP: "10.96.0.1",
      clusterIPs: ["10.96.0.1"],
      ports: [{ name: "https", port: 443, protocol: "TCP", targetPort: 6443 }],
      sessionAffinity: "None",
      ipFamilies: ["IPv4"],
      ipFamilyPolicy: "SingleStack",
      internalTrafficPolicy: "Cluster",
    });
    expect(Date.parse(svc.metadata.creationTimestamp)).to.be.below(Date.now() - 86_400_000);
    expect(endpoints().metadata.labels).to.deep.equal({ "endpointslice.kubernetes.io/skip-mirror": "true" });
    expect(endpoints().subsets).to.deep.equal([{ addresses: [{ ip: "10.0.0.2" }], ports: [{ name: "https", port: 6443, protocol: "TCP" }] }]);
    expect(slice().metadata.labels).to.deep.equal({ "kubernetes.io/service-name": "kubernetes" });
    expect(slice()).to.deep.include({ addressType: "IPv4", endpoints: [{ addresses: ["10.0.0.2"], conditions: { ready: true } }], ports: [{ name: "https", port: 6443, protocol: "TCP" }] });
  });

  it("kubectl lists it with its endpoints", async function () {
    if (!KUBECTL) this.skip();
    const svc = await k.kubectl(["get", "svc", "-n", "default", "-o", "custom-columns=NAME:.metadata.name,IP:.spec.clusterIP,PORTS:.spec.ports[*].port"]);
    expect(svc.stdout, svc.stderr).to.match(/^kubernetes\s+10\.96\.0\.1\s+443$/m);
    const ep = await k.kubectl(["get", "endpoints", "kubernetes", "-n", "default", "--no-headers"]);
    expect(ep.stdout, ep.stderr).to.match(/^kubernetes\s+10\.0\.0\.2:6443\s/);
    const es = await k.kubectl(["get", "endpointslices", "-n", "default", "-l", "kubernetes.io/service-name=kubernetes", "--no-headers"]);
    expect(es.stdout, es.stderr).to.match(/^kubernetes\s+IPv4\s+6443\s+10\.0\.0\.2\s/);
  });

  it("new Services never get its address", async () => {
    expect((await raw(k.sb, "POST", "/api/v1/namespaces/default/services", { body: { apiVersion: "v1", kind: "Service", metadata: { name: "first" }, spec: { ports: [{ port: 80 }] } } })).status).to.equal(201);
    expect((objects().require({ ...REF, name: "first" }) as any).spec.clusterIP).to.not.equal("10.96.0.1");
  });

  it("is put back when deleted or changed, with its Endpoints and EndpointSlice", async () => {
    const before: any = objects().require(REF);
    expect((await raw(k.sb, "PATCH", "/api/v1/namespaces/default/services/kubernetes", { body: { spec: { ports: [{ name: "https", port: 8443, targetPort: 6443 }] } }, contentType: "application/merge-patch+json" })).status).to.equal(200);
    await waitFor(() => (objects().require(REF) as any).spec.ports[0].port === 443, 3000, "port 443 put back");

    expect((await raw(k.sb, "DELETE", "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/kubernetes")).status).to.equal(200);
    expect((await raw(k.sb, "PATCH", "/api/v1/namespaces/default/endpoints/kubernetes", { body: { subsets: null }, contentType: "application/merge-patch+json" })).status).to.equal(200);
    await waitFor(() => slice() && endpoints()?.subsets?.[0]?.addresses?.[0]?.ip === "10.0.0.2", 3000, "Endpoints and EndpointSlice put back");

    expect((await raw(k.sb, "DELETE", "/api/v1/namespaces/default/services/kubernetes")).status).to.equal(200);
    const again: any = await waitFor(() => objects().get(REF) as any, 3000, "the Service recreated");
    expect(again.metadata.uid).to.not.equal(before.metadata.uid);
    expect(again.spec.clusterIP).to.equal("10.96.0.1");
    await waitFor(() => slice() && endpoints()?.subsets?.length === 1, 3000, "its Endpoints and EndpointSlice");
  });
});
