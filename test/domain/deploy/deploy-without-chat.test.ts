import { expect } from "chai";
import { startHarness, type Harness } from "../../helpers/harness.js";
import { systemClock } from "../../../src/core/services.js";
import { silentLogger } from "../../../src/core/logger.js";
import { deploy, type DeployDeps, type DeployInput } from "../../../src/domain/deploy/deploy-use-case.js";
import type { DeployEvent, DeployRun } from "../../../src/domain/deploy/deploy-events.js";
import type { PlanPreview } from "../../../src/domain/deploy/preview-plan.js";
import { takeManualLock, removeLock } from "../../../src/domain/deploy/deploy-lock.js";
import { promoteCanary } from "../../../src/domain/deploy/promote-canary.js";
import { abortCanary, type AbortCanaryEvent } from "../../../src/domain/deploy/abort-canary.js";
import { rollbackEnvironment, type RollbackEvent } from "../../../src/domain/deploy/rollback-use-case.js";
import { IMAGE, SHAS, appImages, githubDeployments } from "../../commands/deploy/helpers.js";

// The deploy use case with no chat at all, as a webhook or a button runs it: inputs and gateways in, events out,
// confirmation and the seams (freeze, approvals, a busy lock) supplied as plain functions.

/** The event types in order, a run of one type (progress) counted once. */
function kinds(events: DeployEvent[]): string[] {
  return events.map((e) => e.type).filter((t, i, all) => i === 0 || all[i - 1] !== t);
}

