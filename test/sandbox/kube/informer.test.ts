import { expect } from "chai";
import { CoreV1Api, makeInformer, type V1ConfigMap } from "@kubernetes/client-node";
import { startKubeSandbox, TEST_DELAYS, type KubeSandbox } from "@tugboat/sandbox/kube";
import { kubeConfigFor, waitFor } from "./helpers.js";

describe("kube sandbox: client-node informer", function () {
  this.timeout(20_000);
  let sb: KubeSandbox;

  before(async () => {
    sb = await startKubeSandbox({ clusterName: "t", delays: TEST_DELAYS, historyLimit: 50, objects: [{ apiVersion: "v1", kind: "Namespace", metadata: { name: "inf" } }] });
  });
  after(async () => sb && sb.stop());

  it("lists, watches, and reconnects after the watch is dropped", async () => {
    const kc = kubeConfigFor(sb);
    const core = kc.makeApiClient(CoreV1Api);
    const informer = makeInformer<V1ConfigMap>(kc, "/api/v1/namespaces/inf/configmaps", () => core.listNamespacedConfigMap({ namespace: "inf" }));
    const seen = new Set<string>();
    informer.on("add", (o) => seen.add(o.metadata!.name!));
    await informer.start();
    await core.createNamespacedConfigMap({ namespace: "inf", body: { metadata: { name: "a" } } });
    await waitFor(() => seen.has("a"), 3000, "add a");
    // drop the watch; the informer reconnects from its last resourceVersion
    sb.faults.add({ verb: "watch", resource: "configmaps", dropWatchAfterMs: 50, count: 1 });
    await new Promise((r) => setTimeout(r, 100));
    await core.createNamespacedConfigMap({ namespace: "inf", body: { metadata: { name: "b" } } });
    await waitFor(() => informer.list().some((o) => o.metadata!.name === "b"), 5000, "b in cache");
    expect(informer.list().map((o) => o.metadata!.name).sort()).to.include.members(["a", "b"]);
    await informer.stop();
  });

  it("relists after a 410 Gone (history compacted while the watch was delayed)", async () => {
    const kc = kubeConfigFor(sb);
    const core = kc.makeApiClient(CoreV1Api);
    sb.faults.add({ verb: "watch", resource: "configmaps", latencyMs: 300, count: 1 });
    const informer = makeInformer<V1ConfigMap>(kc, "/api/v1/namespaces/inf/configmaps", () => core.listNamespacedConfigMap({ namespace: "inf" }));
    const errors: unknown[] = [];
    informer.on("error", (e) => errors.push(e));
    await informer.start();
    for (let i = 0; i < 120; i++) sb.putObject({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: `churn-${i % 3}`, namespace: "inf" }, data: { i: String(i) } });
    await new Promise((r) => setTimeout(r, 400));
    await core.createNamespacedConfigMap({ namespace: "inf", body: { metadata: { name: "after-410" } } });
    await waitFor(() => informer.list().some((o) => o.metadata!.name === "after-410"), 5000, "after-410 in cache");
    expect(informer.list().map((o) => o.metadata!.name)).to.include.members(["churn-0", "churn-1", "churn-2"]);
    const watches = sb.requests.log.filter((r) => r.path === "/api/v1/namespaces/inf/configmaps" && /watch=true/.test(r.query ?? ""));
    expect(watches.length).to.be.greaterThan(1);
    await informer.stop();
  });
});
