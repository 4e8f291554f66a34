import { expect } from "chai";
import { startHarness, type Harness } from "../../helpers/harness.js";
import { expectDescribeLikeKubectl, output } from "./kube-helpers.js";

// kubectl's IngressDescriber (not the generic one): Address, Ingress Class, Default backend, TLS, Rules with each
// path's backend and its endpoints, Annotations, Events. Compared with the real kubectl against the same sandbox.

const NS = "github-staging";

function backend(name: string, port: { number: number } | { name: string }) {
  return { service: { name, port } };
}

describe("/kube describe ingress: kubectl's IngressDescriber", function () {
  this.timeout(60_000);
  let h: Harness;
  before(async () => {
    h = await startHarness();
    const staging = h.sandbox.clusters.staging!;
    const ingress = (name: string, spec: object, extra: { annotations?: Record<string, string>; labels?: Record<string, string>; status?: object } = {}) =>
      staging.putObject({
        apiVersion: "networking.k8s.io/v1",
        kind: "Ingress",
        metadata: { name, namespace: NS, uid: `${name}-uid`, ...(extra.labels ? { labels: extra.labels } : {}), ...(extra.annotations ? { annotations: extra.annotations } : {}) },
        spec,
        ...(extra.status ? { status: extra.status } : {}),
      });
    ingress(
      "web",
      {
        ingressClassName: "nginx",
        tls: [{ hosts: ["unicorn.staging.example.com", "api.staging.example.com"], secretName: "web-tls" }, { hosts: ["sni.staging.example.com"] }],
        rules: [
          {
            host: "unicorn.staging.example.com",
            http: {
              paths: [
                { path: "/", pathType: "Prefix", backend: backend("unicorn", { number: 80 }) },
                { path: "/api", pathType: "Prefix", backend: backend("unicorn-api", { name: "http" }) },
              ],
            },
          },
          { http: { paths: [{ path: "/health", pathType: "Exact", backend: backend("consul-service-router", { number: 80 }) }] } },
          { host: "no-http.staging.example.com" },
        ],
      },
      {
        labels: { app: "unicorn", "app.kubernetes.io/part-of": "github" },
        annotations: { "nginx.ingress.kubernetes.io/rewrite-target": "/", "cert-manager.io/cluster-issuer": "letsencrypt" },
        status: { loadBalancer: { ingress: [{ ip: "203.0.113.10" }, { hostname: "lb.example.com" }, { ip: "198.51.100.7" }] } },
      },
    );
    ingress("default-only", { defaultBackend: backend("unicorn", { number: 80 }) });
    ingress("broken", {
      defaultBackend: backend("no-such-service", { number: 8080 }),
      rules: [
        {
          host: "broken.staging.example.com",
          http: {
            paths: [
              { path: "/", pathType: "Prefix", backend: backend("no-such-service", { name: "http" }) },
              { path: "/static", pathType: "Prefix", backend: { resource: { apiGroup: "k8s.example.com", kind: "StorageBucket", name: "static-assets" } } },
              { path: "/wrong-port", pathType: "Prefix", backend: backend("unicorn", { number: 9999 }) },
            ],
          },
        },
      ],
    });
    staging.putObject({
      apiVersion: "v1",
      kind: "Event",
      metadata: { name: "web.sync", namespace: NS },
      involvedObject: { apiVersion: "networking.k8s.io/v1", kind: "Ingress", name: "web", namespace: NS, uid: "web-uid" },
      reason: "Sync",
      message: "Scheduled for sync",
      type: "Normal",
      source: { component: "nginx-ingress-controller" },
      firstTimestamp: new Date(Date.now() - 3_600_000).toISOString().replace(/\.\d+Z$/, "Z"),
      lastTimestamp: new Date(Date.now() - 600_000).toISOString().replace(/\.\d+Z$/, "Z"),
      count: 2,
    });
  });
  after(async () => {
    await h?.stop();
  });

  for (const args of [`describe ingress web -n ${NS}`, `describe ing default-only -n ${NS}`, `describe ingress broken -n ${NS}`, `describe ingress -n ${NS}`]) {
    it(`/kube ${args} prints what kubectl prints`, async () => {
      await expectDescribeLikeKubectl(h, "staging", args);
    });
  }

  it("shows each path's backend with its endpoints, not the generic describer's fields", async () => {
    const text = output(await h.run(`/kube describe ingress web -n ${NS} --cluster staging`, { user: "UVIEWER" }));
    expect(text).to.match(/^Rules:$/m);
    expect(text).to.match(/^\s+\/\s+unicorn:80 \(\d+\.\d+\.\d+\.\d+:8080,\d+\.\d+\.\d+\.\d+:8080\)$/m);
    expect(text).to.match(/^Default backend:\s+<default>$/m);
    expect(text).to.not.contain("Spec:");
  });

  it("a role that may not read EndpointSlices sees the backends without them, saying why", async () => {
    const h2 = await startHarness({
      sandbox: h.sandbox,
      configure: (c) => {
        c.roles.ingressOnly = { permissions: ["kube:get"], kube: { namespaces: [NS], resources: ["ingresses", "events"] } };
        c.bindings.push({ role: "ingressOnly", users: ["UINGRESS"], groups: [] });
      },
    });
    try {
      const text = output(await h2.run(`/kube describe ingress web -n ${NS} --cluster staging`, { user: "UINGRESS" }));
      expect(text).to.match(/^\s+\/\s+unicorn:80 \(<error: type `endpointslices` is not allowed for you>\)$/m);
    } finally {
      await h2.stop();
    }
  });
});
