import { expect } from "chai";
import { useHarness } from "../../helpers/use-harness.js";
import { SHAS } from "../deploy/helpers.js";

// A pod template that names an existing ServiceAccount would run with that account's rights (a CI or operator
// account in the app's namespace). Only the namespace's default ServiceAccount may have its token mounted; any
// other must be used with automountServiceAccountToken: false and no projected token. Through the router.

const ADMIN = { user: "UADMIN", channel: "CDEPLOYS" };

function deployment(name: string, podSpec: string): string {
  return [
    "apiVersion: apps/v1",
    "kind: Deployment",
    `metadata: { name: ${name} }`,
    "spec:",
    `  selector: { matchLabels: { app: ${name} } }`,
    "  template:",
    `    metadata: { labels: { app: ${name} } }`,
    `    spec: ${podSpec}`,
  ].join("\n");
}

const CONTAINER = "containers: [{ name: app, image: registry.example.com/github:x }]";
const PROJECTED = "volumes: [{ name: token, projected: { sources: [{ serviceAccountToken: { path: token, audience: vault } }] } }]";

describe("content policy: ServiceAccount tokens in pod templates (through the router)", function () {
  this.timeout(30_000);
  const h = useHarness();

  it("refuses a pod that mounts a named ServiceAccount's token, explicitly or through a projected volume; allows it without a token", async () => {
    const store = h.sandbox.github.store;
    const sha = "5a70000000000000000000000000000000000001";
    store.addCommit("octo/github", { sha, message: "borrow ci's rights", parents: [SHAS.main] });
    store.setBranch("octo/github", "borrow-ci", sha);
    store.setStatus("octo/github", sha, "ci/image", "success");
    const docs = [
      deployment("implicit", `{ serviceAccountName: ci, ${CONTAINER} }`),
      deployment("explicit", `{ serviceAccount: deployer, automountServiceAccountToken: true, ${CONTAINER} }`),
      deployment("projected", `{ serviceAccountName: ci, automountServiceAccountToken: false, ${CONTAINER}, ${PROJECTED} }`),
      deployment("no-token", `{ serviceAccountName: ci, automountServiceAccountToken: false, ${CONTAINER} }`),
      deployment("default-sa", `{ serviceAccountName: default, ${CONTAINER}, ${PROJECTED} }`),
    ];
    store.setFile("octo/github", sha, "config/kubernetes/production/zz-sa.yaml", docs.join("\n---\n"));

    const t = await h.run("/deploy borrow-ci to production --dry-run", ADMIN);
    expect(t.final?.tone, t.text).to.equal("error");
    expect(t.text).to.include("3 problems");
    expect(t.text).to.include('Deployment implicit: runs as ServiceAccount "ci" with its token mounted');
    expect(t.text).to.include('Deployment explicit: runs as ServiceAccount "deployer" with its token mounted');
    expect(t.text).to.include('Deployment projected: projects a token of ServiceAccount "ci"');
    expect(t.text).to.not.include("Deployment no-token");
    expect(t.text).to.not.include("Deployment default-sa");
  });
});