describe("deploy use case without a chat (sandbox)", function () {
  this.timeout(30_000);
  let h: Harness;
  let events: DeployEvent[];
  let facts: Array<Record<string, unknown>>;
  const deps = (extra: Partial<DeployDeps> = {}): DeployDeps => ({
    config: h.config,
    kube: h.kube,
    github: h.github,
    clock: systemClock,
    log: silentLogger,
    audit: (f) => void facts.push(f),
    emit: (e) => void events.push(e),
    instanceId: "webhook-test",
    signal: new AbortController().signal,
    confirm: async () => {
      throw new Error("no confirmation expected");
    },
    ...extra,
  });
  const input = (env: string, extra: Partial<DeployInput> = {}): DeployInput => ({
    app: "github",
    env,
    target: { kind: "pr", number: 4812 },
    actor: "UWEBHOOK",
    channel: "CDEPLOYS",
    requestId: "delivery-1",
    dryRun: false,
    force: false,
    ...extra,
  });

  beforeEach(async () => {
    // Production keeps a two-person rule: the use case refuses it to a caller that cannot collect approvals.
    h = await startHarness({ configure: (c) => void (c.environments.production!.approvals = { required: 1, from: ["admin"], allowSelf: false, timeoutMinutes: 30 }) });
    events = [];
    facts = [];
  });
  afterEach(async () => h?.stop());

  it("deploys a PR to staging, emitting events in order, and nothing goes through the router", async () => {
    const outcome = await deploy(input("staging"), deps());
    expect(outcome, JSON.stringify(events.at(-1))).to.equal("success");
    expect(kinds(events)).to.deep.equal(["resolving", "resolved", "planned", "lock-taken", "applying", "github-deployment-created", "rollout-progress", "succeeded"]);
    const done = events.at(-1) as Extract<DeployEvent, { type: "succeeded" }>;
    expect(done.run.title).to.equal("Deploy PR #4812 (eed486a) to github staging");
    expect(done.run.deploymentId).to.equal(githubDeployments(h, "staging")[0].id);
    // Every Deployment of the rendered manifests is followed to the end.
    expect(done.progress.map((p) => p.name)).to.include.members(["unicorn", "unicorn-api"]);
    expect(done.followed).to.equal(done.progress.length);
    expect(done.progress.every((p) => p.phase === "done")).to.equal(true);
    expect(appImages(h, "staging", "github-staging")).to.deep.equal({ unicorn: `${IMAGE}:${SHAS.pr4812}`, "unicorn-api": `${IMAGE}:${SHAS.pr4812}` });
    expect(facts).to.deep.include({ sha: SHAS.pr4812, pr: 4812 });
    expect(facts).to.deep.include({ result: "success" });
    expect(h.audit, "nothing went through the router").to.deep.equal([]);
  });

  it("is driven by a fake confirm: a no changes nothing, a yes deploys what was shown", async () => {
    const asked: Array<{ run: DeployRun; preview: PlanPreview }> = [];
    const before = appImages(h, "production", "github-production");
    const no = await deploy(input("production"), deps({ confirm: async (run, preview) => (asked.push({ run, preview }), false) }));
    expect(no).to.equal("cancelled");
    expect(kinds(events)).to.deep.equal(["resolving", "resolved", "planned", "awaiting-confirmation", "cancelled"]);
    expect(asked).to.have.length(1);
    expect(asked[0]!.run.title).to.equal("Deploy PR #4812 (eed486a) to github production");
    expect(asked[0]!.preview.objects.filter((o) => o.action === "change").map((o) => o.name)).to.include.members(["unicorn", "unicorn-api"]);
    expect(appImages(h, "production", "github-production")).to.deep.equal(before);
    expect(githubDeployments(h, "production")).to.have.length(0);

    events = [];
    // A caller without an approvals step is refused where approvals are wanted.
    const unapproved = await deploy(input("production"), deps({ confirm: async () => true }));
    expect(unapproved).to.equal("rejected");
    expect(events.at(-1)).to.deep.include({ type: "rejected", reason: "production needs approvals, and this deploy was started where none can be collected" });
    expect(githubDeployments(h, "production")).to.have.length(0);

    events = [];
    const yes = await deploy(input("production"), deps({ confirm: async () => true, steps: { approvals: async () => ({ approved: true }) } }));
    expect(yes).to.equal("success");
    expect(kinds(events).slice(0, 5)).to.deep.equal(["resolving", "resolved", "planned", "awaiting-confirmation", "lock-taken"]);
    expect(appImages(h, "production", "github-production").unicorn).to.equal(`${IMAGE}:${SHAS.pr4812}`);
  });

  it("stops at the seams: a freeze before planning, a rejected approval before the lock", async () => {
    const frozen = await deploy(input("staging"), deps({ steps: { freeze: async ({ env }) => ({ reason: `${env.env} is frozen until 18:00 UTC: release week` }) } }));
    expect(frozen).to.equal("frozen");
    expect(kinds(events)).to.deep.equal(["resolving", "resolved", "frozen"]);
    expect(events.at(-1)).to.deep.include({ reason: "staging is frozen until 18:00 UTC: release week" });

    events = [];
    let approvalsAskedFor: string | undefined;
    const approvals = async (run: DeployRun) => ((approvalsAskedFor = run.title), { approved: false as const, reason: "rejected by UAPPROVER" });
    const rejected = await deploy(input("production"), deps({ confirm: async () => true, steps: { approvals } }));
    expect(rejected).to.equal("rejected");
    expect(approvalsAskedFor).to.equal("Deploy PR #4812 (eed486a) to github production");
    expect(kinds(events)).to.deep.equal(["resolving", "resolved", "planned", "awaiting-confirmation", "rejected"]);
    expect(githubDeployments(h)).to.have.length(0);
    expect(appImages(h, "staging", "github-staging").unicorn).to.not.equal(`${IMAGE}:${SHAS.pr4812}`);
  });

  it("asks lockBusy when someone else holds the lock: refuse ends it, retry (their turn came) deploys", async () => {
    const cluster = h.kube.cluster("staging");
    const now = systemClock.now();
    const lock = await takeManualLock(cluster, "github-staging", "tugboat-lock-github-staging", "UOTHER", "investigating", now);
    expect(lock.acquired).to.equal(true);
    const busyHolders: Array<string | undefined> = [];
    const refused = await deploy(input("staging"), deps({ steps: { lockBusy: async ({ holder }) => (busyHolders.push(holder.owner), "refuse") } }));
    expect(refused).to.equal("locked");
    expect(busyHolders).to.deep.equal(["UOTHER"]);
    expect(kinds(events)).to.deep.equal(["resolving", "resolved", "locked"]);

    events = [];
    const queued = await deploy(
      input("staging"),
      deps({
        steps: {
          // A queue would wait for the holder to finish; here the holder unlocks at once.
          lockBusy: async () => (await removeLock(cluster, "github-staging", "tugboat-lock-github-staging", systemClock.now()), "retry"),
        },
      }),
    );
    expect(queued, JSON.stringify(events.at(-1))).to.equal("success");
    expect(kinds(events)).to.include("lock-taken");
  });

  it("starts a canary, promotes it domain to domain (the canary removed inside the lock), and abort then finds none", async () => {
    const canaries = () => h.sandbox.clusters.production!.listObjects("apps/v1", "Deployment", "github-production").filter((d) => d.metadata.labels?.track === "canary");
    const started = await deploy(input("canary"), deps());
    expect(started, JSON.stringify(events.at(-1))).to.equal("success");
    expect(canaries().map((d) => d.metadata.name)).to.have.members(["unicorn-canary", "unicorn-api-canary"]);

    events = [];
    const asked: string[] = [];
    const promoted = await promoteCanary(
      { app: "github", actor: "UWEBHOOK", channel: "CDEPLOYS", requestId: "delivery-2", force: false },
      deps({ confirm: async (run) => (asked.push(run.title), true), steps: { approvals: async () => ({ approved: true }) } }),
    );
    expect(promoted, JSON.stringify(events.at(-1))).to.equal("success");
    expect(asked).to.deep.equal(["Promote canary PR #4812 (eed486a) to github production"]);
    const done = events.at(-1) as Extract<DeployEvent, { type: "succeeded" }>;
    expect(done.note).to.match(/^Removed the canary \((unicorn-canary, unicorn-api-canary|unicorn-api-canary, unicorn-canary)\)\.$/);
    expect(canaries()).to.deep.equal([]);
    expect(appImages(h, "production", "github-production").unicorn).to.equal(`${IMAGE}:${SHAS.pr4812}`);

    const aborted: AbortCanaryEvent[] = [];
    await abortCanary({ app: "github", actor: "UWEBHOOK" }, { ...deps(), emit: (e) => void aborted.push(e) });
    expect(aborted.map((e) => e.type)).to.deep.equal(["no-canary"]);
  });

  it("rolls staging back with no chat: the previous revision, its events in order, the lock released", async () => {
    const before = appImages(h, "staging", "github-staging");
    expect(await deploy(input("staging"), deps())).to.equal("success");
    const rolled: RollbackEvent[] = [];
    const outcome = await rollbackEnvironment(
      { app: "github", env: "staging", actor: "UWEBHOOK", channel: "CDEPLOYS", requestId: "delivery-3" },
      { ...deps(), emit: (e) => void rolled.push(e), confirm: async () => false },
    );
    expect(outcome, JSON.stringify(rolled.at(-1))).to.equal("success");
    expect(rolled.map((e) => e.type).filter((t, i, all) => i === 0 || all[i - 1] !== t)).to.deep.equal(["reading", "planned", "github-deployment-created", "rollout-progress", "succeeded"]);
    const planned = rolled.find((e): e is Extract<RollbackEvent, { type: "planned" }> => e.type === "planned")!;
    expect(planned.plan.steps.map((p) => p.name)).to.include.members(["unicorn", "unicorn-api"]);
    expect(appImages(h, "staging", "github-staging")).to.deep.equal(before);
    expect(h.sandbox.clusters.staging!.getObject("coordination.k8s.io/v1", "Lease", "github-staging", "tugboat-lock-github-staging")).to.equal(undefined);
  });
});
