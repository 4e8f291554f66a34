// The sandbox's test-control API (packages/sandbox/src/control.ts, kube/control.ts): what it arranges must be what
// clients then see over HTTP, and what it reports (fault hits, the request log, RBAC answers) must be what happened.
import { expect } from "chai";
import { startSandbox, TEST_DELAYS, type KubeControl, type KubeObject, type Sandbox } from "@tugboat/sandbox";

const CM = { apiVersion: "v1", kind: "ConfigMap", namespace: "github-staging" } as const;
type ConfigMap = KubeObject & { data: Record<string, string> };

describe("sandbox test control", function () {
  this.timeout(30_000);
  let sandbox: Sandbox;
  let staging: KubeControl;

  before(async () => {
    sandbox = await startSandbox({ writeFiles: false, delays: TEST_DELAYS });
    staging = sandbox.control.cluster("staging");
  });
  after(() => sandbox.stop());
  afterEach(() => {
    staging.faults.clear();
    sandbox.control.github.faults.clear();
  });

  /** GET against the staging API server with a bearer token (admin's by default). */
  async function get(path: string, token = staging.rbac.token("admin")): Promise<{ status: number; body: { items?: unknown[]; metadata?: { name?: string } } }> {
    const res = await fetch(`${sandbox.clusters.staging!.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, body: (await res.json()) as { items?: unknown[] } };
  }

  it("names its clusters, and refuses an unknown one naming those there are", () => {
    expect(sandbox.control.clusters).to.deep.equal(["production", "staging", "management"]);
    expect(() => sandbox.control.cluster("prod")).to.throw('no sandbox cluster "prod" (have: production, staging, management)');
  });

  describe("objects", () => {
    it("puts an object the API then serves, lists by label selector, updates and deletes it", async () => {
      staging.objects.put({ ...CM, metadata: { name: "ctl-a", namespace: CM.namespace, labels: { suite: "control", n: "1" } }, data: { k: "v" } });
      staging.objects.put({ ...CM, metadata: { name: "ctl-b", namespace: CM.namespace, labels: { suite: "control", n: "2" } } });
      expect((await get(`/api/v1/namespaces/${CM.namespace}/configmaps/ctl-a`)).body).to.nested.include({ "metadata.name": "ctl-a", "data.k": "v" });

      const listed = staging.objects.list({ ...CM, labelSelector: "suite=control,n!=2" });
      expect(listed.map((o) => o.metadata.name)).to.deep.equal(["ctl-a"]);
      expect(staging.objects.list({ ...CM, labelSelector: "suite=control" })).to.have.length(2);

      const before = staging.objects.require({ ...CM, name: "ctl-a" }).metadata.resourceVersion;
      const updated = staging.objects.update<ConfigMap>({ ...CM, name: "ctl-a" }, (o) => {
        o.data.k = "w";
      });
      expect(updated.metadata.resourceVersion).not.to.equal(before);
      expect((await get(`/api/v1/namespaces/${CM.namespace}/configmaps/ctl-a`)).body).to.nested.include({ "data.k": "w" });

      expect(staging.objects.delete({ ...CM, name: "ctl-a" })).to.equal(true);
      expect(staging.objects.delete({ ...CM, name: "ctl-a" }), "already gone").to.equal(false);
      expect((await get(`/api/v1/namespaces/${CM.namespace}/configmaps/ctl-a`)).status).to.equal(404);
      staging.objects.delete({ ...CM, name: "ctl-b" });
    });

    it("hands out copies: changing what get returned changes nothing stored", () => {
      staging.objects.put({ ...CM, metadata: { name: "ctl-copy", namespace: CM.namespace }, data: { k: "v" } });
      const got = staging.objects.require<ConfigMap>({ ...CM, name: "ctl-copy" });
      got.data.k = "changed";
      expect(staging.objects.require<ConfigMap>({ ...CM, name: "ctl-copy" }).data.k).to.equal("v");
    });

    it("says which object is missing, and which kind it does not serve", () => {
      expect(() => staging.objects.require({ ...CM, name: "nope" })).to.throw("ConfigMap github-staging/nope is not in the staging sandbox");
      expect(() => staging.objects.list({ apiVersion: "v1", kind: "Gizmo" })).to.throw("the sandbox serves no Gizmo in v1");
      expect(staging.objects.get({ ...CM, name: "nope" })).to.equal(undefined);
    });
  });

  describe("faults", () => {
    it("counts the requests a fault hit, and stops failing them once removed", async () => {
      const fault = staging.faults.inject({ verb: "list", resource: "configmaps", status: 503, count: 5 });
      expect((await get(`/api/v1/namespaces/${CM.namespace}/configmaps`)).status).to.equal(503);
      expect((await get(`/api/v1/namespaces/${CM.namespace}/pods`)).status, "another resource").to.equal(200);
      expect(fault.hits).to.equal(1);
      fault.remove();
      expect((await get(`/api/v1/namespaces/${CM.namespace}/configmaps`)).status).to.equal(200);
      expect(fault.hits).to.equal(1);
    });

    it("fails GitHub requests that match until cleared", async () => {
      const gh = sandbox.control.github;
      gh.faults.inject({ method: "GET", pathPattern: /^\/rate_limit$/, status: 502 });
      const url = `${sandbox.github.url}/rate_limit`;
      const headers = { authorization: `token ${sandbox.github.token}` };
      expect((await fetch(url, { headers })).status).to.equal(502);
      gh.faults.clear();
      expect((await fetch(url, { headers })).status).to.equal(200);
      expect(gh.requests.count({ path: "/rate_limit", status: 502 })).to.equal(1);
    });
  });

  describe("requests and delays", () => {
    it("counts and lists logged requests by method, path and user", async () => {
      staging.requests.reset();
      await get("/api/v1/namespaces");
      await get("/api/v1/namespaces", staging.rbac.token("tugboat"));
      expect(staging.requests.count()).to.equal(2);
      expect(staging.requests.count({ method: "get", path: "/api/v1/namespaces", user: "system:serviceaccount:tugboat:tugboat" })).to.equal(1);
      expect(staging.requests.list({ path: /^\/api\/v1\// }).map((r) => r.user)).to.deep.equal(["sandbox-admin", "system:serviceaccount:tugboat:tugboat"]);
      staging.requests.reset();
      expect(staging.requests.count()).to.equal(0);
    });

    it("changes the simulated delays", () => {
      const was = staging.delays.current();
      staging.delays.set({ podReadyMs: 42 });
      expect(staging.delays.current()).to.deep.equal({ ...was, podReadyMs: 42 });
      staging.delays.set(was);
    });
  });

  describe("rbac", () => {
    it("lists the built-in identities and their tokens", () => {
      expect(staging.rbac.identities().map((i) => i.name)).to.include.members(["admin", "tugboat", "viewer", "deployer", "ci"]);
      expect(staging.rbac.token("viewer")).to.equal("sandbox-viewer-token");
      expect(() => staging.rbac.token("mallory")).to.throw(/no sandbox identity "mallory"/);
    });

    it("answers what RBAC allows as the API server decides it", () => {
      expect(staging.rbac.allows("viewer", { verb: "list", resource: "pods", namespace: "github-staging" })).to.equal(true);
      expect(staging.rbac.allows("viewer", { verb: "get", resource: "secrets", namespace: "github-staging" })).to.equal(false);
      expect(staging.rbac.allows("viewer", { verb: "create", resource: "deployments", group: "apps", namespace: "github-staging" })).to.equal(false);
      expect(staging.rbac.allows("ci", { verb: "patch", resource: "deployments", group: "apps", namespace: "github-staging", name: "unicorn" })).to.equal(true);
      expect(staging.rbac.allows("ci", { verb: "patch", resource: "deployments", group: "apps", namespace: "github-staging", name: "other" })).to.equal(false);
    });

    it("adds a user whose token works on that cluster only, allowed what a binding grants", async () => {
      const token = staging.rbac.addUser("alice", { groups: ["team-a"] });
      expect(() => staging.rbac.addUser("alice", {})).to.throw('the sandbox already has an identity "alice"');
      expect(() => staging.rbac.addUser("Not A Label", {})).to.throw(/DNS label/);
      const path = `/api/v1/namespaces/${CM.namespace}/configmaps`;
      expect((await get(path, token)).status, "authenticated, nothing bound").to.equal(403);
      expect((await get(path, "sandbox-nobody-token")).status, "a token nobody holds").to.equal(401);
      expect(staging.rbac.allows("alice", { verb: "list", resource: "configmaps", namespace: CM.namespace })).to.equal(false);

      staging.objects.put({
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "RoleBinding",
        metadata: { name: "team-a-view", namespace: CM.namespace },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" },
        subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: "team-a" }],
      });
      expect(staging.rbac.allows("alice", { verb: "list", resource: "configmaps", namespace: CM.namespace })).to.equal(true);
      expect((await get(path, token)).status).to.equal(200);
      const production = sandbox.clusters.production!.url;
      expect((await fetch(`${production}${path}`, { headers: { authorization: `Bearer ${token}` } })).status, "another cluster").to.equal(401);
    });
  });
});
