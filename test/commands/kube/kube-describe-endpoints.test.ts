import { expect } from "chai";
import { startHarness, type Harness } from "../../helpers/harness.js";
import { eventually } from "../../helpers/manual-clock.js";
import { kubectl, output, sameAsKubectl } from "./kube-helpers.js";

// A Service's Endpoints line in /kube describe svc comes from its EndpointSlices, which the sandbox's endpointslice
// controller keeps as a real cluster does: the pods' addresses (at most three, then "+ N more..."), and a Service whose
// selector picks nothing. Compared with the real kubectl against the same sandbox.
describe("/kube describe svc: Endpoints from the Service's EndpointSlices", function () {
  this.timeout(60_000);
  let h: Harness;
  const NS = "github-staging";

  before(async () => {
    h = await startHarness();
    const staging = h.sandbox.control.cluster("staging");
    staging.objects.put({ apiVersion: "v1", kind: "Service", metadata: { name: "idle", namespace: NS }, spec: { selector: { app: "idle" }, ports: [{ name: "http", port: 80, targetPort: 8080 }] } });
    staging.objects.put({ apiVersion: "v1", kind: "Service", metadata: { name: "many", namespace: NS }, spec: { selector: { app: "many" }, ports: [{ name: "web", port: 80, targetPort: 9090 }] } });
    for (let i = 0; i < 5; i++) {
      staging.objects.put({ apiVersion: "v1", kind: "Pod", metadata: { name: `many-${i}`, namespace: NS, labels: { app: "many" } }, spec: { containers: [{ name: "app", image: "registry.example.com/many:1" }] } });
    }
    const readyIn = (name: string) => (staging.objects.get({ apiVersion: "v1", kind: "Endpoints", namespace: NS, name }) as any)?.subsets?.[0]?.addresses?.length ?? 0;
    await eventually("the five pods of many ready in its Endpoints", () => readyIn("many") === 5);
    await eventually("the idle Service's placeholder slice", () => staging.objects.list({ apiVersion: "discovery.k8s.io/v1", kind: "EndpointSlice", namespace: NS, labelSelector: "kubernetes.io/service-name=idle" }).length === 1);
  });
  after(async () => {
    await h?.stop();
  });

  for (const name of ["unicorn", "many", "idle"]) {
    it(`${name}: the same text as kubectl describe svc`, async () => {
      const [t, k] = await Promise.all([h.run(`/kube describe svc ${name} -n ${NS}`, { user: "UVIEWER" }), kubectl(h, "staging", ["describe", "svc", name, "-n", NS])]);
      expect(k.stderr).to.equal("");
      expect(sameAsKubectl(output(t), k.stdout), `${output(t)}\n---\n${k.stdout}`).to.equal(true);
    });
  }

  it("lists the ready addresses with the target port, and cuts at three", async () => {
    const endpointsLine = async (name: string) => (output(await h.run(`/kube describe svc ${name} -n ${NS}`, { user: "UVIEWER" })).match(/^Endpoints:\s*(.*)$/m) ?? [])[1];
    const ips = h.sandbox.control.cluster("staging").objects.list({ apiVersion: "v1", kind: "Pod", namespace: NS, labelSelector: "app=unicorn" }).map((p: any) => p.status.podIP as string);
    const unicorn = (await endpointsLine("unicorn"))!.split(",");
    expect(unicorn.sort()).to.deep.equal(ips.map((ip) => `${ip}:8080`).sort());
    expect(await endpointsLine("many")).to.match(/^(\d+\.\d+\.\d+\.\d+:9090,){2}\d+\.\d+\.\d+\.\d+:9090 \+ 2 more\.\.\.$/);
  });

  it("a caller who may not read EndpointSlices is told so on the Endpoints line, not shown an empty one", async () => {
    const narrow = await startHarness({
      sandbox: h.sandbox,
      configure: (c) => {
        c.roles["svc-reader"] = { permissions: ["kube:get"], kube: { resources: ["services", "events"] } } as (typeof c.roles)[string];
        c.bindings.push({ role: "svc-reader", users: ["USVCONLY"] } as (typeof c.bindings)[number]);
      },
    });
    try {
      const text = output(await narrow.run(`/kube describe svc unicorn -n ${NS}`, { user: "USVCONLY" }));
      expect(text).to.match(/^Endpoints:\s*<not shown: type `endpointslices` is not allowed for you>$/m);
    } finally {
      await narrow.stop();
    }
  });
});
