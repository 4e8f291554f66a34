import { expect } from "chai";
import sinon from "sinon";
import { globMatches } from "../../src/config/glob.js";
import { Policy, permissionMatches, type GroupDirectory } from "../../src/core/policy.js";
import { DeniedError } from "../../src/core/errors.js";
import type { TugboatConfig } from "../../src/config/schema.js";

const config: Pick<TugboatConfig, "roles" | "bindings"> = {
  roles: {
    admin: { permissions: ["*"], kube: { resources: ["*", "secrets"] } },
    deployer: { permissions: ["deploy:staging", "canary:*", "kube:get"] },
    prod: { permissions: ["deploy:production"] },
    narrow: { permissions: ["kube:get"], kube: { clusters: ["staging"], namespaces: ["github-*"], resources: ["pods", "deployments"] } },
  },
  bindings: [
    { role: "admin", users: ["UADMIN"], groups: [] },
    { role: "deployer", users: [], groups: ["SDEPLOYERS"] },
    { role: "prod", users: ["UPROD"], groups: [], channels: ["CDEPLOYS"] },
    { role: "narrow", users: ["UNARROW"], groups: [] },
  ],
};

function groups(members: Record<string, string[]>): GroupDirectory {
  return { groupsOf: async (user, ids) => new Set(ids.filter((g) => members[g]?.includes(user))) };
}

describe("permissions", () => {
  it("matches wildcards", () => {
    expect(permissionMatches("*", "nodes:add")).to.equal(true);
    expect(permissionMatches("canary:*", "canary:promote")).to.equal(true);
    expect(permissionMatches("canary:*", "deploy:canary")).to.equal(false);
    expect(permissionMatches("deploy:staging", "deploy:production")).to.equal(false);
  });
  it("matches globs", () => {
    expect(globMatches("github-*", "github-production")).to.equal(true);
    expect(globMatches("github-*", "review-lab-x")).to.equal(false);
    expect(globMatches("a.b", "axb")).to.equal(false);
  });
});

