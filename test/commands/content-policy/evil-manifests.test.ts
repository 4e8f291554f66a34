import { expect } from "chai";
import { type Harness, type Transcript } from "../../helpers/harness.js";
import { useHarness } from "../../helpers/use-harness.js";
import { githubDeployments, IMAGE, SHAS } from "../deploy/helpers.js";

// PR #4817 "evil manifests" (config/sandbox/repos/octo-github@pr4817): its image gate passes, so every refusal
// here comes from the content policy, before any plan, confirmation, lock, GitHub deployment or apply.

const EVIL_SHA = "2fd8044780a6012a1c156116684ac755d44618a3";
const ADMIN = { user: "UADMIN", channel: "CDEPLOYS" };

/** Every object of these kinds with one of these names, in any namespace of any sandbox cluster. */
function leftovers(h: Harness): string[] {
  const kinds: Array<[string, string]> = [
    ["v1", "Secret"],
    ["v1", "Pod"],
    ["v1", "Service"],
    ["v1", "ConfigMap"],
    ["coordination.k8s.io/v1", "Lease"],
    ["networking.k8s.io/v1", "Ingress"],
    ["rbac.authorization.k8s.io/v1", "RoleBinding"],
    ["cluster.x-k8s.io/v1beta1", "MachineDeployment"],
    ["apps/v1", "Deployment"],
  ];
  const names = /^(node-shell|read-lab-secret|steal-traffic|steal-staging|public|everyone-is-admin|more-nodes|miner|filler-\d+|review-lab-env)$/;
  const out: string[] = [];
  for (const [cluster, sb] of Object.entries(h.sandbox.clusters)) {
    for (const [apiVersion, kind] of kinds) {
      for (const o of sb.listObjects(apiVersion, kind, undefined)) {
        // unicorn-env is the app's own Secret (seeded): only the attacker's DATABASE_URL would be a leftover.
        const values = [...Object.values(o.data ?? {}).map((v) => Buffer.from(String(v), "base64").toString()), ...Object.values(o.stringData ?? {})];
        const attackerData = values.some((v) => String(v).includes("attacker"));
        const hostile = names.test(o.metadata.name) || (kind === "Lease" && o.spec?.holderIdentity === "attacker") || (kind === "Secret" && attackerData);
        if (hostile) out.push(`${cluster} ${kind} ${o.metadata.namespace ?? ""}/${o.metadata.name}`);
      }
    }
  }
  return out;
}

/** A refusal: error tone, its heading, and each expected line. */
function expectRefusal(t: Transcript, heading: string, lines: string[]): void {
  expect(t.final?.tone, t.text).to.equal("error");
  expect(t.text).to.include(heading);
  for (const line of lines) expect(t.text, line).to.include(line);
}

