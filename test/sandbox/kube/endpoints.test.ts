import { expect } from "chai";
import { existsSync } from "node:fs";
import { TEST_DELAYS } from "@tugboat/sandbox/kube";
import { deployment, raw, startKubectlSandbox, waitFor, type KubectlSandbox } from "./helpers.js";

// The endpoints and endpointslice controllers, and what every namespace gets when it is created (the
// service-account and root-ca-cert-publisher controllers), as a real cluster keeps them; read back through the API
// and through the real kubectl, which is what `kubectl describe svc|ingress` and `kubectl get ep` rely on.

const SEED = new URL("../../../config/sandbox/kube/production", import.meta.url).pathname;
const HAVE_KUBECTL = ["/usr/bin/kubectl", "/usr/local/bin/kubectl"].some((p) => existsSync(p));
const NS = "github-production";

describe("kube sandbox: endpoints, endpoint slices and namespace defaults", function () {
  this.timeout(30_000);
  let k: KubectlSandbox;

  before(async () => {
    k = await startKubectlSandbox({ clusterName: "production", seedDir: SEED, delays: TEST_DELAYS });
  });
  after(async () => k && k.stop());

  const objects = () => k.sb.control.objects;
  const endpointsOf = (ns: string, name: string) => objects().get({ apiVersion: "v1", kind: "Endpoints", namespace: ns, name });
  const slicesOf = (ns: string, name: string) =>
    objects().list({ apiVersion: "discovery.k8s.io/v1", kind: "EndpointSlice", namespace: ns, labelSelector: `kubernetes.io/service-name=${name}` });
  const podIps = (ns: string, app: string) =>
    objects().list({ apiVersion: "v1", kind: "Pod", namespace: ns, labelSelector: `app=${app}` }).map((p: any) => p.status?.podIP as string).filter(Boolean).sort();

  it("serves both kinds in discovery with every verb, and the seeded Services have them from the start", async () => {
    const core = (await raw(k.sb, "GET", "/api/v1")).json.resources.find((r: any) => r.name === "endpoints");
    expect(core).to.include({ kind: "Endpoints", namespaced: true });
    expect(core.shortNames).to.deep.equal(["ep"]);
    const discovery = (await raw(k.sb, "GET", "/apis/discovery.k8s.io/v1")).json.resources.find((r: any) => r.name === "endpointslices");
    expect(discovery).to.include({ kind: "EndpointSlice", namespaced: true });
    for (const r of [core, discovery]) expect(r.verbs).to.have.members(["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]);

    const ips = podIps(NS, "unicorn");
    expect(ips).to.have.length(3);
    const ep: any = endpointsOf(NS, "unicorn");
    expect(ep.metadata.labels).to.include({ app: "unicorn", "endpointslice.kubernetes.io/skip-mirror": "true" });
    expect(ep.subsets).to.have.length(1);
    expect(ep.subsets[0].addresses.map((a: any) => a.ip)).to.deep.equal(ips);
    expect(ep.subsets[0].addresses[0].targetRef).to.include({ kind: "Pod", namespace: NS });
    expect(ep.subsets[0].ports).to.deep.equal([{ name: "http", port: 8080, protocol: "TCP" }]);

    const slices: any[] = slicesOf(NS, "unicorn");
    expect(slices).to.have.length(1);
    const slice = slices[0];
    expect(slice.metadata.name).to.match(/^unicorn-[a-z0-9]{5}$/);
    expect(slice.metadata.labels).to.include({ "kubernetes.io/service-name": "unicorn", "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io" });
    const svc: any = objects().require({ apiVersion: "v1", kind: "Service", namespace: NS, name: "unicorn" });
    expect(slice.metadata.ownerReferences).to.deep.equal([{ apiVersion: "v1", kind: "Service", name: "unicorn", uid: svc.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    expect(slice.addressType).to.equal("IPv4");
    expect(slice.ports).to.deep.equal([{ name: "http", port: 8080, protocol: "TCP" }]);
    expect(slice.endpoints.map((e: any) => e.addresses[0]).sort()).to.deep.equal(ips);
    expect(slice.endpoints[0].conditions).to.deep.equal({ ready: true, serving: true, terminating: false });
  });

  it("the bootstrap roles: view reads both; edit may not write Endpoints (taken out of edit in Kubernetes 1.22)", () => {
    const rbac = k.sb.control.rbac;
    expect(rbac.allows("viewer", { verb: "list", resource: "endpointslices", group: "discovery.k8s.io", namespace: NS })).to.equal(true);
    expect(rbac.allows("viewer", { verb: "get", resource: "endpoints", namespace: NS })).to.equal(true);
    expect(rbac.allows("deployer", { verb: "get", resource: "endpoints", namespace: NS })).to.equal(true);
    expect(rbac.allows("deployer", { verb: "create", resource: "endpoints", namespace: NS })).to.equal(false);
  });

  it("follows the pods: ready ones, not-ready ones (with an IP), removed ones", async () => {
    expect((await raw(k.sb, "POST", "/api/v1/namespaces/default/services", {
      body: { apiVersion: "v1", kind: "Service", metadata: { name: "web", labels: { tier: "front" } }, spec: { selector: { app: "web" }, ports: [{ port: 80, targetPort: "http" }] } },
    })).status).to.equal(201);
    // no pods yet: an Endpoints without subsets and a placeholder slice without ports or endpoints
    const empty: any = await waitFor(() => endpointsOf("default", "web"), 3000, "the Endpoints of web");
    expect(empty.subsets).to.equal(undefined);
    expect(empty.metadata.labels).to.include({ tier: "front" });
    const placeholder: any = await waitFor(() => slicesOf("default", "web")[0], 3000, "the placeholder slice");
    expect(placeholder.ports).to.equal(undefined);
    expect(placeholder.endpoints ?? []).to.deep.equal([]);

    const dep = deployment("web", "default", { replicas: 2 });
    dep.spec.template.spec.containers[0].ports = [{ name: "http", containerPort: 8443 }];
    expect((await raw(k.sb, "POST", "/apis/apps/v1/namespaces/default/deployments", { body: dep })).status).to.equal(201);
    const ready: any = await waitFor(() => {
      const e: any = endpointsOf("default", "web");
      return e?.subsets?.[0]?.addresses?.length === 2 ? e : undefined;
    }, 5000, "two ready addresses");
    expect(ready.subsets[0].notReadyAddresses).to.equal(undefined);
    expect(ready.subsets[0].addresses.map((a: any) => a.ip)).to.deep.equal(podIps("default", "web"));
    // the named target port resolved against the pods' containers; an unnamed Service port is "" in a slice
    expect(ready.subsets[0].ports).to.deep.equal([{ port: 8443, protocol: "TCP" }]);
    const slice = slicesOf("default", "web")[0] as any;
    expect(slice.ports).to.deep.equal([{ name: "", port: 8443, protocol: "TCP" }]);
    expect(slice.endpoints.map((e: any) => e.conditions.ready)).to.deep.equal([true, true]);
    expect(slice.endpoints.map((e: any) => e.nodeName)).to.satisfy((names: string[]) => names.every(Boolean));

    // a pod with an IP that is not ready (crash-looping) is a not-ready address
    expect((await raw(k.sb, "POST", "/api/v1/namespaces/default/services", {
      body: { apiVersion: "v1", kind: "Service", metadata: { name: "flaky" }, spec: { selector: { app: "flaky" }, ports: [{ name: "http", port: 80, targetPort: 8080 }] } },
    })).status).to.equal(201);
    expect((await raw(k.sb, "POST", "/apis/apps/v1/namespaces/default/deployments", { body: deployment("flaky", "default", { replicas: 1, image: "registry.example.com/flaky:crashloop" }) })).status).to.equal(201);
    const notReady: any = await waitFor(() => {
      const e: any = endpointsOf("default", "flaky");
      return e?.subsets?.[0]?.notReadyAddresses?.length === 1 ? e : undefined;
    }, 5000, "a not-ready address");
    expect(notReady.subsets[0].addresses).to.equal(undefined);
    expect(notReady.subsets[0].ports).to.deep.equal([{ name: "http", port: 8080, protocol: "TCP" }]);
    const unready = slicesOf("default", "flaky")[0] as any;
    expect(unready.endpoints.map((e: any) => e.conditions)).to.deep.equal([{ ready: false, serving: false, terminating: false }]);

    expect((await raw(k.sb, "PATCH", "/apis/apps/v1/namespaces/default/deployments/web", { body: { spec: { replicas: 1 } }, contentType: "application/merge-patch+json" })).status).to.equal(200);
    await waitFor(() => (endpointsOf("default", "web") as any)?.subsets?.[0]?.addresses?.length === 1, 3000, "one address left");
    await waitFor(() => (slicesOf("default", "web")[0] as any)?.endpoints?.length === 1, 3000, "one endpoint left in the slice");
  });

  it("puts back what someone else deletes or changes, and goes with its Service", async () => {
    const slice: any = slicesOf(NS, "unicorn-api")[0];
    expect((await raw(k.sb, "DELETE", `/apis/discovery.k8s.io/v1/namespaces/${NS}/endpointslices/${slice.metadata.name}`)).status).to.equal(200);
    expect((await raw(k.sb, "PATCH", `/api/v1/namespaces/${NS}/endpoints/unicorn-api`, { body: { subsets: null }, contentType: "application/merge-patch+json" })).status).to.equal(200);
    const again: any = await waitFor(() => slicesOf(NS, "unicorn-api").find((s: any) => s.metadata.name !== slice.metadata.name), 3000, "a new slice");
    expect(again.endpoints).to.have.length(podIps(NS, "unicorn-api").length);
    await waitFor(() => (endpointsOf(NS, "unicorn-api") as any)?.subsets?.[0]?.addresses?.length === podIps(NS, "unicorn-api").length, 3000, "the subsets restored");

    expect((await raw(k.sb, "DELETE", `/api/v1/namespaces/${NS}/services/unicorn-api`)).status).to.equal(200);
    await waitFor(() => !endpointsOf(NS, "unicorn-api") && slicesOf(NS, "unicorn-api").length === 0, 3000, "Endpoints and slices gone with the Service");
  });

  it("leaves the endpoints of a Service without a selector to whoever writes them", async () => {
    expect((await raw(k.sb, "POST", "/api/v1/namespaces/default/services", { body: { apiVersion: "v1", kind: "Service", metadata: { name: "external" }, spec: { ports: [{ port: 5432 }] } } })).status).to.equal(201);
    const manual = { apiVersion: "v1", kind: "Endpoints", metadata: { name: "external" }, subsets: [{ addresses: [{ ip: "192.0.2.10" }], ports: [{ port: 5432 }] }] };
    expect((await raw(k.sb, "POST", "/api/v1/namespaces/default/endpoints", { body: manual })).status).to.equal(201);
    // a Service with a selector created after it: once its Endpoints exist, the controllers have passed over both
    expect((await raw(k.sb, "POST", "/api/v1/namespaces/default/services", { body: { apiVersion: "v1", kind: "Service", metadata: { name: "marker" }, spec: { selector: { app: "marker" }, ports: [{ port: 80 }] } } })).status).to.equal(201);
    await waitFor(() => endpointsOf("default", "marker"), 3000, "the marker's Endpoints");
    // the port's protocol defaulted as the API server does
    expect((endpointsOf("default", "external") as any).subsets).to.deep.equal([{ addresses: [{ ip: "192.0.2.10" }], ports: [{ port: 5432, protocol: "TCP" }] }]);
    expect(slicesOf("default", "external")).to.have.length(0);
    // Endpoints with no Service stay; a deleted Service's Endpoints go, whoever wrote them
    expect((await raw(k.sb, "POST", "/api/v1/namespaces/default/endpoints", { body: { ...manual, metadata: { name: "no-service" } } })).status).to.equal(201);
    expect((await raw(k.sb, "DELETE", "/api/v1/namespaces/default/services/external")).status).to.equal(200);
    await waitFor(() => !endpointsOf("default", "external"), 3000, "the Endpoints of the deleted Service gone");
    expect(endpointsOf("default", "no-service")).to.not.equal(undefined);
  });

  it("gives every new namespace the default ServiceAccount and kube-root-ca.crt, and keeps them", async () => {
    expect((await raw(k.sb, "POST", "/api/v1/namespaces", { body: { apiVersion: "v1", kind: "Namespace", metadata: { name: "fresh" } } })).status).to.equal(201);
    const sa = await waitFor(() => objects().get({ apiVersion: "v1", kind: "ServiceAccount", namespace: "fresh", name: "default" }), 3000, "the default ServiceAccount");
    expect(sa.metadata.uid).to.be.a("string");
    const cm: any = await waitFor(() => objects().get({ apiVersion: "v1", kind: "ConfigMap", namespace: "fresh", name: "kube-root-ca.crt" }), 3000, "kube-root-ca.crt");
    expect(cm.data["ca.crt"]).to.match(/^-----BEGIN CERTIFICATE-----\n[\s\S]+\n-----END CERTIFICATE-----\n$/);
    expect(cm.metadata.annotations["kubernetes.io/description"]).to.match(/^Contains a CA bundle/);
    // the seeded namespaces have them too, dated with their namespace
    const seeded: any = objects().require({ apiVersion: "v1", kind: "ServiceAccount", namespace: NS, name: "default" });
    const ns: any = objects().require({ apiVersion: "v1", kind: "Namespace", name: NS });
    expect(seeded.metadata.creationTimestamp).to.equal(ns.metadata.creationTimestamp);

    expect((await raw(k.sb, "PATCH", "/api/v1/namespaces/fresh/configmaps/kube-root-ca.crt", { body: { data: { "ca.crt": "tampered" } }, contentType: "application/merge-patch+json" })).status).to.equal(200);
    await waitFor(() => (objects().get({ apiVersion: "v1", kind: "ConfigMap", namespace: "fresh", name: "kube-root-ca.crt" }) as any)?.data["ca.crt"] === cm.data["ca.crt"], 3000, "ca.crt put back");
    expect((await raw(k.sb, "DELETE", "/api/v1/namespaces/fresh/serviceaccounts/default")).status).to.equal(200);
    await waitFor(() => objects().get({ apiVersion: "v1", kind: "ServiceAccount", namespace: "fresh", name: "default" })?.metadata.uid !== sa.metadata.uid, 3000, "a new default ServiceAccount");

    expect((await raw(k.sb, "DELETE", "/api/v1/namespaces/fresh")).status).to.equal(200);
    await waitFor(() => !objects().get({ apiVersion: "v1", kind: "Namespace", name: "fresh" }), 5000, "the namespace gone");
    expect(objects().list({ apiVersion: "v1", kind: "ServiceAccount", namespace: "fresh" })).to.have.length(0);
    expect(objects().list({ apiVersion: "v1", kind: "ConfigMap", namespace: "fresh" })).to.have.length(0);
  });

  describe("with the real kubectl", function () {
    before(function () {
      if (!HAVE_KUBECTL) this.skip();
    });

    it("kubectl get endpoints and endpointslices print the API server's columns", async () => {
      const ips = podIps(NS, "unicorn");
      const ep = await k.kubectl(["get", "endpoints", "unicorn", "-n", NS]);
      expect(ep.code, ep.stderr).to.equal(0);
      expect(ep.stdout.split("\n")[0].trim().split(/\s{2,}/)).to.deep.equal(["NAME", "ENDPOINTS", "AGE"]);
      expect(ep.stdout).to.contain(`unicorn   ${ips.map((ip) => `${ip}:8080`).join(",")}`);
      const es = await k.kubectl(["get", "endpointslices", "-n", NS, "-l", "kubernetes.io/service-name=unicorn"]);
      expect(es.code, es.stderr).to.equal(0);
      expect(es.stdout.split("\n")[0].trim().split(/\s{2,}/)).to.deep.equal(["NAME", "ADDRESSTYPE", "PORTS", "ENDPOINTS", "AGE"]);
      expect(es.stdout).to.match(/unicorn-[a-z0-9]{5}\s+IPv4\s+8080\s+\S+/);
    });

    it("kubectl describe svc lists the Endpoints; kubectl describe ingress resolves its backends", async () => {
      const svc = await k.kubectl(["describe", "svc", "unicorn", "-n", NS]);
      expect(svc.code, svc.stderr).to.equal(0);
      expect(svc.stdout).to.match(new RegExp(`\\nEndpoints:\\s+${podIps(NS, "unicorn").map((ip) => `${ip.replace(/\./g, "\\.")}:8080`).join(",")}\\n`));

      const ingress = {
        apiVersion: "networking.k8s.io/v1",
        kind: "Ingress",
        metadata: { name: "web", namespace: NS },
        spec: { rules: [{ host: "unicorn.example.com", http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "unicorn", port: { number: 80 } } } }] } }] },
      };
      expect((await raw(k.sb, "POST", `/apis/networking.k8s.io/v1/namespaces/${NS}/ingresses`, { body: ingress })).status).to.equal(201);
      const ing = await k.kubectl(["describe", "ingress", "web", "-n", NS]);
      expect(ing.code, ing.stderr).to.equal(0);
      expect(ing.stderr).to.equal("");
      expect(ing.stdout).to.match(/\/\s+unicorn:80 \((\d+\.\d+\.\d+\.\d+:8080,?){3}\)/);
    });

    it("kubectl get sa,cm in a namespace it creates shows the defaults", async () => {
      const created = await k.kubectl(["create", "namespace", "by-kubectl"]);
      expect(created.code, created.stderr).to.equal(0);
      await waitFor(() => objects().get({ apiVersion: "v1", kind: "ConfigMap", namespace: "by-kubectl", name: "kube-root-ca.crt" }), 3000, "kube-root-ca.crt");
      const out = await k.kubectl(["get", "sa,cm", "-n", "by-kubectl", "-o", "name"]);
      expect(out.stdout.split("\n").filter(Boolean)).to.deep.equal(["serviceaccount/default", "configmap/kube-root-ca.crt"]);
    });
  });
});
