import { expect } from "chai";
import { renderText } from "../../../src/chat/terminal/render-text.js";
import type { Reply } from "../../../src/core/reply.js";
import { type Harness } from "../../helpers/harness.js";
import { useHarness } from "../../helpers/use-harness.js";
import { REPO, SHAS, githubDeployments } from "./helpers.js";

// The plan is the truth: --dry-run and the production confirmation list every object as created / changed /
// unchanged with the changed fields, from a server-side apply dry run against the live objects; nothing is written.

const BASE = "1111111111111111111111111111111111111111";
const MOVE = "2222222222222222222222222222222222222222";
const NS = "github-production";
const KINDS: Array<[string, string]> = [
  ["apps/v1", "Deployment"],
  ["apps/v1", "ReplicaSet"],
  ["v1", "Pod"],
  ["v1", "Service"],
  ["v1", "ConfigMap"],
  ["v1", "Secret"],
  ["coordination.k8s.io/v1", "Lease"],
];

function settings(data: Record<string, string>): string {
  const lines = Object.entries(data).map(([k, v]) => `  ${k}: "${v}"`);
  return ["apiVersion: v1", "kind: ConfigMap", "metadata:", "  name: unicorn-settings", "data:", ...lines, ""].join("\n");
}

function adminService(port: number): string {
  return ["apiVersion: v1", "kind: Service", "metadata:", "  name: unicorn-admin", "spec:", "  selector:", "    app: unicorn", "  ports:", "    - name: admin", `      port: ${port}`, "      targetPort: 9000", ""].join("\n");
}

/** Every object of the app namespace, by kind and name, with its resourceVersion. */
function versions(h: Harness): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [apiVersion, kind] of KINDS) {
    for (const o of h.sandbox.clusters.production!.listObjects(apiVersion, kind, NS)) out[`${kind}/${o.metadata.name}`] = o.metadata.resourceVersion;
  }
  return out;
}

/** Runs a command and checks it wrote nothing: no write without dryRun=All, every resourceVersion as it was. */
async function runWritingNothing(h: Harness, text: string, opts: Parameters<Harness["run"]>[1]) {
  const before = versions(h);
  const cluster = h.sandbox.clusters.production!;
  const from = cluster.requests.log.length;
  const t = await h.run(text, opts);
  const writes = cluster.requests.log.slice(from).filter((r) => r.method !== "GET");
  expect(writes.length, "the plan is asked of the API server").to.be.greaterThan(0);
  for (const w of writes) expect(w.query ?? "", `${w.method} ${w.path}`).to.match(/(^|&)dryRun=All(&|$)/);
  expect(versions(h)).to.deep.equal(before);
  return t;
}

