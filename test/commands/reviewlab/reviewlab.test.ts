import { expect } from "chai";
import { startHarness, type Harness, type Transcript } from "../../helpers/harness.js";
import { renderText } from "../../../src/chat/terminal/render-text.js";
import { labNamespace, labSlug } from "../../../src/domain/reviewlab/make-slug.js";
import { labNamespaceObject } from "../../../src/domain/reviewlab/lab-metadata.js";
import { reapOnce } from "../../../src/commands/reviewlab/index.js";
import { reaperLock } from "../../../src/domain/reviewlab/reap-labs.js";
import { silentLogger } from "../../../src/core/logger.js";
import type { TugboatConfig } from "../../../src/config/schema.js";
import { fakeClock, labNamespaceObj, pushCommit, REPO, secretSourceValues, staging, until, type FakeClock } from "./helpers.js";

// /reviewlab through the router against the sandbox (production wiring). One sandbox for the file; every
// test removes the labs it made.

const DEPLOYER = { user: "UDEPLOYER" };
const LABUSER = { user: "ULABUSER" }; // reviewlab:up and :list only
const everything: Transcript[] = [];

async function run(h: Harness, text: string, opts: { user?: string } = DEPLOYER): Promise<Transcript> {
  const t = await h.run(text, opts);
  everything.push(t);
  return t;
}

