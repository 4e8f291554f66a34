import { expect } from "chai";
import { describeObjectDiff, fullDiffText } from "../../src/domain/deploy/format-plan-diff.js";
import { diffObject, renderObjectDiff } from "../../src/domain/deploy/object-diff.js";

// The field-level diff of a live object and a dry run's answer: server-kept fields ignored, lists matched by their
// keys, and Secrets never shown.

const live = {
  apiVersion: "v1",
  kind: "Service",
  metadata: { name: "router", namespace: "ns", uid: "u1", resourceVersion: "10", creationTimestamp: "2026-01-01T00:00:00Z", managedFields: [{ manager: "a" }], labels: { app: "router" } },
  spec: { ports: [{ name: "http", port: 80, targetPort: 8500 }, { name: "admin", port: 81, targetPort: 81 }], selector: { app: "router" } },
  status: { loadBalancer: {} },
};

describe("diffObject", () => {
  it("ignores what the server keeps for itself (managedFields, resourceVersion, generation, uid, timestamps, status)", () => {
    const after = structuredClone(live) as any;
    after.metadata.resourceVersion = "11";
    after.metadata.managedFields = [{ manager: "tugboat" }];
    after.metadata.generation = 4;
    after.status = { loadBalancer: { ingress: [{ ip: "1.2.3.4" }] } };
    const d = diffObject(live, after);
    expect(d.action).to.equal("unchanged");
    expect(renderObjectDiff(d)).to.equal("= Service ns/router: unchanged");
  });

  it("matches list items by name, whatever their order, and names the changed field", () => {
    const after = structuredClone(live) as any;
    after.spec.ports = [after.spec.ports[1], { ...after.spec.ports[0], targetPort: 8080 }];
    after.metadata.annotations = { "tugboat.dev/sha": "abc" };
    const d = diffObject(live, after);
    expect(d.action).to.equal("change");
    expect(d.changes).to.deep.equal([
      { path: 'metadata.annotations["tugboat.dev/sha"]', before: undefined, after: "abc" },
      { path: "spec.ports[name=http].targetPort", before: 8500, after: 8080 },
    ]);
    expect(describeObjectDiff(d)).to.equal("`Service router`: changed: `spec.ports[name=http].targetPort` 8500 → 8080; annotations tugboat.dev/sha");
    expect(renderObjectDiff(d)).to.equal(
      ["~ Service ns/router: changed", '@@ metadata.annotations["tugboat.dev/sha"]', "+ abc", "@@ spec.ports[name=http].targetPort", "- 8500", "+ 8080"].join("\n"),
    );
  });

  it("lists a created object whole", () => {
    const d = diffObject(undefined, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", namespace: "ns", uid: "x" }, data: { a: "1" } });
    expect(d.action).to.equal("create");
    expect(describeObjectDiff(d)).to.equal("`ConfigMap c`: created");
    expect(renderObjectDiff(d)).to.equal("+ ConfigMap ns/c: created\n+ apiVersion: v1\n+ kind: ConfigMap\n+ metadata:\n+   name: c\n+   namespace: ns\n+ data:\n+   a: \"1\"");
  });

  it("never shows a Secret's values, keys or changed fields: only created, changed or unchanged", () => {
    const secret = (url: string) => ({ apiVersion: "v1", kind: "Secret", metadata: { name: "unicorn-env", namespace: "ns" }, type: "Opaque", data: { DATABASE_URL: Buffer.from(url).toString("base64") } });
    const changed = diffObject(secret("mysql://old-secret"), secret("mysql://new-secret"));
    const created = diffObject(undefined, secret("mysql://new-secret"));
    const same = diffObject(secret("mysql://old-secret"), secret("mysql://old-secret"));
    expect([changed.action, created.action, same.action]).to.deep.equal(["change", "create", "unchanged"]);
    expect(changed.changes).to.deep.equal([]);
    const shown = [fullDiffText({ objects: [changed, created, same] }), ...[changed, created, same].map(describeObjectDiff), JSON.stringify(changed.after), JSON.stringify(created.after)].join("\n");
    for (const leak of ["mysql", Buffer.from("mysql://new-secret").toString("base64"), Buffer.from("mysql://old-secret").toString("base64"), "DATABASE_URL: bXlz"]) {
      expect(shown).to.not.include(leak);
    }
    expect(describeObjectDiff(changed)).to.equal("`Secret unicorn-env`: changed (a Secret: contents not shown)");
    expect(renderObjectDiff(created)).to.equal("+ Secret ns/unicorn-env: created (a Secret: its contents are not shown)");
  });

  it("falls back to positions for lists without keys, and to the whole list when lengths differ", () => {
    const a = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" }, spec: { args: ["a", "b"], more: ["x"] } };
    const b = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" }, spec: { args: ["a", "c"], more: ["x", "y"] } };
    expect(diffObject(a, b).changes).to.deep.equal([
      { path: "spec.args[1]", before: "b", after: "c" },
      { path: "spec.more", before: ["x"], after: ["x", "y"] },
    ]);
  });
  it("shows values without backticks, so a value cannot end the code span around a path", () => {
    const cm = (v: string) => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" }, data: { motd: v } });
    expect(describeObjectDiff(diffObject(cm("a"), cm("`*hi*` <!here>")))).to.equal("`ConfigMap c`: changed: `data.motd` a → '*hi*' <!here>");
  });
});
