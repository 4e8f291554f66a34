import { expect } from "chai";
import { startHarness, type Harness } from "../../helpers/harness.js";
import { ManualClock, settleOnClock } from "../../helpers/manual-clock.js";
import { plainText } from "../../../src/core/reply.js";
import { handOverAll } from "../../../src/domain/deploy-queue/hand-over.js";
import type { TugboatConfig } from "../../../src/config/schema.js";
import { SHAS, githubDeployments } from "./helpers.js";

// The deploy queue (issue 15 item 3), through the router against the sandbox: `--queue` joins when the environment
// is locked or busy; when the lock frees the next person is mentioned and has `deploy.queue.turnMinutes` to start,
// others are refused meanwhile; a turn that runs out passes on; `--auto` is started by the queue. The queue lives in
// a Lease, so it survives a bot restart, and of two replicas handing over at once exactly one does.

const noticesText = (h: Harness) => h.notices.map((n) => `${n.channel}: ${plainText(n.reply.summary)}`);

const configure = (config: TugboatConfig) => {
  config.bindings.push({ role: "deployer", users: ["UDEPLOYER2", "UDEPLOYER3"], groups: [] });
  config.deploy.queue.turnMinutes = 10;
  config.deploy.queue.maxLength = 3;
};

/** Settles `work` on the manual clock (rollouts, lock renewals), as a command run by a person would be. */
const onClock = <T>(clock: ManualClock, work: Promise<T>) => settleOnClock(clock, work, 60_000);