/** The per-object lines of a plan (every list block's items). */
function planLines(r: Reply): string[] {
  return r.blocks.flatMap((b) => (b.type === "list" ? b.items.map(String) : [])).filter((l) => /^`\w+ [^`]+`: (created|changed|unchanged)/.test(l));
}

describe("/deploy plans: a server-side dry run against the live objects", function () {
  this.timeout(60000);
  const h = useHarness();

  it("PR4812 to production --dry-run shows the consul-service-router Service's port change and every other object, writing nothing", async () => {
    const t = await runWritingNothing(h, "/deploy PR4812 to production --dry-run", { user: "UADMIN", channel: "CDEPLOYS" });
    expect(t.final?.tone, t.text).to.equal("success");
    const lines = planLines(t.final!);
    expect(lines).to.include("`Service consul-service-router`: changed: `spec.ports[name=http].targetPort` 8500 → 8080");
    expect(lines).to.include("`Service unicorn`: unchanged");
    expect(lines.find((l) => l.startsWith("`Deployment unicorn`:"))).to.match(/changed: `containers\[name=unicorn\]\.image` registry\.example\.com\/github:0c6121e → registry\.example\.com\/github:eed486a/);
    expect(lines).to.have.length(6);
    expect(t.text).to.include("@@ spec.ports[name=http].targetPort\n- 8500\n+ 8080");
    expect(t.text).to.match(/Objects: 4 changed, 2 unchanged/);
    expect(githubDeployments(h)).to.have.length(0);
  });

  it("a deploy that changes a Service port and adds a ConfigMap key shows both, in the dry run and the production confirmation", async () => {
    const store = h.sandbox.github.store;
    store.addCommit(REPO, { sha: BASE, message: "An admin port and settings for unicorn", parents: [SHAS.main] });
    store.addCommit(REPO, { sha: MOVE, message: "Move the admin port, turn on feature x", parents: [BASE] });
    store.addPull(REPO, { number: 4901, title: "Move the admin port", head: "move-admin", sha: MOVE, user: "octocat" });
    for (const sha of [BASE, MOVE]) store.setStatus(REPO, sha, "ci/image", "success");
    store.setFile(REPO, BASE, "config/kubernetes/production/settings.yaml", settings({ WORKERS: "8" }));
    store.setFile(REPO, BASE, "config/kubernetes/production/admin.yaml", adminService(8081));
    store.setFile(REPO, MOVE, "config/kubernetes/production/settings.yaml", settings({ WORKERS: "8", FEATURE_X: "on" }));
    store.setFile(REPO, MOVE, "config/kubernetes/production/admin.yaml", adminService(9091));

    // The first deploy creates both, so Tugboat's manifests own them (as after any earlier deploy of them).
    const first = await h.run(`/deploy ${BASE} to production`, { user: "UADMIN", channel: "CDEPLOYS" });
    expect(first.final?.tone, first.text).to.equal("success");
    expect(planLines(first.confirmations[0]!)).to.include.members(["`Service unicorn-admin`: created", "`ConfigMap unicorn-settings`: created"]);

    const dry = await runWritingNothing(h, "/deploy PR4901 to production --dry-run", { user: "UADMIN", channel: "CDEPLOYS" });
    const expected = [
      "`Service unicorn-admin`: changed: `spec.ports[name=admin].port` 8081 → 9091",
      "`ConfigMap unicorn-settings`: changed: `data.FEATURE_X` = on (added)",
      "`Service unicorn`: unchanged",
    ];
    expect(planLines(dry.final!)).to.include.members(expected);
    expect(dry.text).to.include("@@ data.FEATURE_X\n+ on").and.include("@@ spec.ports[name=admin].port\n- 8081\n+ 9091");

    const asked = await runWritingNothing(h, "/deploy PR4901 to production", { user: "UADMIN", channel: "CDEPLOYS", confirm: "cancelled" });
    expect(asked.confirmations).to.have.length(1);
    expect(planLines(asked.confirmations[0]!)).to.include.members(expected);
    expect(renderText(asked.confirmations[0]!)).to.include("@@ data.FEATURE_X\n+ on");
    expect(asked.text).to.match(/Cancelled.*Nothing was changed/);

    const shipped = await h.run("/deploy PR4901 to production", { user: "UADMIN", channel: "CDEPLOYS" });
    expect(shipped.final?.tone, shipped.text).to.equal("success");
    const svc = h.sandbox.clusters.production!.getObject("v1", "Service", NS, "unicorn-admin");
    expect(svc.spec.ports.map((p: any) => [p.name, p.port])).to.deep.equal([["admin", 9091]]);
    expect(h.sandbox.clusters.production!.getObject("v1", "ConfigMap", NS, "unicorn-settings").data).to.deep.equal({ WORKERS: "8", FEATURE_X: "on" });
  });

  it("a long plan keeps the summary in chat and attaches the whole diff", async () => {
    const sha = "3333333333333333333333333333333333333333";
    const store = h.sandbox.github.store;
    store.addCommit(REPO, { sha, message: "Lots of settings", parents: [SHAS.main] });
    store.addPull(REPO, { title: "Lots of settings", head: "lots-of-settings", sha }); // a commit off main must be in an open PR
    store.setStatus(REPO, sha, "ci/image", "success");
    const many = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`KEY_${i}`, `value-${i}`]));
    store.setFile(REPO, sha, "config/kubernetes/production/settings.yaml", settings(many));
    const t = await runWritingNothing(h, `/deploy ${sha} to production --dry-run`, { user: "UADMIN", channel: "CDEPLOYS" });
    const r = t.final!;
    expect(planLines(r), planLines(r).join("\n")).to.include("`ConfigMap unicorn-settings`: changed: `data.KEY_0` = value-0 (added); `data.KEY_1` = value-1 (added); `data.KEY_2` = value-2 (added); `data.KEY_3` = value-3 (added); and 58 more");
    expect(r.attachment?.filename).to.equal("plan-github-production-3333333.diff");
    expect(r.attachment?.content).to.include("@@ data.KEY_59\n+ value-59");
    const code = r.blocks.find((b) => b.type === "code");
    expect(code && code.type === "code" ? code.text : "").to.match(/more lines; the whole output is attached$/);
  });
  it("a canary's plan shows the canary Deployments it creates; a deploy without manifests shows the image patch's effect", async () => {
    const canary = await runWritingNothing(h, "/deploy PR4812 to canary --dry-run", { user: "UADMIN", channel: "CDEPLOYS" });
    expect(planLines(canary.final!).sort()).to.deep.equal(["`Deployment unicorn-api-canary`: created", "`Deployment unicorn-canary`: created"]);
    expect(canary.text).to.include("+   name: unicorn-canary");

    const sha = "4444444444444444444444444444444444444444";
    const store = h.sandbox.github.store;
    store.addCommit(REPO, { sha, message: "No manifests here", parents: [SHAS.main] });
    store.addPull(REPO, { title: "No manifests here", head: "no-manifests-here", sha }); // a commit off main must be in an open PR
    store.setStatus(REPO, sha, "ci/image", "success");
    for (const f of store.filesAt(REPO, sha).keys()) if (f.startsWith("config/kubernetes/production/")) store.removeFile(REPO, sha, f);
    const t = await runWritingNothing(h, `/deploy ${sha} to production --dry-run`, { user: "UADMIN", channel: "CDEPLOYS" });
    const lines = planLines(t.final!);
    expect(lines).to.have.length(2);
    for (const name of ["unicorn", "unicorn-api"]) {
      expect(lines.find((l) => l.startsWith(`\`Deployment ${name}\``))).to.match(new RegExp(`: changed: \`containers\\[name=${name}\\]\\.image\` registry\\.example\\.com/github:\\w{7} → registry\\.example\\.com/github:4444444; annotations tugboat\\.dev/`));
    }
  });
});