describe("/reviewlab (sandbox, through the router)", function () {
  this.timeout(30_000);
  let h: Harness;
  let clock: FakeClock;

  before(async () => {
    clock = fakeClock();
    h = await startHarness({
      clock,
      instanceId: "bot-1",
      configure: (c) => {
        c.roles.labuser = { permissions: ["reviewlab:up", "reviewlab:list"] };
        c.bindings.push({ role: "labuser", users: ["ULABUSER", "ULABUSER2"], groups: [] });
        c.reviewlab!.reaper.channel = "CREAPER";
      },
    });
  });
  after(async () => h?.stop());

  it("up: brings up a lab for a branch, replies with URL, counts and time, and records it on GitHub", async () => {
    const t = await run(h, "/reviewlab up my-branch");
    expect(t.final?.tone, t.text).to.equal("success");
    expect(t.text).to.include("https://my-branch.review-lab.example.com");
    expect(t.text).to.match(/1 ConfigMap, 2 Deployments, 1 Ingress, 1 Namespace, 1 Secret, 2 Services \(\d+\.\d s\)/);
    // One message, updated: info + progress while working, success at the end.
    expect(t.updates.length).to.be.greaterThan(2);
    for (const u of t.updates.slice(0, -1)) {
      expect(u.tone).to.equal("info");
      expect(u.blocks.some((b) => b.type === "progress")).to.equal(true);
    }

    const ns = labNamespaceObj(h, "review-lab-my-branch");
    expect(ns.metadata.labels).to.include({ "tugboat.dev/review-lab": "true", "tugboat.dev/app": "github", "tugboat.dev/pr": "4816", "tugboat.dev/owner": "UDEPLOYER" });
    expect(ns.metadata.annotations).to.include({
      "tugboat.dev/branch": "my-branch",
      "tugboat.dev/sha": "663c692a0f1296edefa2dbd3fa35d535f8881708",
      "tugboat.dev/owner": "UDEPLOYER",
    });
    const created = Date.parse(ns.metadata.annotations["tugboat.dev/created-at"]);
    const expires = Date.parse(ns.metadata.annotations["tugboat.dev/expires-at"]);
    expect(expires - created).to.equal(72 * 3600_000);

    // Extend and Take down on the ready lab run as the presser: someone without those rights changes nothing.
    const buttons = t.final!.blocks.flatMap((b) => (b.type === "actions" ? b.buttons : []));
    expect(buttons.map((b) => [b.label, b.command])).to.deep.equal([
      ["Extend 1 day", "/reviewlab extend PR4816 1d"],
      ["Take down", "/reviewlab down PR4816"],
    ]);
    for (const b of buttons) expect((await run(h, b.command, LABUSER)).text, b.command).to.match(/^Denied: /);
    expect(labNamespaceObj(h, "review-lab-my-branch").metadata.annotations["tugboat.dev/expires-at"]).to.equal(ns.metadata.annotations["tugboat.dev/expires-at"]);

    const d = staging(h).getObject("apps/v1", "Deployment", "review-lab-my-branch", "unicorn");
    expect(d.spec.template.spec.containers[0].image).to.equal("registry.example.com/github:663c692a0f1296edefa2dbd3fa35d535f8881708");
    const ing = staging(h).getObject("networking.k8s.io/v1", "Ingress", "review-lab-my-branch", "review-lab");
    expect(ing.spec.rules[0].host).to.equal("my-branch.review-lab.example.com");
    expect(ing.spec.rules[0].http.paths[0].backend.service).to.deep.equal({ name: "unicorn", port: { number: 80 } });

    const store = h.sandbox.github.store;
    const dep = store.deployments(REPO).filter((x) => x.environment === "review-lab/my-branch");
    expect(dep).to.have.length(1);
    expect(dep[0]!.transient_environment).to.equal(true);
    expect(store.deploymentStatuses(REPO, dep[0]!.id).map((s) => s.state)).to.deep.equal(["in_progress", "success"]);
    expect(store.issueComments(REPO, 4816).some((c) => c.body.includes("https://my-branch.review-lab.example.com"))).to.equal(true);
  });

  it("list: shows branch, sha, owner, age, expiry, ready pods and URL; --mine filters", async () => {
    const t = await run(h, "/reviewlab list");
    expect(t.final?.tone).to.equal("success");
    expect(t.text).to.match(/my-branch\s+663c692\s+UDEPLOYER\s+\S+\s+in (2d23h|3d)\s+2\/2\s+https:\/\/my-branch\.review-lab\.example\.com/);
    const mine = await run(h, "/reviewlab list --mine", LABUSER);
    expect(mine.text).to.include("You have no review labs.");
  });

  it("extend: moves the expiry, and refuses beyond the cap naming the allowed maximum", async () => {
    const before = Date.parse(labNamespaceObj(h, "review-lab-my-branch").metadata.annotations["tugboat.dev/expires-at"]);
    const t = await run(h, "/reviewlab extend my-branch 12h");
    expect(t.final?.tone, t.text).to.equal("success");
    const after = Date.parse(labNamespaceObj(h, "review-lab-my-branch").metadata.annotations["tugboat.dev/expires-at"]);
    expect(after - before).to.equal(12 * 3600_000);
    const tooFar = await run(h, "/reviewlab extend my-branch 5d");
    expect(tooFar.final?.tone).to.equal("error");
    expect(tooFar.text).to.match(/at most 168 h from now/);
    expect(tooFar.text).to.match(/by at most 3d1[12]h/);
    expect(Date.parse(labNamespaceObj(h, "review-lab-my-branch").metadata.annotations["tugboat.dev/expires-at"])).to.equal(after);
  });

  it("up again on a new sha updates the lab in place, keeping the later expiry the extend above made", async () => {
    const ns0 = labNamespaceObj(h, "review-lab-my-branch");
    clock.advance(3600_000);
    const sha = pushCommit(h, "my-branch", "second", { pr: 4816 });
    // Updating an existing lab is never refused by the limits.
    h.config.reviewlab!.maxPerUser = 1;
    const t = await run(h, "/reviewlab up my-branch").finally(() => (h.config.reviewlab!.maxPerUser = 3));
    expect(t.final?.tone, t.text).to.equal("success");
    expect(t.text).to.include("was updated from 663c692");
    const ns = labNamespaceObj(h, "review-lab-my-branch");
    expect(ns.metadata.uid).to.equal(ns0.metadata.uid);
    expect(ns.metadata.annotations["tugboat.dev/sha"]).to.equal(sha);
    expect(ns.metadata.annotations["tugboat.dev/created-at"]).to.equal(ns0.metadata.annotations["tugboat.dev/created-at"]);
    const updated = Date.parse(ns.metadata.annotations["tugboat.dev/updated-at"]);
    // 72 h from this up is sooner than the 12 h extension made an hour earlier: the extension stands.
    expect(Date.parse(ns.metadata.annotations["tugboat.dev/expires-at"]) - updated).to.be.above(72 * 3600_000);
    expect(ns.metadata.annotations["tugboat.dev/expires-at"]).to.equal(ns0.metadata.annotations["tugboat.dev/expires-at"]);
    const d = staging(h).getObject("apps/v1", "Deployment", "review-lab-my-branch", "unicorn-api");
    expect(d.spec.template.spec.containers[0].image).to.equal(`registry.example.com/github:${sha}`);
    expect(staging(h).getObject("v1", "ConfigMap", "review-lab-my-branch", "review-lab-config").data.GIT_SHA).to.equal(sha);
  });

  it("injects the layered Secret and never shows or logs its values", async () => {
    const lab = staging(h).getObject("v1", "Secret", "review-lab-my-branch", "review-lab-env");
    const common = staging(h).getObject("v1", "Secret", "tugboat-secrets", "common");
    const github = staging(h).getObject("v1", "Secret", "tugboat-secrets", "github");
    expect(lab.data).to.deep.equal({ ...common.data, ...github.data });
    const values = secretSourceValues(h).filter((v) => v.length >= 4);
    expect(values.length).to.be.greaterThan(0);
    const shown = everything.map((t) => [...t.updates, ...t.whispers].map(renderText).join("\n") + JSON.stringify(t.updates)).join("\n");
    const logged = h.logText();
    for (const v of values) {
      expect(shown.includes(v), "a secret value reached a reply").to.equal(false);
      expect(logged.includes(v), "a secret value reached the log").to.equal(false);
      expect(logged.includes(Buffer.from(v).toString("base64")), "a base64 secret value reached the log").to.equal(false);
    }
  });

  it("roles: a viewer cannot up; a non-owner without reviewlab:down cannot down", async () => {
    const viewer = await run(h, "/reviewlab up my-branch", { user: "UVIEWER" });
    expect(viewer.final).to.equal(undefined);
    expect(viewer.whispers[0]!.summary).to.match(/reviewlab:up/);
    const other = await run(h, "/reviewlab down my-branch", LABUSER);
    expect(other.whispers[0]?.summary).to.match(/belongs to @UDEPLOYER.*reviewlab:down/);
    expect(labNamespaceObj(h, "review-lab-my-branch")).to.not.equal(undefined);
  });

  it("limits: refuses past the per-user and total maximum, listing the caller's labs", async () => {
    const cfg = h.config.reviewlab!;
    cfg.maxPerUser = 1;
    try {
      const t = await run(h, "/reviewlab up feature/faster-unicorn");
      expect(t.final?.tone).to.equal("error");
      expect(t.text).to.include("at most 1 per person");
      expect(t.text).to.include("`my-branch`");
      expect(t.text).to.include("/reviewlab down");
      cfg.maxPerUser = 3;
      cfg.maxTotal = 1;
      const total = await run(h, "/reviewlab up feature/faster-unicorn", LABUSER);
      expect(total.text).to.include("at most 1 in total");
    } finally {
      cfg.maxPerUser = 3;
      cfg.maxTotal = 20;
    }
  });

  it("limits: two ups at once cannot both pass the per-user limit", async () => {
    const cfg = h.config.reviewlab!;
    const racer = { user: "ULABUSER2" };
    pushCommit(h, "race-a", "one");
    pushCommit(h, "race-b", "one");
    cfg.maxPerUser = 1;
    try {
      const both = await Promise.all([run(h, "/reviewlab up race-a", racer), run(h, "/reviewlab up race-b", racer)]);
      const tones = both.map((t) => t.final?.tone).sort();
      expect(tones, both.map((t) => t.text).join("\n---\n")).to.deep.equal(["error", "success"]);
      const refused = both.find((t) => t.final?.tone === "error")!;
      expect(refused.text).to.include("at most 1 per person");
      expect(refused.text).not.to.include("Could not bring up");
      const mine = (await run(h, "/reviewlab list --mine", racer)).text;
      expect(mine).to.include("1 review lab of yours");
    } finally {
      cfg.maxPerUser = 3;
    }
    for (const b of ["race-a", "race-b"]) if (labNamespaceObj(h, labNamespace(b))) expect((await run(h, `/reviewlab down ${b}`, racer)).final?.tone).to.equal("success");
  });

  it("down: deletes the namespace, waits until it is gone and marks the GitHub deployment inactive", async () => {
    const t = await run(h, "/reviewlab down PR4816");
    expect(t.final?.tone, t.text).to.equal("success");
    expect(labNamespaceObj(h, "review-lab-my-branch")).to.equal(undefined);
    const store = h.sandbox.github.store;
    for (const d of store.deployments(REPO).filter((x) => x.environment === "review-lab/my-branch")) {
      expect(store.deploymentState(REPO, d.id)).to.equal("inactive");
    }
    const again = await run(h, "/reviewlab down my-branch");
    expect(again.text).to.include("There is no review lab for `my-branch`");
  });

  it("a branch name cannot inject YAML; Tugboat's own templates serve a repo without any; an owner removes their lab without reviewlab:down", async () => {
    const evil = 'x"\n  kind: ClusterRole';
    const store = h.sandbox.github.store;
    const sha = pushCommit(h, evil, "evil");
    for (const f of ["configmap.yaml", "unicorn.yaml", "unicorn-api.yaml"]) store.removeFile(REPO, sha, `config/kubernetes/review-lab/${f}`);
    store.addPull(REPO, { number: 4900, title: "evil", head: evil, sha, user: "mallory" });
    const t = await run(h, "/reviewlab up PR4900", LABUSER);
    expect(t.final?.tone, t.text).to.equal("success");
    expect(t.text).to.include("templates from Tugboat's config/kubernetes/review-lab");
    const ns = labNamespace(evil);
    expect(ns).to.match(/^review-lab-x-kind-clusterrole-[0-9a-f]{8}$/);
    const cm = staging(h).getObject("v1", "ConfigMap", ns, "review-lab-config");
    expect(cm.data.BRANCH).to.equal(evil);
    expect(Object.keys(cm.data)).to.deep.equal(["BRANCH", "GIT_SHA", "PULL_REQUEST", "REVIEW_LAB_HOST", "REVIEW_LAB_OWNER"]);
    expect(cm.kind).to.equal("ConfigMap");
    expect(staging(h).getObject("apps/v1", "Deployment", ns, "unicorn").spec.template.spec.containers[0].image).to.equal(`registry.example.com/github:${sha}`);
    expect(labNamespaceObj(h, ns).metadata.annotations["tugboat.dev/branch"]).to.equal(evil);

    const notOwner = await run(h, "/reviewlab down PR4900", { user: "ULABUSER2" });
    expect(notOwner.whispers[0]?.summary).to.match(/belongs to @ULABUSER.*reviewlab:down/);
    const byOwner = await run(h, "/reviewlab down PR4900", LABUSER);
    expect(byOwner.final?.tone, byOwner.text).to.equal("success");
    expect(labNamespaceObj(h, ns)).to.equal(undefined);
  });

  it("refuses templates that create cluster-scoped objects or objects in other namespaces, naming the object", async () => {
    const store = h.sandbox.github.store;
    const sha = pushCommit(h, "sneaky", "one");
    store.setFile(REPO, sha, "config/kubernetes/review-lab/extra.yaml", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: owned\n");
    const t = await run(h, "/reviewlab up sneaky");
    expect(t.final?.tone).to.equal("error");
    expect(t.text).to.include("Namespace owned: Namespace is cluster-scoped");
    const sha2 = pushCommit(h, "sneaky", "two");
    store.setFile(REPO, sha2, "config/kubernetes/review-lab/extra.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  namespace: github-staging\n");
    const t2 = await run(h, "/reviewlab up sneaky");
    expect(t2.text).to.include("ConfigMap x: names namespace github-staging; review labs may only change objects in review-lab-sneaky");
    expect(labNamespaceObj(h, labNamespace("sneaky"))).to.equal(undefined);
  });

  it("a failure in the middle of up is reported clearly, and down removes everything", async () => {
    // One 500 is retried by the port's retry policy; one that persists fails the apply.
    staging(h).faults.add({ verb: "patch", resource: "services", status: 500 });
    try {
      const t = await run(h, "/reviewlab up my-branch");
      expect(t.final?.tone).to.equal("error");
      expect(t.text).to.match(/Could not bring up the review lab for `my-branch`: Service review-lab-my-branch\/unicorn(-api)?: .*/);
      expect(t.text).to.match(/\d+ of 8 objects were applied; remove them with `\/reviewlab down my-branch`/);
      const dep = h.sandbox.github.store.deployments(REPO).filter((x) => x.environment === "review-lab/my-branch").at(-1)!;
      expect(h.sandbox.github.store.deploymentState(REPO, dep.id)).to.equal("failure");
    } finally {
      staging(h).faults.clear();
    }
    const down = await run(h, "/reviewlab down my-branch");
    expect(down.final?.tone, down.text).to.equal("success");
    expect(labNamespaceObj(h, "review-lab-my-branch")).to.equal(undefined);
    expect(staging(h).listObjects("apps/v1", "Deployment", "review-lab-my-branch")).to.have.length(0);
  });

  it("an API failure (Kubernetes unreachable) is one clear line, not an internal error", async () => {
    staging(h).faults.add({ verb: "get", resource: "namespaces", status: 503, count: 20 });
    try {
      const t = await run(h, "/reviewlab down my-branch");
      expect(t.final?.tone).to.equal("error");
      expect(t.text).not.to.include("Internal error");
      expect(t.text).to.match(/^\/reviewlab down failed: the API could not be reached \(.+\)\.$/m);
    } finally {
      staging(h).faults.clear();
    }
  });

  it("a lab that does not become ready names the failing pods and says how to remove it", async () => {
    h.config.reviewlab!.readyTimeoutSeconds = 1;
    try {
      const gated = await run(h, "/reviewlab up broken-build");
      expect(gated.text).to.match(/is not ready: `ci\/image` is failure/);
      const t = await run(h, "/reviewlab up broken-build --force", { user: "UADMIN" });
      expect(t.final?.tone).to.equal("error");
      expect(t.text).to.match(/unicorn(-api)?-[a-z0-9-]+ \(unicorn(-api)?\): (ImagePullBackOff|ErrImagePull)/);
      expect(t.text).to.include("left in place for inspection");
      expect(t.text).to.include("/reviewlab down broken-build");
      expect(labNamespaceObj(h, "review-lab-broken-build")).to.not.equal(undefined);
    } finally {
      h.config.reviewlab!.readyTimeoutSeconds = 120;
    }
    expect((await run(h, "/reviewlab down broken-build", { user: "UADMIN" })).final?.tone).to.equal("success");
  });

  it("every bad input gets a one-line reason and the usage, only for the caller", async () => {
    const cases: Array<[string, RegExp]> = [
      ["/reviewlab up", /name a branch or a PR/],
      ["/reviewlab up a..b", /is not a PR/],
      ["/reviewlab up my-branch nosuchapp", /unknown app "nosuchapp"/],
      ["/reviewlab up my-branch github extra", /too many arguments/],
      ["/reviewlab up my-branch --bogus", /unknown flag --bogus/],
      ["/reviewlab down", /name a branch or a PR/],
      ["/reviewlab down a b", /too many arguments/],
      ["/reviewlab list everything", /unexpected argument/],
      ["/reviewlab extend my-branch", /how long to extend/],
      ["/reviewlab extend my-branch 2x", /DURATION must look like/],
      ["/reviewlab extend my-branch 0h", /longer than 0/],
      ["/reviewlab frobnicate", /unknown subcommand "frobnicate"/],
    ];
    for (const [line, reason] of cases) {
      const t = await run(h, line);
      expect(t.final, line).to.equal(undefined);
      expect(t.whispers, line).to.have.length(1);
      const w = t.whispers[0]!;
      expect(w.summary, line).to.match(reason);
      expect(w.summary.includes("\n"), line).to.equal(false);
      expect(renderText(w), line).to.match(/Usage: |\/reviewlab (up|down|list|extend)/);
    }
    const unknown = await run(h, "/reviewlab up no-such-branch");
    expect(unknown.text).to.include('branch "no-such-branch" was not found');
    const merged = await run(h, "/reviewlab up PR4815");
    expect(merged.final?.tone).to.equal("error");
  });

  describe("the reaper", () => {
    let h2: Harness;
    const configure = (c: TugboatConfig) => {
      c.reviewlab!.reaper.channel = "CREAPER";
    };
    before(async () => {
      h2 = await startHarness({ sandbox: h.sandbox, instanceId: "bot-2", clock, configure });
    });
    after(async () => h2?.stop());

    let leader: Harness;
    let follower: Harness;

    it("removes expired labs; of two bot instances only the Lease holder reaps, and it reports once", async () => {
      const up = await run(h, "/reviewlab up my-branch");
      expect(up.final?.tone, up.text).to.equal("success");
      clock.advance(73 * 3600_000);
      const [r1, r2] = await Promise.all([reapOnce(h.app.services, silentLogger), reapOnce(h2.app.services, silentLogger)]);
      expect([r1.leader, r2.leader].sort()).to.deep.equal([false, true]);
      [leader, follower] = r1.leader ? [h, h2] : [h2, h];
      const won = r1.leader ? r1 : r2;
      const lost = r1.leader ? r2 : r1;
      expect(won.reaped.map((r) => r.lab.branch)).to.deep.equal(["my-branch"]);
      expect(won.reaped[0]!.reason).to.match(/^expired 6\dm ago$/);
      expect(lost.reaped).to.have.length(0);
      expect(lost.heldBy).to.equal(leader.app.services.instanceId);
      const notices = [...h.notices, ...h2.notices];
      expect(notices).to.have.length(1);
      expect(notices[0]!.channel).to.equal("CREAPER");
      expect(renderText(notices[0]!.reply)).to.match(/removed 1 lab[\s\S]*`my-branch` \(review-lab-my-branch, owner @UDEPLOYER\): expired/);
      await until("the namespace to go", () => labNamespaceObj(h, "review-lab-my-branch") === undefined);
      const store = h.sandbox.github.store;
      for (const d of store.deployments(REPO).filter((x) => x.environment === "review-lab/my-branch")) {
        expect(store.deploymentState(REPO, d.id)).to.equal("inactive");
      }
      const lease = await reaperLock(h.app.services)!.read(clock.now());
      expect(lease?.holder).to.equal(leader.app.services.instanceId);

      // Safe to run again: nothing left to do, and the follower stays a follower.
      const again = await reapOnce(leader.app.services, silentLogger);
      expect(again).to.deep.include({ leader: true, reaped: [], failures: [] });
      expect((await reapOnce(follower.app.services, silentLogger)).leader).to.equal(false);
      expect([...h.notices, ...h2.notices]).to.have.length(1);
    });

    it("removes labs whose PR was closed or merged, and keeps the others", async () => {
      const store = h.sandbox.github.store;
      const now = clock.now();
      const later = new Date(now.getTime() + 24 * 3600_000);
      const lab = (branch: string, pr: number) =>
        labNamespaceObject({
          namespace: labNamespace(branch), slug: labSlug(branch), app: "github", branch, sha: "eed486a1e3c237947f6d05a688220f3d3d81f035", pr,
          owner: "UDEPLOYER", createdAt: now, updatedAt: now, expiresAt: later, url: `https://${labSlug(branch)}.review-lab.example.com`,
        });
      staging(h).putObject(lab("feature/faster-unicorn", 4812));
      staging(h).putObject(lab("pending-build", 4814));
      store.setPullState(REPO, 4812, "closed", true);
      try {
        const r = await reapOnce(leader.app.services, silentLogger);
        expect(r.reaped.map((x) => [x.lab.branch, x.reason])).to.deep.equal([["feature/faster-unicorn", "PR #4812 was merged"]]);
        await until("the namespace to go", () => labNamespaceObj(h, labNamespace("feature/faster-unicorn")) === undefined);
        expect(labNamespaceObj(h, labNamespace("pending-build"))).to.not.equal(undefined);
      } finally {
        store.setPullState(REPO, 4812, "open");
      }
    });

    it("keeps a lab that was extended (or brought up again) after the pass listed it as expired", async () => {
      const now = clock.now();
      const branch = "late-extend";
      staging(h).putObject(
        labNamespaceObject({
          namespace: labNamespace(branch), slug: labSlug(branch), app: "github", branch, sha: "eed486a1e3c237947f6d05a688220f3d3d81f035",
          owner: "UDEPLOYER", createdAt: new Date(now.getTime() - 80 * 3600_000), updatedAt: new Date(now.getTime() - 80 * 3600_000),
          expiresAt: new Date(now.getTime() - 8 * 3600_000), url: "https://late-extend.review-lab.example.com",
        }),
      );
      const cluster = leader.kube.cluster("staging");
      const realList = cluster.list.bind(cluster);
      // Someone runs `/reviewlab extend late-extend 1d` right after the reaper listed the labs.
      (cluster as any).list = async (...a: Parameters<typeof cluster.list>) => {
        const listed = await realList(...a);
        if (a[1]?.labelSelector === "tugboat.dev/review-lab=true") {
          const ns = labNamespaceObj(h, labNamespace(branch));
          const later = new Date(now.getTime() + 24 * 3600_000);
          ns.metadata.annotations["tugboat.dev/expires-at"] = later.toISOString();
          ns.metadata.labels["tugboat.dev/expires"] = String(Math.floor(later.getTime() / 1000));
          staging(h).putObject(ns);
        }
        return listed;
      };
      try {
        const r = await reapOnce(leader.app.services, silentLogger);
        expect(r.leader).to.equal(true);
        expect(r.reaped.map((x) => x.lab.branch)).not.to.include(branch);
        expect(labNamespaceObj(h, labNamespace(branch))?.metadata.deletionTimestamp).to.equal(undefined);
        expect(labNamespaceObj(h, labNamespace(branch))).to.not.equal(undefined);
      } finally {
        (cluster as any).list = realList;
      }
      expect((await run(h, `/reviewlab down ${branch}`)).final?.tone).to.equal("success");
    });

    it("runs at startup as the family's background task, and hands the Lease over when stopped", async () => {
      // A day later the pending-build lab has expired, and so has the lease of a leader that stopped renewing.
      clock.advance(25 * 3600_000);
      const h3 = await startHarness({ sandbox: h.sandbox, instanceId: "bot-3", clock, configure, background: true });
      try {
        await until("the startup pass to report", () => h3.notices.length > 0);
        expect(renderText(h3.notices[0]!.reply)).to.include("`pending-build`");
        await until("the namespace to go", () => labNamespaceObj(h, labNamespace("pending-build")) === undefined);
        expect((await reaperLock(h.app.services)!.read(clock.now()))?.holder).to.equal("bot-3");
      } finally {
        await h3.stop();
      }
      expect(await reaperLock(h.app.services)!.read(clock.now())).to.equal(undefined);
    });
  });
});