describe("/deploy … --queue: a deploy queue in Kubernetes", function () {
  this.timeout(120000);
  let first: Harness;
  let second: Harness;
  let clock: ManualClock;
  const queueLease = () => first.sandbox.clusters.staging!.getObject("coordination.k8s.io/v1", "Lease", "default", "tugboat-queue-github-staging");

  beforeEach(async () => {
    clock = new ManualClock(Date.parse("2026-04-01T10:00:00Z"));
    first = await startHarness({ clock, configure, instanceId: "bot-a" });
    second = await startHarness({ clock, configure, instanceId: "bot-b", sandbox: first.sandbox });
  });
  afterEach(async () => {
    await second.stop();
    await first.stop();
  });

  it("a queue of three hands over in order across a bot restart: mention, refusal of others, a turn that runs out, --auto", async () => {
    // Everything up to the restart happens on bot B.
    const b = (text: string, user: string) => second.run(text, { user, channel: "CDEPLOYS" });
    expect((await b("/deploy lock github staging maintenance", "UADMIN")).final?.tone).to.equal("success");
    const one = await b("/deploy PR4812 to staging --queue", "UDEPLOYER");
    expect(one.final?.tone, one.text).to.equal("success");
    expect(one.text).to.include("Queued: github staging is locked by @UADMIN").and.include("You are #1 in the github staging deploy queue");
    const two = await b("/deploy my-branch to staging --queue", "URELEASER");
    expect(two.text).to.include("You are #2");
    const three = await b(`/deploy ${SHAS.main} to staging --queue --auto`, "UDEPLOYER2");
    expect(three.text).to.include("You are #3").and.include("the queue starts");
    const again = await b("/deploy PR4812 to staging --queue", "UDEPLOYER");
    expect(again.text).to.include("You are already #1");
    const shown = await b("/deploy queue staging", "UVIEWER");
    expect(shown.text).to.match(/1\. @UDEPLOYER: `\/deploy github PR4812 to staging`[\s\S]*2\. @URELEASER: `\/deploy github my-branch to staging`[\s\S]*3\. @UDEPLOYER2: `\/deploy github 0c6121e\w+ to staging` \(--auto\)/);
    expect(queueLease()?.metadata.labels).to.include({ "tugboat.dev/coordination": "queue" });
    expect((await b("/deploy status", "UVIEWER")).text).to.include("Deploy queues\nstaging: nobody's turn yet; waiting: @UDEPLOYER, @URELEASER, @UDEPLOYER2");

    // Bot B stops; bot A, which has seen none of it, carries on from the Lease.
    await second.app.stop();
    const a = (text: string, user: string) => first.run(text, { user, channel: "CDEPLOYS" });
    const unlocked = await a("/deploy unlock github staging", "UADMIN");
    expect(unlocked.text).to.include("Unlocked github staging");
    // Unlocking frees the environment: the first in line gets the turn, and only they may deploy now.
    await a("/deploy queue staging", "UVIEWER"); // reading does not hand over twice
    expect(noticesText(first)).to.deep.equal([
      "CDEPLOYS: @UDEPLOYER, it is your turn to deploy github staging: start within 10m (by 2026-04-01 10:10 UTC) with `/deploy github PR4812 to staging`, or give it up with `/deploy queue leave staging`.",
    ]);
    const cut = await a("/deploy my-branch to staging", "URELEASER");
    expect(cut.final?.tone, cut.text).to.equal("error");
    expect(cut.text).to.include("It is @UDEPLOYER's turn to deploy github staging (who has until 2026-04-01 10:10 UTC to start)");
    const behind = await a("/deploy my-branch to staging --queue", "UDEPLOYER3");
    expect(behind.text).to.include("Queued: it is @UDEPLOYER's turn (who has until 2026-04-01 10:10 UTC to start). You are #3");
    expect((await a("/deploy queue leave", "UDEPLOYER3")).text).to.include("Left the deploy queue of github staging.");

    const deployed = await onClock(clock, a("/deploy PR4812 to staging", "UDEPLOYER"));
    expect(deployed.final?.tone, deployed.text).to.equal("success");
    // Their deploy is over: the turn moves to the second in line.
    expect(noticesText(first).at(-1)).to.match(/^CDEPLOYS: @URELEASER, it is your turn to deploy github staging: start within 10m/);

    // URELEASER does not start within 10 minutes: the leader's round passes the turn on, to the --auto entry, which the
    // queue starts as UDEPLOYER2 (their permissions checked again by the router).
    clock.advance(10 * 60_000);
    const log = { child: () => log, debug() {}, info() {}, warn() {}, error() {} } as never;
    await onClock(clock, handOverAll(first.app.services, log));
    const texts = noticesText(first);
    expect(texts.some((t) => /^CDEPLOYS: @URELEASER's turn to deploy github staging passed: it was not started by 2026-04-01 10:1\d UTC\.$/.test(t)), texts.join("\n")).to.equal(true);
    expect(texts.at(-1)).to.include(`@UDEPLOYER2, it is your turn in the github staging queue: starting \`/deploy github ${SHAS.main} to staging\` for you (--auto).`);
    const autoAudit = () => first.audit.filter((e) => e.actor === "UDEPLOYER2" && e.outcome === "success");
    // Not stepped on the clock (it raced the real-time rollout past its deadline under load), as below.
    await waitFor(() => noticesText(first).some((t) => t.includes(`Deployed sha ${SHAS.main.slice(0, 7)} to github staging`)) && autoAudit().length > 0);
    const staging = githubDeployments(first, "staging").map((d) => ({ sha: d.sha, actor: d.payload.actor }));
    expect(staging.slice(-2)).to.deep.equal([
      { sha: SHAS.pr4812, actor: "UDEPLOYER" },
      { sha: SHAS.main, actor: "UDEPLOYER2" },
    ]);
    expect(autoAudit(), "the queued deploy is audited as its person's").to.have.length(1);
    expect(autoAudit()[0]!.details).to.include({ queueTurn: true });
    expect((await a("/deploy queue staging", "UVIEWER")).text).to.include("nobody is waiting");
  });

  it("--auto deploys the commit its target named when queued: a push to the PR meanwhile does not run as them", async () => {
    const run = (text: string, user: string) => first.run(text, { user, channel: "CDEPLOYS" });
    await run("/deploy lock github staging maintenance", "UADMIN");
    const queued = await run("/deploy PR4812 to staging --queue --auto", "UDEPLOYER2");
    expect(queued.text).to.include(`the queue starts \`/deploy github ${SHAS.pr4812} to staging\` for you`);
    // While they wait, someone pushes to the PR's branch (its image built, so nothing else would stop it).
    const store = first.sandbox.github.store;
    const pr = store.repo("octo/github").pulls.get(4812)!;
    const pushed = "9".repeat(40);
    store.addCommit("octo/github", { sha: pushed, message: "Something else", parents: [pr.sha] });
    store.setBranch("octo/github", pr.head, pushed);
    pr.sha = pushed;
    store.setStatus("octo/github", pushed, "ci/image", "success");
    await onClock(clock, run("/deploy unlock github staging", "UADMIN"));
    // Not stepped on the clock: that raced the sandbox's real-time rollout past its deadline on a loaded machine.
    await waitFor(() => noticesText(first).some((t) => /Deployed .* to github staging/.test(t)));
    const staging = githubDeployments(first, "staging").map((d) => ({ sha: d.sha, actor: d.payload.actor }));
    expect(staging.at(-1)).to.deep.equal({ sha: SHAS.pr4812, actor: "UDEPLOYER2" });
  });

  it("of two replicas handing over at once, exactly one writes the turn and mentions the person", async () => {
    await second.run("/deploy lock github staging maintenance", { user: "UADMIN", channel: "CDEPLOYS" });
    await second.run("/deploy PR4812 to staging --queue", { user: "UDEPLOYER", channel: "CDEPLOYS" });
    // The lock's replica died: its Lease is gone without anyone handing over.
    const staging = first.kube.cluster("staging");
    const leases = (await staging.discover()).find((r) => r.group === "coordination.k8s.io" && r.plural === "leases")!;
    await staging.delete(leases, "tugboat-lock-github-staging", "github-staging");
    const log = { child: () => log, debug() {}, info() {}, warn() {}, error() {} } as never;
    // A conflict's retry backs off on the clock.
    await onClock(clock, Promise.all([handOverAll(first.app.services, log), handOverAll(second.app.services, log), handOverAll(first.app.services, log)]));
    const turns = [...noticesText(first), ...noticesText(second)].filter((t) => t.includes("it is your turn"));
    expect(turns).to.have.length(1);
    expect(turns[0]).to.include("@UDEPLOYER, it is your turn to deploy github staging");
  });

  it("the leader's round hands over when a lock's replica died, without anyone unlocking", async () => {
    const leader = await startHarness({ clock, configure, instanceId: "bot-leader", sandbox: first.sandbox, background: true });
    try {
      await first.run("/deploy lock github staging maintenance", { user: "UADMIN", channel: "CDEPLOYS" });
      await first.run("/deploy PR4812 to staging --queue", { user: "UDEPLOYER", channel: "CDEPLOYS" });
      const staging = first.kube.cluster("staging");
      const leases = (await staging.discover()).find((r) => r.group === "coordination.k8s.io" && r.plural === "leases")!;
      await staging.delete(leases, "tugboat-lock-github-staging", "github-staging");
      await onClock(clock, waitFor(() => noticesText(leader).some((t) => t.includes("@UDEPLOYER, it is your turn to deploy github staging"))));
      expect(noticesText(first).filter((t) => t.includes("your turn"))).to.deep.equal([]);
    } finally {
      await leader.stop();
    }
  });

  it("during a freeze no turn starts: the line waits, and unfreezing hands over", async () => {
    const run = (text: string, user: string) => first.run(text, { user, channel: "CDEPLOYS" });
    await run("/deploy lock github staging maintenance", "UADMIN");
    await run("/deploy PR4812 to staging --queue", "UDEPLOYER");
    await run("/deploy freeze staging 1h incident", "UADMIN");
    await run("/deploy unlock github staging", "UADMIN");
    expect(noticesText(first).filter((t) => t.includes("your turn")), "frozen: nobody's turn yet").to.deep.equal([]);
    await run("/deploy unfreeze staging", "UADMIN");
    expect(noticesText(first).filter((t) => t.includes("your turn"))).to.have.length(1);
    expect(noticesText(first)[0]).to.include("@UDEPLOYER, it is your turn to deploy github staging");
  });

  it("leaving gives the turn up; --auto is refused where a confirmation would be asked; a full queue refuses", async () => {
    const run = (text: string, user: string) => first.run(text, { user, channel: "CDEPLOYS" });
    await run("/deploy lock github staging maintenance", "UADMIN");
    await run("/deploy PR4812 to staging --queue", "UDEPLOYER");
    await run("/deploy my-branch to staging --queue", "URELEASER");
    expect((await run("/deploy queue leave", "UDEPLOYER")).text).to.include("Left the deploy queue of github staging.");
    expect((await run("/deploy queue leave staging", "UDEPLOYER")).text).to.include("You are in no deploy queue for staging.");
    const typo = await run("/deploy queue leave stagign", "UDEPLOYER");
    expect(typo.final).to.equal(undefined);
    expect(typo.text).to.include('unknown environment "stagign"').and.include("Usage");
    expect((await run("/deploy queue staging", "UVIEWER")).text).to.match(/1\. @URELEASER/).and.not.include("@UDEPLOYER:");

    await run("/deploy PR4812 to staging --queue", "UDEPLOYER2");
    await run("/deploy PR4812 to staging --queue", "UDEPLOYER");
    const full = await run("/deploy PR4812 to staging --queue", "UDEPLOYER3");
    expect(full.final?.tone, full.text).to.equal("error");
    expect(full.text).to.include("The github staging deploy queue is full (3 waiting)");

    const auto = await run("/deploy PR4812 to production --queue --auto", "UADMIN");
    expect(auto.final).to.equal(undefined);
    expect(auto.text).to.include("production asks for confirmation, which nobody sees").and.include("Usage");
    first.config.environments.staging!.approvals = { required: 1, from: ["admin"], allowSelf: false, timeoutMinutes: 30 };
    try {
      expect((await run("/deploy PR4812 to staging --queue --auto", "UDEPLOYER3")).text).to.include("staging waits for approval, which nobody sees");
    } finally {
      delete first.config.environments.staging!.approvals;
    }
    expect((await run("/deploy PR4812 to staging --auto", "UADMIN")).text).to.include("--auto goes with --queue");
  });
});

/** Resolves once `cond` holds (polled in real time; the clock is moved by settleOnClock meanwhile). */
async function waitFor(cond: () => boolean): Promise<void> {
  const end = Date.now() + 30_000;
  while (!cond()) {
    if (Date.now() > end) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 10));
  }
}