describe("content policy: PR #4817 'evil manifests' (sandbox, through the router)", function () {
  this.timeout(60_000);
  const h = useHarness();

  it("/deploy PR4817 to staging refuses, naming every offending object and template, and applies nothing", async () => {
    const before = h.sandbox.clusters.staging!.getObject("apps/v1", "Deployment", "github-staging", "unicorn").spec.template.spec.containers[0].image;
    const t = await h.run("/deploy PR4817 to staging", ADMIN);
    expect(t.text).to.include("nothing was applied");
    expectRefusal(t, "Refused the manifests of PR #4817 for github staging", [
      "Secret unicorn-env: Secrets never come from manifests",
      "Pod node-shell: kind Pod is not allowed in deploys to staging",
      "Pod Security baseline: hostPID: true",
      'Pod Security baseline: container "shell" is privileged',
      'hostPath volume "host" (/)',
      "Lease tugboat-lock-github-staging: the name tugboat-lock-github-staging is reserved",
      "Leases are never applied",
      "Ingress steal-traffic: Ingress host github.example.com is not under staging.github.example.com",
      "RoleBinding everyone-is-admin: RBAC objects are never applied",
      "MachineDeployment more-nodes: Cluster API objects are never applied",
      "names namespace default",
      "Deployment miner: Pod Security baseline: hostNetwork: true",
      'container "miner" adds capability SYS_ADMIN',
      "objects, more than the 200 allowed in one apply",
      "template config/kubernetes/staging/zz-loop.yaml: line 2: #each/#with nested more than 2 deep",
    ]);
    expect(t.confirmations).to.have.length(0);
    expect(githubDeployments(h).filter((d) => d.sha === EVIL_SHA)).to.deep.equal([]);
    expect(leftovers(h)).to.deep.equal([]);
    const after = h.sandbox.clusters.staging!.getObject("apps/v1", "Deployment", "github-staging", "unicorn").spec.template.spec.containers[0].image;
    expect(after).to.equal(before);
  });

  it("/deploy PR4817 to production --dry-run refuses the same way; without --dry-run no confirmation is ever shown", async () => {
    const dry = await h.run("/deploy PR4817 to production --dry-run", ADMIN);
    expectRefusal(dry, "Refused the manifests of PR #4817 for github production", [
      "Secret unicorn-env",
      "Pod node-shell",
      "Lease tugboat-lock-github-production",
      "Ingress steal-traffic: Ingress host staging.github.example.com is not under github.example.com",
      "RoleBinding everyone-is-admin",
      "MachineDeployment more-nodes",
      "Deployment miner",
      "objects, more than the 200 allowed",
      "template config/kubernetes/production/zz-loop.yaml",
    ]);
    const real = await h.run("/deploy PR4817 to production", ADMIN);
    expect(real.confirmations, "a refused deploy never reaches confirmation").to.have.length(0);
    expect(real.final?.tone).to.equal("error");
    expect(leftovers(h)).to.deep.equal([]);
  });

  it("/reviewlab up PR4817 refuses, naming every offending object, and no lab namespace is created", async () => {
    const t = await h.run("/reviewlab up PR4817", { user: "UDEPLOYER", channel: "CGITHUB" });
    expectRefusal(t, "Refused the review-lab templates of PR #4817", [
      "Pod node-shell: kind Pod is not allowed in review labs",
      'container "shell" is privileged',
      "Pod read-lab-secret: kind Pod is not allowed",
      "Ingress steal-staging: Ingress host staging.github.example.com is not under evil-manifests.review-lab.example.com",
      "Service public: Service type LoadBalancer is not allowed here (allowed: ClusterIP)",
      "MachineDeployment more-nodes: Cluster API objects are never applied",
      "RoleBinding everyone-is-admin: RBAC objects are never applied",
      "Secret review-lab-env: the name review-lab-env is reserved",
      "Lease tugboat-reviewlab-create: the name tugboat-reviewlab-create is reserved",
      "objects, more than the 200 allowed in one apply",
      "template config/kubernetes/review-lab/zz-loop.yaml",
    ]);
    const labs = h.sandbox.clusters.staging!.listObjects("v1", "Namespace", undefined).filter((n: any) => n.metadata.name.startsWith("review-lab-evil"));
    expect(labs).to.deep.equal([]);
    expect(leftovers(h)).to.deep.equal([]);
  });

  it("a YAML alias bomb or a List of null in a manifest or template is a clear refusal, not an internal error", async () => {
    const store = h.sandbox.github.store;
    const sha = "3a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d";
    store.addCommit("octo/github", { sha, message: "yaml tricks", parents: [SHAS.main] });
    store.setBranch("octo/github", "yaml-tricks", sha);
    store.setStatus("octo/github", sha, "ci/image", "success");
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]', ...Array.from({ length: 7 }, (_, i) => `${"bcdefgh"[i]}: &${"bcdefgh"[i]} [${Array(9).fill(`*${"abcdefg"[i]}`).join(",")}]`), "apiVersion: v1", "kind: ConfigMap", "metadata: { name: bomb }"].join("\n");
    for (const dir of ["staging", "review-lab"]) {
      store.setFile("octo/github", sha, `config/kubernetes/${dir}/zz-bomb.yaml`, bomb);
      store.setFile("octo/github", sha, `config/kubernetes/${dir}/zz-null.yaml`, "apiVersion: v1\nkind: List\nitems: [null]\n");
    }
    const deploy = await h.run("/deploy yaml-tricks to staging", ADMIN);
    const lab = await h.run("/reviewlab up yaml-tricks", { user: "UDEPLOYER", channel: "CGITHUB" });
    for (const [t, dir] of [[deploy, "staging"], [lab, "review-lab"]] as const) {
      expect(t.text).to.not.include("Internal error");
      expect(t.final?.tone, t.text).to.equal("error");
      expect(t.text).to.include(`template config/kubernetes/${dir}/zz-bomb.yaml: document 1: cannot be read: its aliases expand too much`);
      expect(t.text).to.include(`template config/kubernetes/${dir}/zz-null.yaml: document 1: List item 1 is not a Kubernetes object`);
    }
    expect(h.sandbox.clusters.staging!.getObject("v1", "ConfigMap", "github-staging", "bomb")).to.equal(undefined);
  });

  it("allowed kinds still deploy: PR #4812 goes to staging", async () => {
    const t = await h.run("/deploy PR4812 to staging", ADMIN);
    expect(t.final?.tone, t.text).to.equal("success");
    const d = h.sandbox.clusters.staging!.getObject("apps/v1", "Deployment", "github-staging", "unicorn");
    expect(d.spec.template.spec.containers[0].image).to.equal(`${IMAGE}:${SHAS.pr4812}`);
  });
});
