/**
 * Validation as the API server does it: decoding errors (400), field validation (422), fieldValidation for
 * unknown fields (Strict / Warn / Ignore), server-side apply's typed-patch errors, and immutable fields.
 */
import { expect } from "chai";
import { startKubeSandbox, TEST_DELAYS, type KubeSandbox } from "@tugboat/sandbox/kube";
import { deployment, raw } from "./helpers.js";

const SEED = new URL("../../../config/sandbox/kube/production", import.meta.url).pathname;
const NS = "github-production";
const APPLY = "application/apply-patch+yaml";

describe("kube sandbox: validation like the API server", function () {
  this.timeout(30_000);
  let sb: KubeSandbox;

  before(async () => {
    sb = await startKubeSandbox({ clusterName: "production", seedDir: SEED, delays: TEST_DELAYS });
  });
  after(async () => sb && sb.stop());

  it("a number in a ConfigMap's data is a 400 with encoding/json's message", async () => {
    const r = await raw(sb, "POST", `/api/v1/namespaces/${NS}/configmaps`, { body: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c1" }, data: { PORT: 8080 } } });
    expect(r.status).to.equal(400);
    expect(r.json.reason).to.equal("BadRequest");
    expect(r.json.message).to.equal('ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal number into Go struct field ConfigMap.data of type string');
  });

  it("a string containerPort is a 400 naming the Go field path", async () => {
    const d = deployment("typed", NS);
    d.spec.template.spec.containers[0].ports = [{ containerPort: "8080" }];
    const r = await raw(sb, "POST", `/apis/apps/v1/namespaces/${NS}/deployments`, { body: d });
    expect(r.status).to.equal(400);
    expect(r.json.message).to.equal('Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct field ContainerPort.spec.template.spec.containers.ports.containerPort of type int32');
  });

  it("an unsupported imagePullPolicy is a 422 Invalid with the supported values and a cause", async () => {
    const d = deployment("pull", NS);
    d.spec.template.spec.containers[0].imagePullPolicy = "Sometimes";
    const r = await raw(sb, "POST", `/apis/apps/v1/namespaces/${NS}/deployments`, { body: d });
    expect(r.status).to.equal(422);
    expect(r.json.reason).to.equal("Invalid");
    expect(r.json.message).to.equal('Deployment.apps "pull" is invalid: spec.template.spec.containers[0].imagePullPolicy: Unsupported value: "Sometimes": supported values: "Always", "IfNotPresent", "Never"');
    expect(r.json.details).to.deep.equal({
      name: "pull",
      group: "apps",
      kind: "Deployment",
      causes: [{ reason: "FieldValueNotSupported", message: 'Unsupported value: "Sometimes": supported values: "Always", "IfNotPresent", "Never"', field: "spec.template.spec.containers[0].imagePullPolicy" }],
    });
  });

  it("Ingress pathType: unsupported and missing values", async () => {
    const ing = (path: any) => ({ apiVersion: "networking.k8s.io/v1", kind: "Ingress", metadata: { name: "i1" }, spec: { rules: [{ http: { paths: [{ path: "/", ...path, backend: { service: { name: "s", port: { number: 80 } } } }] } }] } });
    const bad = await raw(sb, "POST", `/apis/networking.k8s.io/v1/namespaces/${NS}/ingresses`, { body: ing({ pathType: "Foo" }) });
    expect(bad.status).to.equal(422);
    expect(bad.json.message).to.equal('Ingress.networking.k8s.io "i1" is invalid: spec.rules[0].http.paths[0].pathType: Unsupported value: "Foo": supported values: "Exact", "ImplementationSpecific", "Prefix"');
    const missing = await raw(sb, "POST", `/apis/networking.k8s.io/v1/namespaces/${NS}/ingresses`, { body: ing({}) });
    expect(missing.status).to.equal(422);
    expect(missing.json.message).to.equal('Ingress.networking.k8s.io "i1" is invalid: spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified');
  });

  it("names and ports out of range are 422 with several causes listed in brackets", async () => {
    const d = deployment("Bad_Name", NS);
    d.spec.template.spec.containers[0].ports = [{ containerPort: 70000 }];
    const r = await raw(sb, "POST", `/apis/apps/v1/namespaces/${NS}/deployments`, { body: d });
    expect(r.status).to.equal(422);
    expect(r.json.message).to.match(/^Deployment\.apps "Bad_Name" is invalid: \[metadata\.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain/);
    expect(r.json.message).to.contain("spec.template.spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive]");
  });

  it("label keys are qualified names and template label values are checked (63 characters, allowed characters)", async () => {
    const d = deployment("labels", NS);
    d.metadata.labels = { "bad key": "x" };
    d.spec.template.metadata.labels = { app: "labels", tier: "a".repeat(64) };
    const r = await raw(sb, "POST", `/apis/apps/v1/namespaces/${NS}/deployments`, { body: d });
    expect(r.status).to.equal(422);
    const causes = r.json.details.causes;
    expect(causes.map((c: any) => c.field)).to.deep.equal(["metadata.labels", "spec.template.metadata.labels"]);
    expect(causes[0].message).to.match(/^Invalid value: "bad key": name part must consist of alphanumeric characters/);
    expect(causes[1].message).to.equal(`Invalid value: "${"a".repeat(64)}": must be no more than 63 characters`);
  });

  it("fieldValidation: Strict rejects unknown fields, Warn (the default) answers a Warning header, Ignore says nothing", async () => {
    const cm = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "fv" }, data: { a: "b" }, dta: { x: "y" } };
    const strict = await raw(sb, "POST", `/api/v1/namespaces/${NS}/configmaps?fieldValidation=Strict`, { body: cm });
    expect(strict.status).to.equal(400);
    expect(strict.json.message).to.equal('ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "dta"');
    const warn = await raw(sb, "POST", `/api/v1/namespaces/${NS}/configmaps`, { body: cm });
    expect(warn.status).to.equal(201);
    expect(warn.headers.get("warning")).to.equal('299 - "unknown field \\"dta\\""');
    expect(warn.json.dta).to.equal(undefined);
    const ignore = await raw(sb, "PUT", `/api/v1/namespaces/${NS}/configmaps/fv?fieldValidation=Ignore`, { body: cm });
    expect(ignore.status).to.equal(200);
    expect(ignore.headers.get("warning")).to.equal(null);
    const patch = await raw(sb, "PATCH", `/api/v1/namespaces/${NS}/configmaps/fv?fieldValidation=Strict`, { body: { spec: { nested: 1 } }, contentType: "application/merge-patch+json" });
    expect(patch.status).to.equal(400);
    expect(patch.json.message).to.equal('strict decoding error: unknown field "spec"'); // the patch handler's wording
    const typed = await raw(sb, "PATCH", `/api/v1/namespaces/${NS}/configmaps/fv`, { body: { data: { n: 1 } }, contentType: "application/merge-patch+json" });
    expect(typed.status).to.equal(422);
    expect(typed.json.message).to.match(/^ "" is invalid: patch: Invalid value: ".*": json: cannot unmarshal number into Go struct field ConfigMap\.data of type string$/);
    expect(typed.json.details.causes[0].field).to.equal("patch");
  });

  it("server-side apply of undeclared fields or wrong types fails as a typed-patch error", async () => {
    const d = deployment("ssa-bad", NS);
    d.spec.template.spec.containers[0].foo = 1;
    const r = await raw(sb, "PATCH", `/apis/apps/v1/namespaces/${NS}/deployments/ssa-bad?fieldManager=t`, { body: d, contentType: APPLY });
    expect(r.status).to.equal(500);
    expect(r.json.reason).to.equal(undefined);
    expect(r.json.message).to.equal(`failed to create typed patch object (${NS}/ssa-bad; apps/v1, Kind=Deployment): .spec.template.spec.containers[name="app"].foo: field not declared in schema`);
    const cm = await raw(sb, "PATCH", `/api/v1/namespaces/${NS}/configmaps/ssa-cm?fieldManager=t`, { body: { apiVersion: "v1", kind: "ConfigMap", data: { PORT: 8080 } }, contentType: APPLY });
    expect(cm.json.message).to.equal(`failed to create typed patch object (${NS}/ssa-cm; /v1, Kind=ConfigMap): .data.PORT: expected string, got &value.valueUnstructured{Value:8080}`);
  });

  it("immutable fields: a Deployment's selector and a Service's clusterIP", async () => {
    const sel = await raw(sb, "PATCH", `/apis/apps/v1/namespaces/${NS}/deployments/unicorn`, {
      body: { spec: { selector: { matchLabels: { app: "other" } }, template: { metadata: { labels: { app: "other" } } } } },
      contentType: "application/strategic-merge-patch+json",
    });
    expect(sel.status).to.equal(422);
    expect(sel.json.message).to.equal('Deployment.apps "unicorn" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"other"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable');
    const ip = await raw(sb, "PATCH", `/api/v1/namespaces/${NS}/services/unicorn`, { body: { spec: { clusterIP: "10.96.99.99" } }, contentType: "application/merge-patch+json" });
    expect(ip.status).to.equal(422);
    expect(ip.json.message).to.equal('Service "unicorn" is invalid: spec.clusterIPs[0]: Invalid value: []string{"10.96.99.99"}: may not change once set');
  });

  it("a Job: restartPolicy must be OnFailure or Never (Always is the pod default), and its template is immutable", async () => {
    const job = (policy?: string, image = "busybox:1.36") => ({
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: { name: "migrate" },
      spec: { template: { spec: { ...(policy ? { restartPolicy: policy } : {}), containers: [{ name: "m", image }] } } },
    });
    const defaulted = await raw(sb, "POST", `/apis/batch/v1/namespaces/${NS}/jobs`, { body: job() });
    expect(defaulted.status).to.equal(422);
    expect(defaulted.json.message).to.equal('Job.batch "migrate" is invalid: spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"');
    const created = await raw(sb, "POST", `/apis/batch/v1/namespaces/${NS}/jobs`, { body: job("Never") });
    expect(created.status, JSON.stringify(created.json)).to.equal(201);
    const changed = await raw(sb, "PATCH", `/apis/batch/v1/namespaces/${NS}/jobs/migrate`, {
      body: { spec: { template: { spec: { containers: [{ name: "m", image: "busybox:1.37" }] } } } },
      contentType: "application/strategic-merge-patch+json",
    });
    expect(changed.status).to.equal(422);
    expect(changed.json.message).to.match(/^Job\.batch "migrate" is invalid: spec\.template: Invalid value: .*busybox:1\.37.*: field is immutable$/);
    const same = await raw(sb, "PATCH", `/apis/batch/v1/namespaces/${NS}/jobs/migrate`, { body: { metadata: { labels: { team: "a" } } }, contentType: "application/merge-patch+json" });
    expect(same.status).to.equal(200);
  });

  it("OpenAPI v3 describes the fields (what kubectl explain reads)", async () => {
    const doc = (await raw(sb, "GET", "/openapi/v3/apis/apps/v1")).json;
    const dep = Object.values<any>(doc.components.schemas).find((x) => x["x-kubernetes-group-version-kind"]?.[0]?.kind === "Deployment");
    expect(dep.properties.spec.properties.replicas).to.include({ type: "integer", format: "int32" });
    expect(dep.properties.spec.properties.template.properties.spec.properties.containers.items.properties.imagePullPolicy.enum).to.deep.equal(["Always", "IfNotPresent", "Never"]);
  });
});
