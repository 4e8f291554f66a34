import { expect } from "chai";
import { useHarness } from "../../helpers/use-harness.js";
import { branchWithFiles } from "../content-policy/pr-files.js";
import { IMAGE, SHAS, appImages, deployment, githubDeployments } from "./helpers.js";

// An object the API server refuses (here an invalid name) in an environment without a confirmation (staging, and
// every deploy on merge): the dry run of every write refuses it before the lock is taken and anything is applied.
// It used to be found mid-apply, after the Deployments had rolled out the new image, which were then rolled back.

const ADMIN = { user: "UADMIN", channel: "CDEPLOYS" };
const configMap = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: ${name} }\ndata: { MODE: fast }\n`;

describe("/deploy of manifests the API server would refuse, where nobody confirms (through the router)", function () {
  this.timeout(30_000);
  const h = useHarness();

  it("refuses before anything is applied: no rollout, no GitHub deployment, the lock never taken", async () => {
    branchWithFiles(h, "bad-name", "bad0000000000000000000000000000000000001", {
      "config/kubernetes/staging/aaa-flags.yaml": configMap("flags"),
      "config/kubernetes/staging/zz-bad.yaml": configMap("Bad_Name"),
    });
    const staging = h.sandbox.control.cluster("staging");
    const replicaSets = () => staging.objects.list({ apiVersion: "apps/v1", kind: "ReplicaSet", namespace: "github-staging" }).length;
    const before = { rs: replicaSets(), versions: ["unicorn", "unicorn-api"].map((n) => deployment(h, "staging", "github-staging", n).metadata.resourceVersion) };

    const t = await h.run("/deploy bad-name to staging", ADMIN);
    expect(t.final?.tone, t.text).to.equal("error");
    expect(t.text).to.match(/ConfigMap github-staging\/Bad_Name: the API server refused it in a dry run: .*metadata\.name: Invalid value: "Bad_Name"/);
    expect(t.text).to.not.match(/Applying failed|Put back|Rolled back/);

    expect(appImages(h, "staging", "github-staging")).to.deep.equal({ unicorn: `${IMAGE}:${SHAS.staging}`, "unicorn-api": `${IMAGE}:${SHAS.staging}` });
    expect(["unicorn", "unicorn-api"].map((n) => deployment(h, "staging", "github-staging", n).metadata.resourceVersion)).to.deep.equal(before.versions);
    expect(replicaSets(), "no ReplicaSet was created").to.equal(before.rs);
    expect(staging.objects.get({ apiVersion: "v1", kind: "ConfigMap", namespace: "github-staging", name: "flags" })).to.equal(undefined);
    expect(githubDeployments(h, "staging")).to.have.length(0);
    expect(staging.objects.get({ apiVersion: "coordination.k8s.io/v1", kind: "Lease", namespace: "github-staging", name: "tugboat-lock-github-staging" })).to.equal(undefined);
  });
});
