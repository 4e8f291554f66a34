import { expect } from "chai";
import { startHarness, type Harness } from "../../helpers/harness.js";
import { systemClock } from "../../../src/core/services.js";
import { silentLogger } from "../../../src/core/logger.js";
import { DeniedError } from "../../../src/core/errors.js";
import { bringUpLab, type LabUpEvent } from "../../../src/domain/reviewlab/bring-up-lab.js";
import { removeLab, type LabDownEvent } from "../../../src/domain/reviewlab/tear-down-lab.js";
import { extendLab } from "../../../src/domain/reviewlab/extend-lab.js";
import type { LabDeps } from "../../../src/domain/reviewlab/lab-use-case.js";
import { labNamespaceObj, REPO } from "../../commands/reviewlab/helpers.js";

// The review-lab use cases run with no chat at all, as a pull-request webhook will run them: inputs and gateways in,
// events out. Nothing goes through the router (no audit entry is written by it).

/** The event types in order, a run of one type (progress) counted once. */
function kinds(events: Array<{ type: string }>): string[] {
  return events.map((e) => e.type).filter((t, i, all) => i === 0 || all[i - 1] !== t);
}

describe("review-lab use cases without a chat (sandbox)", function () {
  this.timeout(30_000);
  let h: Harness;
  const facts: Array<Record<string, unknown>> = [];
  const deps = (): LabDeps => ({
    config: h.config,
    kube: h.kube,
    github: h.github,
    clock: systemClock,
    log: silentLogger,
    audit: (f) => void facts.push(f),
    instanceId: "webhook-test",
  });
  const bot = { actorId: "UWEBHOOK", requestId: "delivery-1" };

  before(async () => {
    h = await startHarness();
  });
  after(async () => h?.stop());

  it("brings a PR's lab up at its head sha and removes it, emitting events in order", async () => {
    const head = (await h.github.getPull(REPO, 4816)).headSha;
    const up: LabUpEvent[] = [];
    const outcome = await bringUpLab({ ...bot, target: { kind: "pr", number: 4816 }, app: "github", sha: head, force: false }, deps(), (e) => void up.push(e));
    expect(outcome.type, JSON.stringify(outcome)).to.equal("ready");
    expect(kinds(up)).to.deep.equal(["resolved", "rendered", "applying", "applied", "rollout-progress", "ready"]);
    expect(up.at(-1)).to.equal(outcome);
    if (outcome.type !== "ready") return;
    expect(outcome).to.include({ branch: "my-branch", namespace: "review-lab-my-branch", sha: head, url: "https://my-branch.review-lab.example.com" });
    expect(outcome.pr?.number).to.equal(4816);
    // Progress counts up to every object, and to every Deployment available.
    const applying = up.filter((e): e is Extract<LabUpEvent, { type: "applying" }> => e.type === "applying");
    expect(applying.map((e) => e.applied)).to.deep.equal([...Array(outcome.objects.length + 1).keys()]);
    expect(up.filter((e) => e.type === "rollout-progress").at(-1)).to.deep.equal({ type: "rollout-progress", available: outcome.deployments, total: outcome.deployments });
    expect(labNamespaceObj(h, "review-lab-my-branch").metadata.annotations).to.include({ "tugboat.dev/owner": "UWEBHOOK", "tugboat.dev/sha": head });
    expect(facts).to.deep.include({ namespace: "review-lab-my-branch", objects: outcome.objects.length, updated: false });

    const extended = await extendLab({ ...bot, target: { kind: "branch", name: "my-branch" }, bySeconds: 3600 }, deps(), () => {});
    expect(extended.type).to.equal("extended");

    const down: LabDownEvent[] = [];
    const removed = await removeLab({ ...bot, target: { kind: "pr", number: 4816 }, app: "github", mayRemoveOthers: async () => false }, deps(), (e) => void down.push(e));
    expect(removed.type).to.equal("removed");
    expect(kinds(down)).to.deep.equal(["found", "deleted", "removed"]);
    expect(down[0]).to.deep.include({ branch: "my-branch", owner: "UWEBHOOK", as: "owner" });
    expect(labNamespaceObj(h, "review-lab-my-branch")).to.equal(undefined);
    expect(h.audit, "nothing went through the router").to.deep.equal([]);
  });

  it("does nothing for a sha the PR has moved on from, bounds the time to live, and refuses to remove someone else's lab without the right", async () => {
    const up: LabUpEvent[] = [];
    const stale = "0".repeat(40);
    const outcome = await bringUpLab({ ...bot, target: { kind: "pr", number: 4816 }, app: "github", sha: stale, force: false }, deps(), (e) => void up.push(e));
    expect(up.map((e) => e.type)).to.deep.equal(["superseded"]);
    expect(outcome).to.deep.include({ type: "superseded", branch: "my-branch", sha: stale });
    expect(labNamespaceObj(h, "review-lab-my-branch")).to.equal(undefined);

    for (const ttlHours of [0, -1, Number.NaN, 10_000]) {
      const refused = await bringUpLab({ ...bot, target: { kind: "branch", name: "my-branch" }, app: "github", force: false, ttlHours }, deps(), () => {});
      expect(refused.type === "refused" && refused.error.message, String(ttlHours)).to.match(/^A review lab's time to live must be more than 0 and at most 168 h/);
    }
    const ready = await bringUpLab({ ...bot, target: { kind: "branch", name: "my-branch" }, app: "github", force: false, ttlHours: 2 }, deps(), () => {});
    expect(ready.type).to.equal("ready");
    if (ready.type === "ready") expect(ready.expiresAt.getTime() - ready.finishedAt.getTime()).to.be.within(0, 2 * 3600_000);
    const down: LabDownEvent[] = [];
    const refused = await removeLab({ ...bot, actorId: "USOMEONE", target: { kind: "branch", name: "my-branch" }, mayRemoveOthers: async () => false }, deps(), (e) => void down.push(e));
    expect(down.map((e) => e.type)).to.deep.equal(["refused"]);
    expect(refused.type === "refused" && refused.error).to.be.instanceOf(DeniedError);
    expect(labNamespaceObj(h, "review-lab-my-branch")).to.not.equal(undefined);
    const removed = await removeLab({ ...bot, actorId: "USOMEONE", target: { kind: "branch", name: "my-branch" }, mayRemoveOthers: async () => true }, deps(), () => {});
    expect(removed.type).to.equal("removed");
  });
});
