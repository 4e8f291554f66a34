import { expect } from "chai";
import { KIND_SPECS, resolveKind } from "../../src/gateways/well-known-kinds.js";
import type { ApiResource } from "../../src/gateways/types.js";
import type { V1Lease, V1LimitRange } from "../../src/gateways/kube-models.js";

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

describe("the port's JSON view of client-node's models", () => {
  it("has wire names and wire types (checked by the typecheck; the values are what the API server sends)", () => {
    const limits: V1LimitRange = { spec: { limits: [{ type: "Container", default: { cpu: "500m" }, defaultRequest: { cpu: "100m" } }] } };
    // @ts-expect-error client-node's own name for `default`, which never appears on the wire
    const renamed: V1LimitRange = { spec: { limits: [{ type: "Container", _default: { cpu: "500m" } }] } };
    const lease: V1Lease = { spec: { renewTime: "2026-03-01T10:00:00.000000Z" } };
    // @ts-expect-error timestamps are RFC 3339 strings in JSON, not client-node's Date
    const dated: V1Lease = { spec: { renewTime: new Date() } };
    expect([limits.spec?.limits[0]?.default, lease.spec?.renewTime, renamed, dated].length).to.equal(4);
  });
});
