import { expect } from "chai";
import { startHarness, type Harness } from "../../helpers/harness.js";
import { ManualClock, eventually, settleOnClock } from "../../helpers/manual-clock.js";
import { renderText } from "../../../src/chat/terminal/render-text.js";
import type { Reply } from "../../../src/core/reply.js";
import { IMAGE, SHAS, appImages, githubDeployments } from "./helpers.js";

// The two-person rule through the router against the sandbox, whose production needs one approval from an admin
// or an approver other than the asker (config/sandbox/tugboat.yaml: UADMIN asks, UADMIN2 or UAPPROVER approve).

/** The id on the approval card's buttons, once the card is out. */
async function cardId(sent: Reply[]): Promise<string> {
  let id: string | undefined;
  await eventually("the approval card", () => {
    for (const r of sent) {
      for (const b of r.blocks) if (b.type === "actions") id = b.buttons[0]!.command.split(" ").at(-1);
    }
    return id !== undefined;
  }, 15_000);
  return id!;
}

const ASK = { user: "UADMIN", channel: "CDEPLOYS" };

describe("deploy approvals (the two-person rule) through the router", function () {
  this.timeout(60_000);
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ approvals: true });
  });
  afterEach(async () => {
    await h.stop();
  });

  it("a freeze that begins while the deploy waits for approval stops it when approved: nothing is deployed", async () => {
    const sent: Reply[] = [];
    const asked = h.run("/deploy PR4812 to production", { ...ASK, onSend: (r) => sent.push(structuredClone(r)) });
    const id = await cardId(sent);
    const frozen = await h.run("/deploy freeze production 1h incident in payments", ASK);
    expect(frozen.final?.tone, frozen.text).to.equal("success");
    await h.run(`/deploy approve ${id}`, { user: "UAPPROVER", channel: "CDEPLOYS" });
    const t = await asked;
    expect(t.text).to.match(/frozen/i);
    expect(githubDeployments(h, "production")).to.have.length(0);
    expect(appImages(h, "production", "github-production").unicorn).to.not.equal(`${IMAGE}:${SHAS.pr4812}`);
  });

  it("done when: UADMIN's deploy waits, UADMIN's own approval is refused, UAPPROVER's approval deploys it; the card shows each vote and the audit names them", async () => {
    const sent: Reply[] = [];
    const asked = h.run("/deploy PR4812 to production", { ...ASK, onSend: (r) => sent.push(structuredClone(r)) });
    const id = await cardId(sent);
    const card = renderText(sent.find((r) => r.blocks.some((b) => b.type === "actions"))!);
    expect(card).to.include("Waiting for approval: deploy PR #4812 (eed486a) to github production");
    expect(card).to.include("production needs 1 approval");
    expect(card).to.match(/Who may approve: roles admin or approver \(@UADMIN2, @UAPPROVER\); not the asker/);
    expect(card).to.include(`Approve: /deploy approve ${id}`);
    expect(card).to.include(`Reject: /deploy reject ${id}`);
    // The lines to type come last; the long diff went out with the confirmation, so the card does not promise a file.
    expect(card.trimEnd().split("\n").at(-1)).to.equal(`  Reject: /deploy reject ${id}`);
    expect(card).not.to.match(/attached/);
    // The plan as confirmed is on the card.
    expect(card).to.match(/unicorn/);
    expect(githubDeployments(h, "production")).to.have.length(0);

    const self = await h.run(`/deploy approve ${id}`, ASK);
    expect(self.text).to.match(/Denied: you asked for this deploy, and production needs an approval from someone else/);
    expect(h.audit.at(-1)).to.include({ decision: "denied", outcome: "denied" });

    const approved = await h.run(`/deploy approve ${id}`, { user: "UAPPROVER", channel: "CDEPLOYS" });
    expect(approved.final?.tone, approved.text).to.equal("success");
    expect(approved.text).to.match(/@UAPPROVER approved the deploy of PR #4812 \(eed486a\) to github production \(asked by @UADMIN\): 1 of 1, so it starts now/);

    const t = await asked;
    expect(t.final?.tone, t.text).to.equal("success");
    expect(t.text).to.match(/Deployed PR #4812 \(eed486a\) to github production/);
    expect(appImages(h, "production", "github-production").unicorn).to.equal(`${IMAGE}:${SHAS.pr4812}`);
    expect(sent.map(renderText).some((s) => s.includes("✓ approved by @UAPPROVER"))).to.equal(true);
    // The card became the progress message: the same message, updated from the card to the deploy's result.
    const cardAt = sent.findIndex((r) => r.blocks.some((b) => b.type === "actions"));
    expect(sent.slice(cardAt + 1).some((r) => r.summary.startsWith("Applying"))).to.equal(true);

    const deployAudit = h.audit.find((e) => e.command === "/deploy PR4812 to production" || e.command === "deploy PR4812 to production");
    expect(deployAudit?.details?.approval).to.deep.include({ id, outcome: "approved", approvers: ["UAPPROVER"] });
    const voteAudit = h.audit.find((e) => e.actor === "UAPPROVER");
    expect(voteAudit).to.deep.include({ decision: "allowed", outcome: "success" });
    expect(voteAudit?.details).to.include({ approval: id, vote: "approve", app: "github", environment: "production" });
  });

  it("a rejection ends it with one line and nothing changed; a later approval finds it closed", async () => {
    const sent: Reply[] = [];
    const before = appImages(h, "production", "github-production");
    const asked = h.run("/deploy PR4812 to production", { ...ASK, onSend: (r) => sent.push(structuredClone(r)) });
    const id = await cardId(sent);
    const rejected = await h.run(`/deploy reject ${id} not during the incident`, { user: "UADMIN2", channel: "CDEPLOYS" });
    expect(rejected.final?.tone, rejected.text).to.equal("success");
    const t = await asked;
    expect(t.final?.tone).to.equal("warning");
    expect(t.final?.summary).to.equal("Not approved: Deploy PR #4812 (eed486a) to github production: rejected by @UADMIN2 (not during the incident). Nothing was changed.");
    expect(appImages(h, "production", "github-production")).to.deep.equal(before);
    expect(githubDeployments(h, "production")).to.have.length(0);
    // Not approved is not a success: the audit and the deploy metrics say failure.
    expect(h.audit.find((e) => e.command === "/deploy PR4812 to production")).to.deep.include({ decision: "allowed", outcome: "failure" });
    const late = await h.run(`/deploy approve ${id}`, { user: "UAPPROVER", channel: "CDEPLOYS" });
    expect(late.text).to.match(/Approval request [0-9a-f]{8} is not open/);
  });

  it("a presser without permission is refused: a viewer (no deploy:approve), and a role with deploy:approve that the environment does not name", async () => {
    await h.stop();
    h = await startHarness({
      approvals: true,
      configure: (c) => {
        c.roles.auditor = { permissions: ["deploy:approve"] };
        c.bindings.push({ role: "auditor", users: ["UAUDITOR"], groups: [] });
      },
    });
    const sent: Reply[] = [];
    const asked = h.run("/deploy PR4812 to production", { ...ASK, onSend: (r) => sent.push(structuredClone(r)) });
    const id = await cardId(sent);
    const viewer = await h.run(`/deploy approve ${id}`, { user: "UVIEWER", channel: "CDEPLOYS" });
    expect(viewer.text).to.match(/Denied: you need the `deploy:approve` permission; no role bound to you grants it\. Ask for role `approver`/);
    const auditor = await h.run(`/deploy approve ${id}`, { user: "UAUDITOR", channel: "CDEPLOYS" });
    expect(auditor.text).to.match(/Denied: approvals for github production come from roles admin or approver .*; you are not one of them/);
    const withdrawn = await h.run(`/deploy reject ${id} wrong PR`, ASK);
    expect(withdrawn.final?.tone, withdrawn.text).to.equal("success");
    const t = await asked;
    expect(t.final?.summary).to.match(/^Not approved: .*: rejected by @UADMIN \(wrong PR\)\. Nothing was changed\.$/);
    expect(githubDeployments(h, "production")).to.have.length(0);
  });

  it("allowSelf lets the asker's own approval count only when the asker is one of the approvers", async () => {
    await h.stop();
    let from = ["approver"];
    h = await startHarness({ approvals: true, configure: (c) => void (c.environments.production!.approvals = { required: 1, from, allowSelf: true, timeoutMinutes: 30 }) });
    const sent: Reply[] = [];
    const asked = h.run("/deploy PR4812 to production", { ...ASK, onSend: (r) => sent.push(structuredClone(r)) });
    const id = await cardId(sent);
    const notOne = await h.run(`/deploy approve ${id}`, ASK);
    expect(notOne.text).to.match(/Denied: approvals for github production come from role approver .*; you are not one of them/);
    await h.run(`/deploy reject ${id} retry as admin`, ASK);
    await asked;

    await h.stop();
    from = ["admin"];
    h = await startHarness({ approvals: true, configure: (c) => void (c.environments.production!.approvals = { required: 1, from, allowSelf: true, timeoutMinutes: 30 }) });
    const sent2: Reply[] = [];
    const asked2 = h.run("/deploy PR4812 to production", { ...ASK, onSend: (r) => sent2.push(structuredClone(r)) });
    const own = await h.run(`/deploy approve ${await cardId(sent2)}`, ASK);
    expect(own.text).to.match(/so it starts now/);
    expect((await asked2).text).to.match(/Deployed PR #4812 \(eed486a\) to github production/);
  });

  it("an approval typed on the other replica counts: the deploy runs on the replica that asked", async () => {
    const other = await startHarness({ approvals: true, sandbox: h.sandbox, instanceId: "bot-2" });
    try {
      const sent: Reply[] = [];
      const asked = h.run("/deploy PR4812 to production", { ...ASK, onSend: (r) => sent.push(structuredClone(r)) });
      const id = await cardId(sent);
      const approved = await other.run(`/deploy approve ${id}`, { user: "UADMIN2", channel: "CDEPLOYS" });
      expect(approved.text).to.match(/so it starts now/);
      const t = await asked;
      expect(t.text).to.match(/Deployed PR #4812 \(eed486a\) to github production/);
      expect(githubDeployments(h, "production")).to.have.length(1);
    } finally {
      await other.stop();
    }
  });

  it("a shutdown ends a wait for approval at once (nothing changed, the request closed), rather than holding the drain", async () => {
    const sent: Reply[] = [];
    const asked = h.run("/deploy PR4812 to production", { ...ASK, onSend: (r) => sent.push(structuredClone(r)) });
    const id = await cardId(sent);
    // The request lives in the coordination namespace (the sandbox's: default on the default cluster, staging).
    const leases = () => h.sandbox.clusters.staging!.listObjects("coordination.k8s.io/v1", "Lease", "default").map((l: { metadata: { name: string } }) => l.metadata.name);
    expect(leases()).to.include(`tugboat-approval-${id}`);
    const started = Date.now();
    await h.app.router.drain(30_000, 1000);
    const t = await asked;
    expect(Date.now() - started, "drained well before the 30 s drain time-out").to.be.below(10_000);
    expect(t.final?.summary).to.equal("Not approved: Deploy PR #4812 (eed486a) to github production: the wait for approval ended: Tugboat is restarting; ask for the deploy again. Nothing was changed.");
    expect(leases()).not.to.include(`tugboat-approval-${id}`);
    expect(githubDeployments(h, "production")).to.have.length(0);
  });

  it("--dry-run says who may approve", async () => {
    const t = await h.run("/deploy PR4812 to production --dry-run", ASK);
    expect(t.final?.tone, t.text).to.equal("success");
    expect(t.text).to.match(/production needs 1 approval before a deploy starts, from roles admin or approver \(@UADMIN2, @UAPPROVER\); not the asker\./);
    const staging = await h.run("/deploy PR4812 to staging --dry-run", ASK);
    expect(staging.text).not.to.match(/approval/);
  });

  it("bad input gets one line and the usage", async () => {
    const t = await h.run("/deploy approve", { user: "UAPPROVER", channel: "CDEPLOYS" });
    expect(t.text).to.match(/missing the approval request's id[\s\S]*Usage: \/deploy approve ID/);
    const bad = await h.run("/deploy approve ../../etc", { user: "UAPPROVER", channel: "CDEPLOYS" });
    expect(bad.text).to.match(/is not an approval request id/);
    const none = await h.run("/deploy approve 0123abcd", { user: "UAPPROVER", channel: "CDEPLOYS" });
    expect(none.text).to.match(/Approval request 0123abcd is not open/);
  });
});

describe("deploy approvals time out (manual clock)", function () {
  this.timeout(60_000);
  it("nobody approves within timeoutMinutes: the deploy ends with one line, nothing changed, and the request is closed", async () => {
    const clock = new ManualClock();
    const h = await startHarness({ approvals: true, clock });
    try {
      const sent: Reply[] = [];
      let ended = false;
      const asked = h.run("/deploy PR4812 to production", { ...ASK, onSend: (r) => sent.push(structuredClone(r)) }).finally(() => (ended = true));
      const id = await cardId(sent);
      // Renewals come due every third of the coordination lease; the time-out only when 30 minutes have passed.
      for (let minute = 0; minute < 30; minute++) {
        expect(ended, `ended after ${minute} minutes`).to.equal(false);
        clock.advance(60_000);
        await new Promise((r) => setTimeout(r, 20));
      }
      // The time-out's write may meet a renewal's (409): the port's retry back-off runs on this clock too.
      const t = await settleOnClock(clock, asked, 60_000);
      expect(t.final?.summary).to.equal(
        "Not approved: Deploy PR #4812 (eed486a) to github production: no 1 approval within 30 minutes (from roles admin or approver (@UADMIN2, @UAPPROVER); not the asker). Nothing was changed.",
      );
      expect(githubDeployments(h, "production")).to.have.length(0);
      const late = await h.run(`/deploy approve ${id}`, { user: "UAPPROVER", channel: "CDEPLOYS" });
      expect(late.text).to.match(/is not open/);
    } finally {
      await h.stop();
    }
  });
});