describe("/deploy rollback: the confirmation shows what the rollback's patch would do", function () {
  this.timeout(60000);
  const h = useHarness();

  it("lists each Deployment's changed fields from a dry run of the rollback patch, and writes nothing when cancelled", async () => {
    const shipped = await h.run("/deploy PR4812 to production", { user: "UADMIN", channel: "CDEPLOYS" });
    expect(shipped.final?.tone, shipped.text).to.equal("success");
    const t = await runWritingNothing(h, "/deploy rollback github production", { user: "UADMIN", channel: "CDEPLOYS", confirm: "cancelled" });
    expect(t.confirmations).to.have.length(1);
    const lines = planLines(t.confirmations[0]!);
    for (const name of ["unicorn", "unicorn-api"]) {
      const line = lines.find((l) => l.startsWith(`\`Deployment ${name}\`: changed:`));
      expect(line, lines.join("\n")).to.match(new RegExp(`\`containers\\[name=${name}\\]\\.image\` registry\\.example\\.com/github:eed486a → registry\\.example\\.com/github:0c6121e`));
      expect(line).to.match(new RegExp(`\`containers\\[name=${name}\\]\\.env\` -APP, -RACK_ENV, -PULL_REQUEST and 1 more`));
    }
    expect(renderText(t.confirmations[0]!)).to.include("@@ spec.template.spec.containers[name=unicorn].image\n- registry.example.com/github:eed486a1e3c237947f6d05a688220f3d3d81f035\n+ registry.example.com/github:0c6121e4cc22cb1339ba8e9694640db55a1c1b31");
    expect(t.text).to.match(/Cancelled.*Nothing was changed/);
  });
});
