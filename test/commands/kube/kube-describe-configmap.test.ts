import { expect } from "chai";
import { useHarness } from "../../helpers/use-harness.js";
import { kubectl, output, sameAsKubectl } from "./kube-helpers.js";

// /kube describe configmap prints what kubectl's ConfigMapDescriber prints (Data under `----` rules, BinaryData as
// sizes, Events), compared with the real kubectl against the same sandbox. Tugboat used kubectl's generic describer
// for ConfigMaps (API Version, Metadata, Data as nested fields), which kubectl never prints for them. One key in
// each map: kubectl walks Go maps in no fixed order.

describe("/kube describe configmap: kubectl's ConfigMap describer", function () {
  this.timeout(60_000);
  const h = useHarness();

  it("a ConfigMap with data, binary data and an event prints what kubectl describe prints", async () => {
    const staging = h.sandbox.control.cluster("staging");
    staging.objects.put({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "flags", namespace: "github-staging", uid: "flags-uid", labels: { app: "unicorn", tier: "web" }, annotations: { owner: "web-team" } },
      data: { "settings.yaml": "mode: fast\nworkers: 8\n" },
      binaryData: { "logo.png": Buffer.from("not really a png").toString("base64") },
    });
    staging.objects.put({
      apiVersion: "v1",
      kind: "Event",
      metadata: { name: "flags.e1", namespace: "github-staging" },
      involvedObject: { apiVersion: "v1", kind: "ConfigMap", name: "flags", namespace: "github-staging", uid: "flags-uid" },
      reason: "Updated",
      message: "flags changed",
      type: "Normal",
      source: { component: "tugboat-test" },
      firstTimestamp: new Date(Date.now() - 120_000).toISOString().replace(/\.\d+Z$/, "Z"),
      lastTimestamp: new Date(Date.now() - 120_000).toISOString().replace(/\.\d+Z$/, "Z"),
      count: 1,
    });
    for (const args of [["cm", "flags", "-n", "github-staging"], ["configmap", "flags", "-n", "github-staging"]]) {
      const [t, k] = await Promise.all([h.run(`/kube describe ${args.join(" ")} --cluster staging`, { user: "UADMIN" }), kubectl(h, "staging", ["describe", ...args])]);
      expect(t.final?.tone, t.text).to.equal("success");
      expect(k.stderr, k.stderr).to.equal("");
      expect(sameAsKubectl(output(t), k.stdout), `${output(t)}\n---\n${k.stdout}`).to.equal(true);
    }
  });

  it("an empty ConfigMap too", async () => {
    h.sandbox.control.cluster("staging").objects.put({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "empty", namespace: "github-staging" } });
    const [t, k] = await Promise.all([h.run("/kube describe cm empty -n github-staging --cluster staging", { user: "UADMIN" }), kubectl(h, "staging", ["describe", "cm", "empty", "-n", "github-staging"])]);
    expect(sameAsKubectl(output(t), k.stdout), `${output(t)}\n---\n${k.stdout}`).to.equal(true);
  });
});
