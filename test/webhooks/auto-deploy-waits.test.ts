import { expect } from "chai";
import { until } from "../commands/reviewlab/helpers.js";
import { latestState, type Harness } from "../helpers/harness.js";
import { ManualClock } from "../helpers/manual-clock.js";
import { updateQueue } from "../../src/domain/deploy-queue/queue-store.js";
import { coordinationOf } from "../../src/domain/replicas/coordination.js";
import { FREEZE_RECHECK_MS } from "../../src/webhooks/auto-deploy-waits.js";
import { R, startWebhookHarness, type WebhookHarness } from "./helpers.js";

// Deploy on merge's waits, through signed deliveries from the sandbox's GitHub on a manual clock: the image's
// deadline (autoDeploy.imageTimeoutMinutes) and a merge during a freeze or a live queue turn, queued until it ends
// (duringFreeze: queue), the freeze and queue Leases followed so a change ends the wait with no time passing.

const REPO = "octo/github";

describe("deploy on merge: the image deadline and a merge queued behind a freeze", function () {
  this.timeout(60_000);
  let w: WebhookHarness;
  let h: Harness;
  let clock: ManualClock;

  async function start(auto: { imageTimeoutMinutes?: number; duringFreeze?: "refuse" | "queue" }): Promise<void> {
    clock = new ManualClock(Date.now());
    w = await startWebhookHarness({
      clock,
      configure: (c) => void (c.apps.github!.autoDeploy = { branch: "main", environments: ["staging"], imageTimeoutMinutes: auto.imageTimeoutMinutes ?? 60, duringFreeze: auto.duringFreeze ?? "refuse" }),
    });
    h = w.h;
  }
  afterEach(async () => w.stop());

  // Each message as it stands now (a deploy's message is updated in place).
  const channelText = () => h.notices.map((n) => `${n.channel} ${latestState(n).summary}`).join("\n");
  const deployedState = (sha: string) => {
    const d = h.sandbox.github.store.deployments(REPO).find((x) => x.environment === "staging" && x.sha === sha);
    return d ? h.sandbox.github.store.deploymentState(REPO, d.id) : undefined;
  };
  const pushToMain = async (path: string) =>
    (await w.octokit.repos.createOrUpdateFileContents({ ...R, path, branch: "main", message: `Add ${path}`, content: Buffer.from(path).toString("base64") })).data.commit.sha!;

  it("a head whose image never turns green is given up after imageTimeoutMinutes, in one line in the channel", async () => {
    await start({ imageTimeoutMinutes: 5 });
    h.sandbox.github.ci!.delayMs = 24 * 60 * 60_000; // CI never finishes within the test
    const sha = await pushToMain("slow.txt");
    await until("the image deadline to start", () => clock.pending().includes(5 * 60_000), 10_000);
    clock.advance(5 * 60_000 - 1);
    await new Promise((r) => setTimeout(r, 100));
    expect(channelText()).to.not.match(/never turned green/);
    clock.advance(1);
    await until("the deadline's line in the channel", () => /never turned green/.test(channelText()), 10_000);
    const lines = h.notices.filter((n) => /never turned green/.test(String(n.reply.summary)));
    expect(lines).to.have.length(1);
    expect(lines[0]!.channel).to.equal("CDEPLOYS");
    expect(String(lines[0]!.reply.summary)).to.include(sha.slice(0, 7)).and.include("within 5 min").and.include("ci/image pending").and.include("nothing was deployed");
    expect(deployedState(sha)).to.equal(undefined);
  });

  it("a head superseded before its deadline says nothing when the deadline passes", async () => {
    await start({ imageTimeoutMinutes: 5 });
    h.sandbox.github.ci!.delayMs = 24 * 60 * 60_000;
    await pushToMain("first.txt");
    await until("the first deadline", () => clock.pending().filter((ms) => ms === 5 * 60_000).length === 1, 10_000);
    await pushToMain("second.txt");
    await until("the second deadline", () => clock.pending().filter((ms) => ms === 5 * 60_000).length === 2, 10_000);
    clock.advance(5 * 60_000);
    await until("one line, for the head", () => /never turned green/.test(channelText()), 10_000);
    await new Promise((r) => setTimeout(r, 200));
    expect(h.notices.filter((n) => /never turned green/.test(String(n.reply.summary)))).to.have.length(1);
  });

  it("duringFreeze: queue: a merge during a freeze says it is queued and deploys once the freeze is lifted", async () => {
    await start({ duringFreeze: "queue" });
    h.sandbox.github.ci!.delayMs = 50;
    const frozen = await h.run("/deploy freeze staging 1h incident review", { user: "UADMIN", channel: "CDEPLOYS" });
    expect(frozen.final?.tone, frozen.text).to.not.equal("error");
    const sha = await pushToMain("queued.txt");
    await until("the queued line in the channel", () => /queued: staging is frozen/.test(channelText()), 20_000);
    expect(channelText()).to.include("incident review");
    expect(deployedState(sha)).to.equal(undefined);
    expect(h.audit.some((e) => e.channel === "github" && e.command.includes("to staging"))).to.equal(false);

    // The freeze Lease is followed: the unfreeze ends the wait at once, with no time passing on the clock.
    const before = clock.now().getTime();
    const lifted = await h.run("/deploy unfreeze staging", { user: "UADMIN", channel: "CDEPLOYS" });
    expect(lifted.final?.tone, lifted.text).to.not.equal("error");
    await until("the staging deploy of the queued merge", () => deployedState(sha) === "success", 15_000);
    expect(channelText()).to.match(/the wait is over, deploying/);
    expect(clock.now().getTime()).to.equal(before);
  });

  it("duringFreeze: queue: a freeze that ends by time alone ends the wait at its end, not a re-check later", async () => {
    await start({ duringFreeze: "queue" });
    h.sandbox.github.ci!.delayMs = 50;
    await h.run("/deploy freeze staging 1m short window", { user: "UADMIN", channel: "CDEPLOYS" });
    const frozenAt = clock.now().getTime();
    clock.advance(20_000);
    const sha = await pushToMain("timed.txt");
    await until("the queued line in the channel", () => /queued: staging is frozen/.test(channelText()), 20_000);
    // The wait wakes when the freeze ends (40 s from now), not at FREEZE_RECHECK_MS.
    await until("the wait until the freeze's end", () => clock.pending().some((ms) => ms > 0 && ms <= 40_000 && ms < FREEZE_RECHECK_MS), 10_000);
    clock.advance(frozenAt + 60_000 - clock.now().getTime());
    await until("the staging deploy of the queued merge", () => deployedState(sha) === "success", 15_000);
    expect(channelText()).to.match(/the wait is over, deploying/);
  });

  it("duringFreeze: queue: a merge behind someone's live turn in the deploy queue deploys as soon as the turn is given up", async () => {
    await start({ duringFreeze: "queue" });
    h.sandbox.github.ci!.delayMs = 50;
    const c = coordinationOf(h.app.services);
    const key = { app: "github", env: "staging" };
    const since = clock.now();
    const turn = { user: "UBOB", env: "staging", target: "PR7", channel: "CDEPLOYS", auto: false, joinedAt: since.toISOString(), since: since.toISOString(), until: new Date(since.getTime() + 30 * 60_000).toISOString() };
    await updateQueue(c, key, () => ({ state: { entries: [], turn }, result: undefined }));
    const sha = await pushToMain("behind-turn.txt");
    await until("the queued line in the channel", () => /queued: it is someone's turn in the staging deploy queue/.test(channelText()), 20_000);
    expect(deployedState(sha)).to.equal(undefined);
    const before = clock.now().getTime();
    await updateQueue(c, key, () => ({ state: { entries: [] }, result: undefined }));
    await until("the staging deploy of the queued merge", () => deployedState(sha) === "success", 15_000);
    expect(clock.now().getTime()).to.equal(before);
  });

  it("duringFreeze: refuse (the default): a merge during a freeze is refused and the channel says so", async () => {
    await start({});
    h.sandbox.github.ci!.delayMs = 50;
    await h.run("/deploy freeze staging 1h incident review", { user: "UADMIN", channel: "CDEPLOYS" });
    const sha = await pushToMain("refused.txt");
    await until("the refused deploy's audit entry", () => h.audit.some((e) => e.channel === "github" && e.command.includes("to staging")), 20_000);
    expect(h.audit.find((e) => e.channel === "github" && e.command.includes("to staging"))).to.deep.include({ outcome: "failure", reason: "frozen" });
    expect(channelText()).to.match(/frozen/i).and.not.match(/queued/);
    expect(deployedState(sha)).to.equal(undefined);
  });
});