describe("Policy", () => {
  it("denies by default: no binding, no action", async () => {
    const p = new Policy(config, groups({}));
    const d = await p.authorize({ id: "USTRANGER" }, "C1", "kube:get");
    expect(d.allowed).to.equal(false);
    expect(d.reason).to.contain("kube:get");
  });
  it("denies everything when there are no bindings at all", async () => {
    const p = new Policy({ roles: config.roles, bindings: [] }, groups({}));
    for (const perm of ["kube:get", "deploy:staging", "nodes:add"]) expect((await p.authorize({ id: "UADMIN" }, "C1", perm)).allowed).to.equal(false);
  });
  it("grants through user groups, resolved through the directory", async () => {
    const dir = groups({ SDEPLOYERS: ["UBOB"] });
    const spy = sinon.spy(dir, "groupsOf");
    const p = new Policy(config, dir);
    expect((await p.authorize({ id: "UBOB" }, "C1", "deploy:staging")).allowed).to.equal(true);
    expect((await p.authorize({ id: "UBOB" }, "C1", "canary:abort")).allowed).to.equal(true);
    expect((await p.authorize({ id: "UBOB" }, "C1", "deploy:production")).allowed).to.equal(false);
    expect(spy.firstCall.args[1]).to.deep.equal(["SDEPLOYERS"]);
  });
  it("limits bindings to channels and says so", async () => {
    const p = new Policy(config, groups({}));
    expect((await p.authorize({ id: "UPROD" }, "CDEPLOYS", "deploy:production")).allowed).to.equal(true);
    const elsewhere = await p.authorize({ id: "UPROD" }, "CRANDOM", "deploy:production");
    expect(elsewhere.allowed).to.equal(false);
    expect(elsewhere.reason).to.contain("this channel");
  });
  it("says 'in this channel' when a group's binding grants the permission only in other channels", async () => {
    const cfg = { roles: config.roles, bindings: [{ role: "prod", users: [], groups: ["SONCALL"], channels: ["CDEPLOYS"] }] };
    const p = new Policy(cfg, groups({ SONCALL: ["UCAROL"] }));
    expect((await p.authorize({ id: "UCAROL" }, "CDEPLOYS", "deploy:production")).allowed).to.equal(true);
    const elsewhere = await p.authorize({ id: "UCAROL" }, "CRANDOM", "deploy:production");
    expect(elsewhere.allowed).to.equal(false);
    expect(elsewhere.reason).to.contain("in this channel");
    expect(elsewhere.reason).to.contain("deploy:production");
  });
  it("narrows kube permissions by cluster, namespace and type, naming what was refused", async () => {
    const p = new Policy(config, groups({}));
    const u = { id: "UNARROW" };
    expect((await p.authorize(u, "C", "kube:get", { cluster: "staging", namespace: "github-staging", resource: "pods" })).allowed).to.equal(true);
    expect((await p.authorize(u, "C", "kube:get", { cluster: "production" })).reason).to.contain("cluster `production`");
    expect((await p.authorize(u, "C", "kube:get", { namespace: "kube-system" })).reason).to.contain("namespace `kube-system`");
    expect((await p.authorize(u, "C", "kube:get", { resource: "configmaps" })).reason).to.contain("type `configmaps`");
  });
  it("a role limited to namespaces reads a cluster-scoped type (a scope with a resource and no namespace) only when kube.clusterScoped names it", async () => {
    const roles = {
      ...config.roles,
      lab: { permissions: ["kube:get"], kube: { namespaces: ["github-*"] } },
      labNodes: { permissions: ["kube:get"], kube: { namespaces: ["github-*"], clusterScoped: ["nodes"] } },
      everywhere: { permissions: ["kube:get"], kube: { namespaces: ["*"] } },
    };
    const bindings = [{ role: "lab", users: ["ULAB"], groups: [] }, { role: "labNodes", users: ["UNODES"], groups: [] }, { role: "everywhere", users: ["UALL"], groups: [] }];
    const p = new Policy({ ...config, roles, bindings }, groups({}));
    const refused = await p.authorize({ id: "ULAB" }, "C", "kube:get", { cluster: "staging", resource: "nodes" });
    expect(refused.allowed).to.equal(false);
    expect(refused.reason).to.contain("cluster-scoped type `nodes`");
    expect((await p.authorize({ id: "ULAB" }, "C", "kube:get", { cluster: "staging", namespace: "github-staging", resource: "pods" })).allowed).to.equal(true);
    expect((await p.authorize({ id: "UNODES" }, "C", "kube:get", { cluster: "staging", resource: "nodes" })).allowed).to.equal(true);
    expect((await p.authorize({ id: "UNODES" }, "C", "kube:get", { cluster: "staging", resource: "namespaces" })).reason).to.contain("cluster-scoped type `namespaces`");
    expect((await p.authorize({ id: "UALL" }, "C", "kube:get", { cluster: "staging", resource: "clusterroles" })).allowed).to.equal(true);
  });
  it("never grants secrets through a wildcard", async () => {
    const p = new Policy({ ...config, roles: { ...config.roles, star: { permissions: ["kube:get"], kube: { resources: ["*"] } } }, bindings: [{ role: "star", users: ["USTAR"], groups: [] }] }, groups({}));
    const d = await p.authorize({ id: "USTAR" }, "C", "kube:get", { resource: "secrets" });
    expect(d.allowed).to.equal(false);
    expect(d.reason).to.contain("secrets");
    expect((await new Policy(config, groups({})).authorize({ id: "UADMIN" }, "C", "kube:get", { resource: "secrets" })).allowed).to.equal(true);
  });
  it("require() throws a DeniedError naming the permission", async () => {
    const p = new Policy(config, groups({}));
    try {
      await p.require({ id: "UNOBODY" }, "C", "nodes:add");
      expect.fail("should have thrown");
    } catch (err) {
      expect(err).to.be.instanceOf(DeniedError);
      expect((err as DeniedError).permission).to.equal("nodes:add");
      expect((err as Error).message).to.contain("nodes:add");
    }
  });
  it("a binding to a role name that is only an Object.prototype key denies instead of crashing", async () => {
    const odd = { roles: {}, bindings: [{ role: "toString", users: ["UODD"], groups: [] }, { role: "constructor", users: ["UODD"], groups: [], channels: ["C1"] }] };
    const d = await new Policy(odd, groups({})).authorize({ id: "UODD" }, "C", "kube:get");
    expect(d.allowed).to.equal(false);
    expect(d.reason).to.contain("kube:get");
  });
});
