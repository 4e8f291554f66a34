/**
 * RBAC in the sandbox: tokens, Roles/ClusterRoles and their bindings (subresources, resourceNames,
 * non-resource URLs), the self-reviews behind `kubectl auth can-i` / `whoami`, and impersonation — with the
 * API server's 401/403 messages. Uses the real kubectl where it can (it sends no token over plain HTTP, so
 * its requests are anonymous and limited identities are reached with --as) and raw HTTP with tokens.
 */
import { expect } from "chai";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startKubeSandbox, TEST_DELAYS, type KubeSandbox } from "@tugboat/sandbox/kube";
import { writeKubeconfig } from "@tugboat/sandbox/kubeconfig";

const KUBECTL = ["/usr/bin/kubectl", "/usr/local/bin/kubectl"].find((p) => existsSync(p));
const SEED = new URL("../../../config/sandbox/kube/staging", import.meta.url).pathname;

interface Answer {
  status: number;
  json: any;
}

/** One request with raw header lines (so repeated headers stay separate lines, as Go clients send them). */
function call(sb: KubeSandbox, method: string, path: string, headers: Array<[string, string]> = [], body?: unknown): Promise<Answer> {
  const data = body === undefined ? undefined : JSON.stringify(body);
  // Raw header lines get no Host header added by node:http.
  const lines: Array<[string, string]> = [["Host", new URL(sb.url).host], ...headers];
  if (data && !headers.some(([k]) => k === "Content-Type")) lines.push(["Content-Type", "application/json"]);
  return new Promise((resolve, reject) => {
    const req = request(sb.url + path, { method, headers: lines.flat() }, (res) => {
      let text = "";
      res.on("data", (c) => (text += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, json: text ? JSON.parse(text) : undefined }));
    });
    req.on("error", reject);
    req.end(data);
  });
}

const bearer = (token: string): [string, string] => ["Authorization", `Bearer ${token}`];
const RBAC_V1 = "rbac.authorization.k8s.io/v1";

