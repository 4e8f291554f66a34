import { expect } from "chai";
import { TEST_DELAYS } from "@tugboat/sandbox/kube";
import { KUBECTL, raw, startKubectlSandbox, waitFor, type KubectlSandbox } from "./helpers.js";

// The API server's ValidateSecret per built-in type, and the type fixed once set: the sandbox answered 201 to
// Secrets a real cluster refuses (a service-account-token without the name of its ServiceAccount, a TLS Secret
// without its key, …). Messages as the real kube-apiserver words them, checked through the API and the real kubectl.

const SEED = new URL("../../../config/sandbox/kube/staging", import.meta.url).pathname;
const NS = "github-staging";
const b64 = (v: string) => Buffer.from(v).toString("base64");

describe("kube sandbox: Secret types are validated as the API server does", function () {
  this.timeout(30_000);
  let k: KubectlSandbox;

  before(async () => {
    k = await startKubectlSandbox({ clusterName: "staging", seedDir: SEED, delays: TEST_DELAYS });
  });
  after(async () => k && k.stop());

  type Rest = { metadata?: object; data?: Record<string, string>; stringData?: Record<string, string> };
  const create = (name: string, type: string, rest: Rest = {}) =>
    raw(k.sb, "POST", `/api/v1/namespaces/${NS}/secrets`, { body: { apiVersion: "v1", kind: "Secret", type, ...rest, metadata: { name, ...rest.metadata } } });

  const refused: Array<[string, string, Rest, string[]]> = [
    ["sa-token", "kubernetes.io/service-account-token", {}, ["metadata.annotations[kubernetes.io/service-account.name]: Required value"]],
    ["tls", "kubernetes.io/tls", { data: { "tls.crt": b64("cert") } }, ["data[tls.key]: Required value"]],
    ["basic", "kubernetes.io/basic-auth", { data: { other: b64("x") } }, ["data[username]: Required value", "data[password]: Required value"]],
    ["ssh", "kubernetes.io/ssh-auth", { data: { "ssh-privatekey": "" } }, ["data[ssh-privatekey]: Required value"]],
    ["docker", "kubernetes.io/dockerconfigjson", { data: { ".dockerconfigjson": b64("{not json") } }, ['data[.dockerconfigjson]: Invalid value: "<secret contents redacted>"']],
  ];
  for (const [name, type, rest, messages] of refused) {
    it(`refuses ${type} without what it needs (422)`, async () => {
      const r = await create(name, type, rest);
      expect(r.status, r.text).to.equal(422);
      for (const m of messages) expect(r.json.message).to.include(m);
      expect(r.json.message).to.not.include("{not json");
    });
  }

  it("accepts each type with what it needs", async () => {
    const ok: Array<[string, string, Rest]> = [
      ["sa-token-ok", "kubernetes.io/service-account-token", { metadata: { annotations: { "kubernetes.io/service-account.name": "default" } } }],
      ["tls-ok", "kubernetes.io/tls", { data: { "tls.crt": b64("cert"), "tls.key": b64("key") } }],
      ["basic-ok", "kubernetes.io/basic-auth", { stringData: { username: "u" } }],
      ["docker-ok", "kubernetes.io/dockerconfigjson", { data: { ".dockerconfigjson": b64('{"auths":{}}') } }],
      ["opaque-ok", "Opaque", {}],
    ];
    for (const [name, type, rest] of ok) {
      const r = await create(name, type, rest);
      expect(r.status, `${type}: ${r.text}`).to.equal(201);
    }
  });

  it("refuses a change of type, with kubectl's message", async function () {
    if (!KUBECTL) this.skip();
    const made = await k.kubectl(["create", "secret", "generic", "typed", "-n", NS, "--from-literal=a=b"]);
    expect(made.code, made.stderr).to.equal(0);
    const r = await k.kubectl(["patch", "secret", "typed", "-n", NS, "--type=merge", "-p", '{"type":"kubernetes.io/basic-auth","data":{"username":"dQ=="}}']);
    expect(r.code).to.not.equal(0);
    expect(r.stderr).to.include('The Secret "typed" is invalid: type: Invalid value: "kubernetes.io/basic-auth": field is immutable');
    const tls = await k.kubectl(["create", "secret", "generic", "half-tls", "-n", NS, "--type=kubernetes.io/tls", "--from-literal=tls.crt=x"]);
    expect(tls.stderr).to.include('Secret "half-tls" is invalid: data[tls.key]: Required value');
  });

  describe("the tokens controller fills in service-account-token Secrets", () => {
    const secret = (name: string) => k.sb.control.objects.get({ apiVersion: "v1", kind: "Secret", namespace: NS, name }) as any;
    const tokenSecret = (name: string, sa: string) => ({ apiVersion: "v1", kind: "Secret", metadata: { name, annotations: { "kubernetes.io/service-account.name": sa } }, type: "kubernetes.io/service-account-token" });

    it("gives a token Secret of an existing ServiceAccount its token, ca.crt, namespace and uid annotation", async () => {
      expect((await raw(k.sb, "POST", `/api/v1/namespaces/${NS}/secrets`, { body: tokenSecret("default-token", "default") })).status).to.equal(201);
      const filled: any = await waitFor(() => secret("default-token")?.data?.token && secret("default-token"), 3000, "the token filled in");
      const sa: any = k.sb.control.objects.require({ apiVersion: "v1", kind: "ServiceAccount", namespace: NS, name: "default" });
      expect(filled.metadata.annotations["kubernetes.io/service-account.uid"]).to.equal(sa.metadata.uid);
      expect(Buffer.from(filled.data.namespace, "base64").toString()).to.equal(NS);
      expect(Buffer.from(filled.data["ca.crt"], "base64").toString()).to.match(/^-----BEGIN CERTIFICATE-----\n/);
      const [, claims] = Buffer.from(filled.data.token, "base64").toString().split(".");
      expect(JSON.parse(Buffer.from(claims!, "base64url").toString())).to.include({ sub: `system:serviceaccount:${NS}:default`, "kubernetes.io/serviceaccount/secret.name": "default-token" });
    });

    it("deletes a token Secret whose ServiceAccount does not exist, and those of a deleted ServiceAccount", async () => {
      expect((await raw(k.sb, "POST", `/api/v1/namespaces/${NS}/secrets`, { body: tokenSecret("orphan-token", "nobody") })).status).to.equal(201);
      await waitFor(() => !secret("orphan-token"), 3000, "the orphan token Secret deleted");

      expect((await raw(k.sb, "POST", `/api/v1/namespaces/${NS}/serviceaccounts`, { body: { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "builder" } } })).status).to.equal(201);
      expect((await raw(k.sb, "POST", `/api/v1/namespaces/${NS}/secrets`, { body: tokenSecret("builder-token", "builder") })).status).to.equal(201);
      await waitFor(() => secret("builder-token")?.data?.token, 3000, "the builder's token");
      expect((await raw(k.sb, "DELETE", `/api/v1/namespaces/${NS}/serviceaccounts/builder`)).status).to.equal(200);
      await waitFor(() => !secret("builder-token"), 3000, "the builder's token Secret deleted with it");
    });
  });
});
