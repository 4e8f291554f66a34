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
    // The informer's first watch is dropped after 50 ms; it reconnects from its last resourceVersion. (A fault
    // added after the watch started would never meet it: faults apply when a request arrives.)
    const drop = sb.control.faults.inject({ verb: "watch", resource: "configmaps", dropWatchAfterMs: 50, count: 1 });
    await informer.start();
    await core.createNamespacedConfigMap({ namespace: "inf", body: { metadata: { name: "a" } } });
    await waitFor(() => seen.has("a"), 3000, "add a");
    await new Promise((r) => setTimeout(r, 100));
    await core.createNamespacedConfigMap({ namespace: "inf", body: { metadata: { name: "b" } } });
    await waitFor(() => informer.list().some((o) => o.metadata!.name === "b"), 5000, "b in cache");
    expect(informer.list().map((o) => o.metadata!.name).sort()).to.include.members(["a", "b"]);
    expect(drop.hits, "a watch was dropped").to.equal(1);
    const watches = () => sb.control.requests.list({ path: "/api/v1/namespaces/inf/configmaps" }).filter((r) => /watch=true/.test(r.query ?? ""));
    await waitFor(() => watches().length > 1, 3000, "a watch after the drop");
    await informer.stop();
  });

  it("relists after a 410 Gone (history compacted while the watch was delayed)", async () => {
    const kc = kubeConfigFor(sb);
    const core = kc.makeApiClient(CoreV1Api);
    sb.control.requests.reset(); // the watches counted below are this test's
    // Held back long enough that the churn below lands inside the window even on a loaded machine (300 ms did not).
    const delayed = sb.control.faults.inject({ verb: "watch", resource: "configmaps", latencyMs: 1500, count: 1 });
    const informer = makeInformer<V1ConfigMap>(kc, "/api/v1/namespaces/inf/configmaps", () => core.listNamespacedConfigMap({ namespace: "inf" }));
    const errors: unknown[] = [];
    informer.on("error", (e) => errors.push(e));
    // The churn must land while the watch is held back (after its list, before the server reads its
    // resourceVersion): start() resolves only once the watch is answered, so it is awaited after.
    const started = informer.start();
    const isWatch = (r: { query?: string }) => /watch=true/.test(r.query ?? "");
    await waitFor(() => sb.control.requests.list({ path: "/api/v1/namespaces/inf/configmaps" }).some(isWatch), 3000, "the watch request");
    for (let i = 0; i < 120; i++) sb.control.objects.put({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: `churn-${i % 3}`, namespace: "inf" }, data: { i: String(i) } });
    await started;
    await core.createNamespacedConfigMap({ namespace: "inf", body: { metadata: { name: "after-410" } } });
    await waitFor(() => informer.list().some((o) => o.metadata!.name === "after-410"), 5000, "after-410 in cache");
    expect(informer.list().map((o) => o.metadata!.name)).to.include.members(["churn-0", "churn-1", "churn-2"]);
    const reads = () => sb.control.requests.list({ method: "GET", path: "/api/v1/namespaces/inf/configmaps" });
    expect(delayed.hits, "the first watch was delayed").to.equal(1);
    expect(reads().filter((r) => !isWatch(r)).length, "listed again after the 410").to.be.at.least(2);
    // The new list may fill the cache before the informer's next watch is sent.
    await waitFor(() => reads().filter(isWatch).length >= 2, 3000, "a watch from the new list");
    await informer.stop();
  });
});
