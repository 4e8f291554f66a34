import { expect } from "chai";
import { KIND_SPECS, resolveKind } from "../../src/gateways/well-known-kinds.js";
import type { ApiResource } from "../../src/gateways/types.js";

// The one resolver of the typed kinds: discovery order (preferred version first) decides among the versions a
// model covers; a version the model does not describe is never chosen.

function res(group: string, version: string, plural: string, kind: string): ApiResource {
  return { group, version, groupVersion: group ? `${group}/${version}` : version, kind, plural, singular: kind.toLowerCase(), shortNames: [], namespaced: true, verbs: ["get", "list"], categories: [] };
}

describe("well-known kinds resolver", () => {
  it("takes the preferred served version the model covers (Cluster API: v1beta2 when preferred, else v1beta1)", () => {
    const newer = [res("cluster.x-k8s.io", "v1beta2", "machines", "Machine"), res("cluster.x-k8s.io", "v1beta1", "machines", "Machine")];
    expect(resolveKind(newer, KIND_SPECS.machines)?.version).to.equal("v1beta2");
    const older = [res("cluster.x-k8s.io", "v1beta1", "machines", "Machine"), res("cluster.x-k8s.io", "v1beta2", "machines", "Machine")];
    expect(resolveKind(older, KIND_SPECS.machines)?.version).to.equal("v1beta1");
  });

  it("never picks a version the model does not describe, nor a same-named resource of another group", () => {
    const served = [res("autoscaling", "v2", "deployments", "Deployment"), res("apps", "v1beta2", "deployments", "Deployment"), res("", "v1", "events", "Event")];
    expect(resolveKind(served, KIND_SPECS.deployments)).to.equal(undefined);
    served.push(res("apps", "v1", "deployments", "Deployment"));
    expect(resolveKind(served, KIND_SPECS.deployments)?.groupVersion).to.equal("apps/v1");
    expect(resolveKind([res("events.k8s.io", "v1", "events", "Event")], KIND_SPECS.events)).to.equal(undefined);
  });
});
