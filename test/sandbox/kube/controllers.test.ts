import { expect } from "chai";
import { startKubeSandbox, TEST_DELAYS, type KubeSandbox } from "@tugboat/sandbox/kube";
import { deployment, raw, waitFor } from "./helpers.js";

// Controllers only reconcile what a write affects (dirty set by object, owner chain and dependants) and what has a
// timed transition due; these cases cover the relations that must still trigger work.
describe("kube sandbox: controllers (dirty-set reconciliation)", function () {
  this.timeout(20_000);
  let sb: KubeSandbox;

  before(async () => {
    sb = await startKubeSandbox({ clusterName: "ctl", delays: TEST_DELAYS });
    for (const ns of ["c", "a", "a-b", "fin"]) sb.putObject({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns } });
  });
  after(async () => sb && sb.stop());

  const pods = (ns: string, app: string) => sb.listObjects("v1", "Pod", ns).filter((p) => p.metadata.labels?.app === app);

  it("garbage-collects dangling dependants, cascades Deployment deletion and honours Orphan", async () => {
    sb.putObject({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "dangling", namespace: "c", ownerReferences: [{ apiVersion: "v1", kind: "ConfigMap", name: "gone", uid: "00000000-0000-0000-0000-000000000000" }] } });
    await waitFor(() => !sb.getObject("v1", "ConfigMap", "c", "dangling"), 3000, "dangling ConfigMap collected");

    for (const name of ["cascade", "orphan"]) {
      expect((await raw(sb, "POST", "/apis/apps/v1/namespaces/c/deployments", { body: deployment(name, "c", { replicas: 2 }) })).status).to.equal(201);
    }
    await waitFor(() => pods("c", "cascade").length === 2 && pods("c", "orphan").length === 2, 5000, "pods");
    expect((await raw(sb, "DELETE", "/apis/apps/v1/namespaces/c/deployments/cascade")).status).to.equal(200);
    await waitFor(() => pods("c", "cascade").length === 0 && !sb.listObjects("apps/v1", "ReplicaSet", "c").some((r) => r.metadata.name.startsWith("cascade-")), 5000, "cascade");

    expect((await raw(sb, "DELETE", "/apis/apps/v1/namespaces/c/deployments/orphan?propagationPolicy=Orphan")).status).to.equal(200);
    await new Promise((r) => setTimeout(r, 200));
    const rs = sb.listObjects("apps/v1", "ReplicaSet", "c").filter((r) => r.metadata.name.startsWith("orphan-"));
    expect(rs).to.have.length(1);
    expect(rs[0].metadata.ownerReferences).to.equal(undefined);
    expect(pods("c", "orphan")).to.have.length(2);
    // the orphaned ReplicaSet keeps reconciling its pods
    await raw(sb, "DELETE", `/api/v1/namespaces/c/pods/${pods("c", "orphan")[0].metadata.name}`);
    await waitFor(() => pods("c", "orphan").length === 2 && pods("c", "orphan").every((p) => p.status?.phase === "Running"), 5000, "replacement pod");
  });

  it("a terminating namespace waits for finalizers on its content", async () => {
    sb.putObject({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "held", namespace: "fin", finalizers: ["example.com/hold"] } });
    expect((await raw(sb, "DELETE", "/api/v1/namespaces/fin")).status).to.equal(200);
    await waitFor(() => sb.getObject("v1", "ConfigMap", "fin", "held")?.metadata.deletionTimestamp, 3000, "deletionTimestamp on the content");
    await new Promise((r) => setTimeout(r, 100));
    expect(sb.getObject("v1", "Namespace", undefined, "fin")?.status.phase).to.equal("Terminating");
    const held = sb.getObject("v1", "ConfigMap", "fin", "held");
    expect((await raw(sb, "PATCH", "/api/v1/namespaces/fin/configmaps/held", { body: { metadata: { finalizers: null, resourceVersion: held.metadata.resourceVersion } }, contentType: "application/merge-patch+json" })).status).to.equal(200);
    await waitFor(() => !sb.getObject("v1", "Namespace", undefined, "fin"), 3000, "namespace gone");
  });

  it("deleting a Machine deletes its Node; the MachineDeployment replaces it", async () => {
    sb.putObject({ apiVersion: "cluster.x-k8s.io/v1beta1", kind: "MachineDeployment", metadata: { name: "pool", namespace: "c" }, spec: { clusterName: "ctl", replicas: 1, template: { spec: { version: "v1.32.4" } } } });
    const ready = () => {
      const ms = sb.listObjects("cluster.x-k8s.io/v1beta1", "Machine", "c").filter((m) => m.status?.phase === "Running");
      const md = sb.getObject("cluster.x-k8s.io/v1beta1", "MachineDeployment", "c", "pool");
      return ms.length === 1 && md?.status?.readyReplicas === 1 ? ms[0] : undefined;
    };
    const m1 = await waitFor(ready, 5000, "machine running");
    const node1 = m1.status.nodeRef.name;
    expect(sb.getObject("v1", "Node", undefined, node1)).to.not.equal(undefined);
    expect((await raw(sb, "DELETE", `/apis/cluster.x-k8s.io/v1beta1/namespaces/c/machines/${m1.metadata.name}`)).status).to.equal(200);
    const m2 = await waitFor(() => {
      const m = ready();
      return m && m.metadata.name !== m1.metadata.name ? m : undefined;
    }, 5000, "replacement machine");
    // The Node goes in the Machine controller's own reconcile, which may come after the replacement is Running.
    await waitFor(() => sb.getObject("v1", "Node", undefined, node1) === undefined || undefined, 5000, "the deleted Machine's Node gone");
    expect(sb.getObject("v1", "Node", undefined, m2.status.nodeRef.name)).to.not.equal(undefined);
  });

  it("keeps the 1000 most recently written events", async () => {
    for (let i = 0; i < 1100; i++) {
      sb.putObject({ apiVersion: "v1", kind: "Event", metadata: { name: `e-${String(i).padStart(4, "0")}`, namespace: "c" }, involvedObject: { kind: "Pod", name: "x", namespace: "c" }, reason: "Test", message: String(i) });
    }
    await waitFor(() => sb.listObjects("v1", "Event").length <= 1000, 3000, "event cap");
    const names = new Set(sb.listObjects("v1", "Event", "c").map((e) => e.metadata.name));
    expect(names.has("e-1099")).to.equal(true);
    expect(names.has("e-0099")).to.equal(false);
  });

  it("lists across namespaces in namespace/name order, also when paging", async () => {
    for (const ns of ["a-b", "a", "c"]) sb.putObject({ apiVersion: "v1", kind: "Secret", metadata: { name: "s", namespace: ns } });
    sb.putObject({ apiVersion: "v1", kind: "Secret", metadata: { name: "a", namespace: "a" } });
    const all = (await raw(sb, "GET", "/api/v1/secrets")).json.items.map((s: any) => `${s.metadata.namespace}/${s.metadata.name}`);
    expect(all).to.deep.equal(["a-b/s", "a/a", "a/s", "c/s"]);
    const paged: string[] = [];
    let cont = "";
    for (;;) {
      const r = (await raw(sb, "GET", `/api/v1/secrets?limit=1${cont ? `&continue=${encodeURIComponent(cont)}` : ""}`)).json;
      paged.push(...r.items.map((s: any) => `${s.metadata.namespace}/${s.metadata.name}`));
      if (!r.metadata.continue) break;
      cont = r.metadata.continue;
    }
    expect(paged).to.deep.equal(all);
  });
});
