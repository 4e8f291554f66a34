import { expect } from "chai";
import { startHarness, type Harness } from "../../helpers/harness.js";
import { expectDescribeLikeKubectl, kubectl, output } from "./kube-helpers.js";
import { DESCRIBE_MAX_OBJECTS } from "../../../src/commands/kube/describe.js";

// `kubectl describe TYPE` without a name describes every object of the type in the namespace (or those -l selects),
// separated by blank lines. Tugboat's text is compared with the real kubectl's against the same sandbox.

describe("/kube describe without a name: every object of the type, as kubectl", function () {
  this.timeout(60_000);
  let h: Harness;
  before(async () => {
    h = await startHarness();
    const staging = h.sandbox.clusters.staging!;
    staging.putObject({ apiVersion: "v1", kind: "Namespace", metadata: { name: "many-configmaps" }, spec: { finalizers: ["kubernetes"] }, status: { phase: "Active" } });
    for (let i = 0; i < DESCRIBE_MAX_OBJECTS + 5; i++) {
      staging.putObject({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: `cm-${String(i).padStart(3, "0")}`, namespace: "many-configmaps" }, data: { n: String(i) } });
    }
  });
  after(async () => {
    await h?.stop();
  });

  const forms: Array<[string, string]> = [
    ["staging", "describe svc -n github-staging"],
    ["staging", "describe deploy -n github-staging"],
    ["staging", "describe pods -n github-staging -l app=unicorn"],
    ["staging", "describe rs -n github-staging"],
    ["production", "describe nodes"],
    ["management", "describe md -n default"],
  ];
  for (const [cluster, args] of forms) {
    it(`/kube ${args} --cluster ${cluster} prints what kubectl prints`, async () => {
      const theirs = await expectDescribeLikeKubectl(h, cluster, args);
      expect(theirs.match(/^Name:/gm)!.length, "several objects").to.be.greaterThan(1);
    });
  }

  it("says what kubectl says when there is nothing to describe, and refuses a namespace that does not exist", async () => {
    const t = await h.run("/kube describe ingress -n github-staging --cluster staging", { user: "UVIEWER" });
    const k = await kubectl(h, "staging", ["describe", "ingress", "-n", "github-staging"]);
    expect(k.stderr.trim()).to.equal("No resources found in github-staging namespace.");
    expect(t.text).to.contain("No resources found in github-staging namespace.");
    const missing = await h.run("/kube describe pods -n no-such-ns --cluster staging", { user: "UVIEWER" });
    expect(missing.text).to.contain('Namespace "no-such-ns" does not exist on cluster staging.');
  });

  it(`describes at most ${DESCRIBE_MAX_OBJECTS} objects and says how many more there are`, async () => {
    // The namespace also holds what a new namespace gets (kube-root-ca.crt).
    const more = h.sandbox.clusters.staging!.listObjects("v1", "ConfigMap", "many-configmaps").length - DESCRIBE_MAX_OBJECTS;
    expect(more).to.be.greaterThanOrEqual(5);
    const t = await h.run("/kube describe cm -n many-configmaps --cluster staging", { user: "UVIEWER" });
    expect(t.final?.tone, t.text).to.equal("success");
    expect(t.final?.summary).to.equal(`describe configmaps -n many-configmaps on staging: ${DESCRIBE_MAX_OBJECTS} objects, ${more} more not described`);
    const text = output(t);
    expect(text.match(/^Name:/gm)).to.have.length(DESCRIBE_MAX_OBJECTS);
    expect(text).to.contain("Name:         cm-000");
    expect(text).to.not.contain("cm-050");
    expect(text.trimEnd().split("\n").at(-1)).to.equal(`… ${more} more configmaps not described (at most ${DESCRIBE_MAX_OBJECTS} at once): name one, or narrow with -l.`);
    // The first ones are kubectl's text for the same objects.
    const k = await kubectl(h, "staging", ["describe", "cm", "-n", "many-configmaps"]);
    expect(k.stdout.startsWith(text.split("\n…")[0]!.trimEnd())).to.equal(true);
  });

  it("a Secret described in bulk is redacted like a named one, and the type is checked first", async () => {
    const staging = h.sandbox.clusters.staging!;
    staging.putObject({ apiVersion: "v1", kind: "Secret", metadata: { name: "bulk", namespace: "github-staging" }, type: "Opaque", data: { token: Buffer.from("bulk-secret-value").toString("base64") } });
    const denied = await h.run("/kube describe secrets -n github-staging --cluster staging", { user: "UVIEWER" });
    expect(denied.text).to.contain("type `secrets` is not allowed");
    const t = await h.run("/kube describe secrets -n github-staging --cluster staging", { user: "UADMIN" });
    expect(output(t)).to.match(/^token:\s+17 bytes$/m);
    expect(JSON.stringify(t)).to.not.contain(Buffer.from("bulk-secret-value").toString("base64"));
  });
});