describe("kube sandbox: RBAC, self-reviews and impersonation", function () {
  this.timeout(60_000);
  let sb: KubeSandbox;
  /** An identity's bearer token, from the sandbox's test control. */
  const token = (name: string) => sb.control.rbac.token(name);
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const kubectl = (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
    new Promise((resolve) => {
      execFile(KUBECTL!, args, { env, timeout: 30_000 }, (err, stdout, stderr) => {
        const code = err ? (typeof (err as any).code === "number" ? (err as any).code : 1) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      });
    });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "kube-sandbox-rbac-"));
    sb = await startKubeSandbox({ clusterName: "staging", seedDir: SEED, delays: TEST_DELAYS });
    const kc = join(dir, "kubeconfig");
    writeKubeconfig(kc, [{ name: "staging", url: sb.url }], "staging");
    env = { ...process.env, KUBECONFIG: kc, KUBECACHEDIR: join(dir, "cache"), HOME: dir };
  });
  after(async () => {
    if (sb) await sb.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  describe("tokens and RBAC", () => {
    it("a token nobody holds gets 401; a limited token gets the API server's 403 naming user, verb, resource, group and namespace", async () => {
      const bad = await call(sb, "GET", "/api/v1/namespaces/github-staging/pods", [bearer("not-a-token")]);
      expect(bad.status).to.equal(401);
      expect(bad.json).to.include({ kind: "Status", reason: "Unauthorized", message: "Unauthorized", code: 401 });

      const patch = await call(sb, "PATCH", "/apis/apps/v1/namespaces/github-staging/deployments/unicorn", [bearer(token("viewer")), ["Content-Type", "application/merge-patch+json"]], { spec: { replicas: 1 } });
      expect(patch.status).to.equal(403);
      expect(patch.json).to.deep.include({
        kind: "Status",
        reason: "Forbidden",
        code: 403,
        message: 'deployments.apps "unicorn" is forbidden: User "viewer" cannot patch resource "deployments" in API group "apps" in the namespace "github-staging"',
        details: { name: "unicorn", group: "apps", kind: "deployments" },
      });
      const nodes = await call(sb, "GET", "/api/v1/nodes", [bearer(token("ci"))]);
      expect(nodes.json.message).to.equal('nodes is forbidden: User "system:serviceaccount:default:ci" cannot list resource "nodes" in API group "" at the cluster scope');
      // The viewer's ClusterRole reads pods, never Secrets.
      expect((await call(sb, "GET", "/api/v1/namespaces/github-staging/pods", [bearer(token("viewer"))])).status).to.equal(200);
      expect((await call(sb, "GET", "/api/v1/namespaces/github-staging/secrets", [bearer(token("viewer"))])).status).to.equal(403);
      expect(sb.requests.log.at(-1)).to.include({ user: "viewer" });
    });

    it("subresources and resourceNames: ci may scale unicorn only, through deployments/scale", async () => {
      const scale = (name: string) =>
        call(sb, "PATCH", `/apis/apps/v1/namespaces/github-staging/deployments/${name}/scale`, [bearer(token("ci")), ["Content-Type", "application/merge-patch+json"]], { spec: { replicas: 2 } });
      expect((await scale("unicorn")).status).to.equal(200);
      const other = await scale("consul-service-router");
      expect(other.json.message).to.equal('deployments.apps "consul-service-router" is forbidden: User "system:serviceaccount:default:ci" cannot patch resource "deployments/scale" in API group "apps" in the namespace "github-staging"');
      // A rule naming objects never covers a list.
      const list = await call(sb, "GET", "/apis/apps/v1/namespaces/github-staging/deployments", [bearer(token("ci"))]);
      expect(list.status).to.equal(403);
    });

    it("discovery for every authenticated user (system:discovery); a missing role is named in the denial", async () => {
      const agg = await call(sb, "GET", "/apis", [bearer(token("ci")), ["Accept", "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"]]);
      expect(agg.status).to.equal(200);
      expect(agg.json.kind).to.equal("APIGroupDiscoveryList");
      sb.putObject({ apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding", metadata: { name: "dangling", namespace: "github-staging" }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "no-such-role" }, subjects: [{ kind: "User", name: "viewer" }] });
      try {
        const denied = await call(sb, "GET", "/api/v1/namespaces/github-staging/secrets", [bearer(token("viewer"))]);
        expect(denied.json.message).to.equal('secrets is forbidden: User "viewer" cannot list resource "secrets" in API group "" in the namespace "github-staging": RBAC: clusterrole.rbac.authorization.k8s.io "no-such-role" not found');
      } finally {
        await call(sb, "DELETE", "/apis/rbac.authorization.k8s.io/v1/namespaces/github-staging/rolebindings/dangling", [bearer(token("admin"))]);
      }
    });

    it("server-side apply that creates an object needs create as well as patch", async () => {
      sb.putObject({ apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata: { name: "cm-patch", namespace: "github-staging" }, rules: [{ apiGroups: [""], resources: ["configmaps"], verbs: ["patch"] }] });
      sb.putObject({ apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding", metadata: { name: "cm-patch", namespace: "github-staging" }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "cm-patch" }, subjects: [{ kind: "ServiceAccount", name: "ci", namespace: "default" }] });
      const apply = await call(sb, "PATCH", "/api/v1/namespaces/github-staging/configmaps/fresh?fieldManager=ci", [bearer(token("ci")), ["Content-Type", "application/apply-patch+yaml"]], { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "fresh" }, data: { a: "1" } });
      expect(apply.json.message).to.equal('configmaps "fresh" is forbidden: User "system:serviceaccount:default:ci" cannot create resource "configmaps" in API group "" in the namespace "github-staging"');
      expect(sb.getObject("v1", "ConfigMap", "github-staging", "fresh")).to.equal(undefined);
    });

    it("anonymous requests: only the sandbox's plain-HTTP binding lets them in; without it, only public info", async () => {
      expect((await call(sb, "GET", "/api")).status).to.equal(200);
      const binding = sb.getObject("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", undefined, "sandbox:plain-http-admin");
      expect(binding.subjects).to.deep.equal([{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: "system:anonymous" }]);
      await call(sb, "DELETE", "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/sandbox:plain-http-admin", [bearer(token("admin"))]);
      try {
        const api = await call(sb, "GET", "/api");
        expect(api.status).to.equal(403);
        expect(api.json.message).to.equal('forbidden: User "system:anonymous" cannot get path "/api"');
        expect((await call(sb, "GET", "/version")).status).to.equal(200);
      } finally {
        sb.putObject(binding);
      }
    });
  });

  describe("no privilege escalation through RBAC objects", () => {
    const role = (name: string, rules: object[]) => ({ apiVersion: RBAC_V1, kind: "Role", metadata: { name, namespace: "github-staging" }, rules });
    const binding = (name: string, clusterRole: string) => ({ apiVersion: RBAC_V1, kind: "RoleBinding", metadata: { name, namespace: "github-staging" }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: clusterRole }, subjects: [{ kind: "User", name: "viewer" }] });
    const post = (token: string | undefined, plural: string, obj: object) => call(sb, "POST", `/apis/rbac.authorization.k8s.io/v1/namespaces/github-staging/${plural}`, token ? [bearer(token)] : [], obj);
    before(() => {
      // The viewer may write Roles and RoleBindings in github-staging, but not escalate or bind.
      sb.putObject({ ...role("rbac-writer", [{ apiGroups: ["rbac.authorization.k8s.io"], resources: ["roles", "rolebindings"], verbs: ["create", "update", "patch"] }]) });
      sb.putObject({ apiVersion: RBAC_V1, kind: "RoleBinding", metadata: { name: "rbac-writer", namespace: "github-staging" }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "rbac-writer" }, subjects: [{ kind: "User", name: "viewer" }] });
    });

    it("a Role granting what its author lacks is refused with the API server's message; what they hold is fine", async () => {
      const secrets = await post(token("viewer"), "roles", role("read-secrets", [{ apiGroups: [""], resources: ["secrets"], verbs: ["get", "list"] }]));
      expect(secrets.status).to.equal(403);
      expect(secrets.json.message).to.equal(
        'roles.rbac.authorization.k8s.io "read-secrets" is forbidden: user "viewer" (groups=["sandbox:viewers" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:[""], Resources:["secrets"], Verbs:["get"]}\n{APIGroups:[""], Resources:["secrets"], Verbs:["list"]}',
      );
      expect(sb.getObject(RBAC_V1, "Role", "github-staging", "read-secrets")).to.equal(undefined);
      expect((await post(token("viewer"), "roles", role("read-pods", [{ apiGroups: [""], resources: ["pods"], verbs: ["get", "list"] }]))).status).to.equal(201);
      // Anonymous plain-HTTP requests hold cluster-admin, so kubectl can still write any Role.
      expect((await post(undefined, "roles", role("everything", [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }]))).status).to.equal(201);
    });

    it("a binding needs bind on its role or every permission in it", async () => {
      const edit = await post(token("viewer"), "rolebindings", binding("viewer-edit", "edit"));
      expect(edit.status).to.equal(403);
      expect(edit.json.message).to.match(/^rolebindings\.rbac\.authorization\.k8s\.io "viewer-edit" is forbidden: user "viewer" \(groups=\["sandbox:viewers" "system:authenticated"\]\) is attempting to grant RBAC permissions not currently held:\n\{APIGroups:\[""\], Resources:\["configmaps"\], Verbs:\["create"\]\}/);
      expect((await post(token("viewer"), "rolebindings", binding("viewer-view", "view"))).status).to.equal(201);
    });
  });

  describe("impersonation", () => {
    it("honoured for a caller allowed to impersonate: one group per header line, never split on commas", async () => {
      const who = await call(sb, "POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews", [
        bearer(token("tugboat")),
        ["Impersonate-User", "tugboat:slack:U1"],
        ["Impersonate-Group", "tugboat:role:deployer"],
        ["Impersonate-Group", "odd,name"],
      ], { apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview" });
      expect(who.status).to.equal(201);
      expect(who.json.status.userInfo).to.deep.equal({ username: "tugboat:slack:U1", groups: ["tugboat:role:deployer", "odd,name", "system:authenticated"] });
      expect(sb.requests.log.at(-1)).to.include({ user: "tugboat:slack:U1", impersonatedBy: "system:serviceaccount:tugboat:tugboat" });
    });

    it("refused with the API server's message for a caller without the impersonate verb, and for groups without a user", async () => {
      const asUser = await call(sb, "GET", "/api/v1/namespaces/github-staging/pods", [bearer(token("viewer")), ["Impersonate-User", "tugboat:slack:U1"]]);
      expect(asUser.status).to.equal(403);
      expect(asUser.json.message).to.equal('users "tugboat:slack:U1" is forbidden: User "viewer" cannot impersonate resource "users" in API group "" at the cluster scope');
      // tugboat may impersonate users and groups, not service accounts.
      const asSa = await call(sb, "GET", "/api/v1/namespaces/github-staging/pods", [bearer(token("tugboat")), ["Impersonate-User", "system:serviceaccount:default:ci"]]);
      expect(asSa.json.message).to.equal('serviceaccounts "ci" is forbidden: User "system:serviceaccount:tugboat:tugboat" cannot impersonate resource "serviceaccounts" in API group "" in the namespace "default"');
      const noUser = await call(sb, "GET", "/api/v1/namespaces/github-staging/pods", [bearer(token("tugboat")), ["Impersonate-Group", "x"]]);
      expect(noUser.status).to.equal(400);
    });
  });

  describe("with the real kubectl", function () {
    before(function () {
      if (!KUBECTL) this.skip();
    });

    it("kubectl auth can-i answers per identity, with subresources and resourceNames", async () => {
      const can = async (...args: string[]) => {
        const r = await kubectl(["auth", "can-i", ...args]);
        return `${r.stdout.trim()}/${r.code}`;
      };
      expect(await can("patch", "deployments", "-n", "github-staging")).to.equal("yes/0");
      expect(await can("patch", "deployments", "-n", "github-staging", "--as=viewer", "--as-group=sandbox:viewers")).to.equal("no/1");
      expect(await can("list", "pods", "-n", "github-staging", "--as=viewer", "--as-group=sandbox:viewers")).to.equal("yes/0");
      expect(await can("update", "deployments/scale", "-n", "github-staging", "--as=system:serviceaccount:default:ci")).to.equal("no/1");
      expect(await can("update", "deployments/unicorn", "--subresource=scale", "-n", "github-staging", "--as=system:serviceaccount:default:ci")).to.equal("yes/0");
      expect(await can("update", "deployments/consul-service-router", "--subresource=scale", "-n", "github-staging", "--as=system:serviceaccount:default:ci")).to.equal("no/1");
      expect(await can("impersonate", "users", "--as=system:serviceaccount:tugboat:tugboat")).to.equal("yes/0");
      const list = await kubectl(["auth", "can-i", "--list", "-n", "github-staging", "--as=system:serviceaccount:default:ci"]);
      expect(list.stdout).to.match(/deployments\.apps\/scale\s+\[\]\s+\[unicorn\]\s+\[get update patch\]/);
      const whoami = await kubectl(["auth", "whoami", "--as=viewer", "--as-group=a", "--as-group=b"]);
      expect(whoami.stdout).to.match(/Username\s+viewer/).and.match(/Groups\s+\[a b system:authenticated\]/);
    });

    it("the kubeconfig's identity contexts work with kubectl (which sends no token over plain HTTP)", async () => {
      const who = await kubectl(["--context", "viewer@staging", "auth", "whoami"]);
      expect(who.stdout).to.match(/Username\s+viewer/).and.match(/Groups\s+\[sandbox:viewers system:authenticated\]/);
      const secrets = await kubectl(["--context", "viewer@staging", "get", "secrets", "-n", "github-staging"]);
      expect(secrets.stderr.trim()).to.equal('Error from server (Forbidden): secrets is forbidden: User "viewer" cannot list resource "secrets" in API group "" in the namespace "github-staging"');
      expect((await kubectl(["--context", "viewer@staging", "get", "pods", "-n", "github-staging"])).code).to.equal(0);
    });

    it("a limited identity gets kubectl's usual Forbidden line", async () => {
      const get = await kubectl(["get", "deployment", "consul-service-router", "-n", "github-staging", "--as=system:serviceaccount:default:ci"]);
      expect(get.code).to.not.equal(0);
      expect(get.stderr.trim()).to.equal('Error from server (Forbidden): deployments.apps "consul-service-router" is forbidden: User "system:serviceaccount:default:ci" cannot get resource "deployments" in API group "apps" in the namespace "github-staging"');
      const viewer = await kubectl(["delete", "pod", "--all", "-n", "github-staging", "--as=viewer", "--as-group=sandbox:viewers"]);
      expect(viewer.stderr).to.match(/Error from server \(Forbidden\): pods "[^"]+" is forbidden: User "viewer" cannot delete resource "pods" in API group "" in the namespace "github-staging"/);
      expect(sb.listObjects("v1", "Pod", "github-staging")).to.not.have.length(0);
      const ok = await kubectl(["scale", "deployment", "unicorn", "-n", "github-staging", "--replicas=2", "--as=system:serviceaccount:default:ci"]);
      expect(ok.stdout, ok.stderr).to.include("deployment.apps/unicorn scaled");
    });
  });
});
