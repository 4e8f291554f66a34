import { expect } from "chai";
import { useHarness } from "../../helpers/use-harness.js";
import { branchWithFiles } from "./pr-files.js";

// One object defined twice in a PR's manifests (two files, or a file and a List) would be applied twice, the last
// one winning, while the plan listed both as if each were applied: a reviewer could confirm the harmless one.
// Argo CD warns of the same (RepeatedResourceWarning); Tugboat refuses it before anything is planned or applied.

const ADMIN = { user: "UADMIN", channel: "CDEPLOYS" };

const configMap = (name: string, value: string, apiVersion = "v1") => `apiVersion: ${apiVersion}\nkind: ConfigMap\nmetadata: { name: ${name} }\ndata: { MODE: "${value}" }\n`;

describe("content policy: an object defined more than once (through the router)", function () {
  this.timeout(30_000);
  const h = useHarness();

  it("refuses a deploy whose manifests define one object twice, naming it, and applies nothing", async () => {
    branchWithFiles(h, "two-flags", "d0b1e00000000000000000000000000000000001", {
      "config/kubernetes/staging/flags.yaml": configMap("flags", "safe"),
      "config/kubernetes/staging/zz-flags.yaml": `apiVersion: v1\nkind: List\nitems:\n- ${configMap("flags", "unsafe").trim().replace(/\n/g, "\n  ")}\n`,
    });
    const t = await h.run("/deploy two-flags to staging", ADMIN);
    expect(t.final?.tone, t.text).to.equal("error");
    expect(t.text).to.include("nothing was applied");
    expect(t.text).to.include("ConfigMap flags: is defined 2 times");
    expect(h.sandbox.control.cluster("staging").objects.get({ apiVersion: "v1", kind: "ConfigMap", namespace: "github-staging", name: "flags" })).to.equal(undefined);
  });

  it("counts one group, kind, namespace and name as one object whatever the version, and names each once", async () => {
    const hpa = (version: string) =>
      `apiVersion: autoscaling/${version}\nkind: HorizontalPodAutoscaler\nmetadata: { name: unicorn }\nspec: { scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: unicorn }, maxReplicas: 3 }\n`;
    branchWithFiles(h, "flags-and-more", "d0b1e00000000000000000000000000000000002", {
      "config/kubernetes/staging/a.yaml": [hpa("v1"), configMap("other", "x"), configMap("flags", "one")].join("---\n"),
      "config/kubernetes/staging/b.yaml": [hpa("v2"), `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: flags, namespace: github-staging }\ndata: {}\n`, configMap("flags", "two")].join("---\n"),
    });
    const t = await h.run("/deploy flags-and-more to staging --dry-run", ADMIN);
    expect(t.final?.tone, t.text).to.equal("error");
    expect(t.text).to.include("2 problems with");
    expect(t.text).to.include("HorizontalPodAutoscaler unicorn: is defined 2 times");
    expect(t.text).to.include("ConfigMap flags: is defined 3 times");
    expect(t.text).to.not.include("ConfigMap other");
  });
});
