import { expect } from "chai";
import { startHarness, type Harness } from "../../helpers/harness.js";
import { ManualClock, settleOnClock } from "../../helpers/manual-clock.js";
import { renderBlocks } from "../../../src/chat/slack/render-blocks.js";
import { appImages, githubDeployments } from "./helpers.js";
import { eventually } from "../../helpers/manual-clock.js";
import { plainText, type Reply } from "../../../src/core/reply.js";

/** The id on an approval card (its Approve button's command). */
function approvalId(r: Reply): string | undefined {
  for (const b of r.blocks) if (b.type === "actions") for (const button of b.buttons) { const m = /^\/deploy approve ([0-9a-f]{8})$/.exec(button.command); if (m) return m[1]; }
  return undefined;
}

// Freeze windows (issue 15 item 2), through the router against the sandbox: `/deploy freeze ENV DURATION REASON`
// refuses the next deploy there naming the freeze, its reason and its end; unfreeze lifts it; the config's recurring
// windows hold in their time zone; breaking the glass needs deploy:break-glass and a second person. Time is the
// manual clock's.

const HOUR = 3600_000;

describe("/deploy freeze: deploys during a freeze are refused", function () {
  this.timeout(60000);
  let h: Harness;
  let clock: ManualClock;
  const freezeLease = () => h.sandbox.clusters.staging!.getObject("coordination.k8s.io/v1", "Lease", "default", "tugboat-freeze-staging");

  before(async () => {
    // Tuesday 2026-03-31 06:00 UTC (08:00 in Berlin, CEST): an hour before the office-hours window below opens.
    clock = new ManualClock(Date.parse("2026-03-31T06:00:00Z"));
    h = await startHarness({
      clock,
      configure: (config) => {
        if (!config.bindings.some((b) => b.users.includes("UADMIN2"))) config.bindings.push({ role: "admin", users: ["UADMIN2"], groups: [] });
        config.environments.production!.approvals = { required: 1, from: ["admin"], allowSelf: false, timeoutMinutes: 30 };
        config.environments.production!.freezes = [{ name: "office hours", schedule: "0 9 * * 1-5", duration: "8h", timeZone: "Europe/Berlin", reason: "people at <!here> & work" }];
      },
    });
  });
  after(async () => {
    await h.stop();
  });
  afterEach(async () => {
    await h.run("/deploy unfreeze staging", { user: "UADMIN", channel: "CDEPLOYS" });
    await h.run("/deploy unfreeze production", { user: "UADMIN", channel: "CDEPLOYS" });
  });

  it("`/deploy freeze staging 1h incident` refuses the next staging deploy, naming the freeze, its reason and its end", async () => {
    const before = appImages(h, "staging", "github-staging");
    const froze = await h.run("/deploy freeze staging 1h incident", { user: "UADMIN", channel: "CDEPLOYS" });
    expect(froze.final?.tone, froze.text).to.equal("success");
    expect(froze.text).to.include("Froze staging for 60m, until 2026-03-31 07:00 UTC: incident");
    expect(freezeLease()?.metadata.labels).to.include({ "tugboat.dev/coordination": "freeze", "tugboat.dev/environment": "staging" });
    expect(h.audit.at(-1)).to.deep.include({ actor: "UADMIN", outcome: "success" });

    clock.advance(10 * 60_000);
    const refused = await h.run("/deploy PR4812 to staging", { user: "UDEPLOYER", channel: "CDEPLOYS" });
    expect(refused.final?.tone, refused.text).to.equal("error");
    expect(refused.text).to.include("github staging is frozen: ad hoc freeze by @UADMIN until 2026-03-31 07:00 UTC (in 50m): incident.");
    expect(refused.text).to.include("--break-glass REASON");
    expect(appImages(h, "staging", "github-staging"), "nothing was applied").to.deep.equal(before);
    expect(githubDeployments(h, "staging").filter((d) => d.sha === "eed486a1e3c237947f6d05a688220f3d3d81f035"), "no GitHub deployment").to.have.length(0);
    const entry = h.audit.at(-1)!;
    expect(entry).to.include({ actor: "UDEPLOYER", outcome: "failure" });
    expect(JSON.stringify(entry.details)).to.include('"frozen"').and.include("incident");

    // /deploy status shows it.
    const status = await h.run("/deploy status", { user: "UVIEWER", channel: "CDEPLOYS" });
    expect(status.text).to.include("\nstaging: frozen: ad hoc freeze by @UADMIN until 2026-03-31 07:00 UTC (in 50m): incident");

    // When it ends, deploys go again.
    clock.advance(50 * 60_000);
    const deployed = await settleOnClock(clock, h.run("/deploy PR4812 to staging", { user: "UDEPLOYER", channel: "CDEPLOYS" }), 60_000);
    expect(deployed.final?.tone, deployed.text).to.equal("success");
  });

  it("only deploy:freeze:<env> freezes or unfreezes; unfreeze lifts it at once", async () => {
    const denied = await h.run("/deploy freeze staging 2h I want it", { user: "UDEPLOYER", channel: "CDEPLOYS" });
    expect(denied.text).to.match(/Denied: you need the `deploy:freeze:staging` permission/);
    expect(freezeLease()).to.equal(undefined);

    await h.run("/deploy freeze staging 2h migration", { user: "UADMIN", channel: "CDEPLOYS" });
    const unfreezeDenied = await h.run("/deploy unfreeze staging", { user: "UDEPLOYER", channel: "CDEPLOYS" });
    expect(unfreezeDenied.text).to.match(/Denied: you need the `deploy:freeze:staging` permission/);
    const lifted = await h.run("/deploy unfreeze staging", { user: "UADMIN", channel: "CDEPLOYS" });
    expect(lifted.text).to.include("Unfroze staging.");
    expect(freezeLease()).to.equal(undefined);
    const dry = await h.run("/deploy PR4812 to staging --dry-run", { user: "UDEPLOYER", channel: "CDEPLOYS" });
    expect(dry.final?.tone, dry.text).to.equal("success");
  });

  it("bad freeze commands get one line and the usage", async () => {
    for (const [line, says] of [
      ["/deploy freeze staging", "missing DURATION"],
      ["/deploy freeze staging 1h", "missing REASON"],
      ["/deploy freeze staging soon incident", 'DURATION must look like 30s, 10m, 12h or 2d, not "soon"'],
      ["/deploy freeze staging 15d incident", "DURATION must be at most 14d"],
      ["/deploy freeze staging 30s incident", "DURATION must be at least 1m"],
      ["/deploy freeze stagign 1h incident", 'unknown environment "stagign"'],
      ["/deploy freeze staging 1h zero\u200Bwidth", "invisible or control character (U+200B)"],
    ] as const) {
      const t = await h.run(line, { user: "UADMIN", channel: "CDEPLOYS" });
      expect(t.final, line).to.equal(undefined);
      expect(t.text, line).to.include(says).and.include("Usage");
    }
    expect(freezeLease()).to.equal(undefined);
  });

  it("a recurring config window holds in its time zone, also for the canary next to it; its reason stays text", async () => {
    const outside = await h.run("/deploy PR4812 to production --dry-run", { user: "UADMIN", channel: "CDEPLOYS" });
    expect(outside.final?.tone, outside.text).to.equal("success");

    clock.advance(Date.parse("2026-03-31T07:00:00Z") - clock.now().getTime()); // 09:00 CEST
    for (const env of ["production", "canary"]) {
      const t = await h.run(`/deploy PR4812 to ${env}`, { user: "UADMIN", channel: "CDEPLOYS" });
      expect(t.final?.tone, t.text).to.equal("error");
      expect(t.text, env).to.include(`github ${env} is frozen: freeze window "office hours" (config, production) until 2026-03-31 15:00 UTC (in 8h): people at <!here> & work.`);
      // Slack shows the reason as text: <!here> is escaped, not a mention of everyone.
      const slack = JSON.stringify(renderBlocks(t.final!));
      expect(slack).to.include("people at &lt;!here&gt; &amp; work").and.not.include("<!here>");
    }
    const status = await h.run("/deploy status", { user: "UVIEWER", channel: "CDEPLOYS" });
    expect(status.text).to.include('\nproduction: frozen: freeze window "office hours" (config, production) until 2026-03-31 15:00 UTC');
    // unfreeze lifts ad hoc freezes only, and says the config's window still holds.
    const unfreeze = await h.run("/deploy unfreeze production", { user: "UADMIN", channel: "CDEPLOYS" });
    expect(unfreeze.final?.tone).to.equal("warning");
    expect(unfreeze.text).to.include('Still frozen by the config: freeze window "office hours"');
    clock.advance(8 * HOUR); // 17:00 CEST: over
    const after = await h.run("/deploy PR4812 to production --dry-run", { user: "UADMIN", channel: "CDEPLOYS" });
    expect(after.final?.tone, after.text).to.equal("success");
  });

  it("--break-glass needs deploy:break-glass and an approval from someone else; it is audited and posted to the environment's channels", async () => {
    await h.run("/deploy freeze staging 1h incident", { user: "UADMIN", channel: "CDEPLOYS" });
    const deployer = await h.run('/deploy PR4812 to staging --break-glass "hotfix for the incident"', { user: "UDEPLOYER", channel: "CDEPLOYS" });
    expect(deployer.text).to.match(/Denied: you need the `deploy:break-glass` permission/);
    const before = appImages(h, "staging", "github-staging");

    // UADMIN breaks the glass: the deploy waits for an approval card.
    let id: string | undefined;
    const asked = h.run('/deploy PR4812 to staging --break-glass "hotfix for the incident"', {
      user: "UADMIN",
      channel: "CDEPLOYS",
      onSend: (r) => (id ??= approvalId(r)),
    });
    await eventually("the approval card", () => id !== undefined);
    expect(appImages(h, "staging", "github-staging"), "nothing is applied while it waits").to.deep.equal(before);
    const self = await h.run(`/deploy approve ${id}`, { user: "UADMIN", channel: "CDEPLOYS" });
    expect(self.text).to.match(/Denied: you asked for this deploy/);
    const viewer = await h.run(`/deploy approve ${id}`, { user: "UVIEWER", channel: "CDEPLOYS" });
    expect(viewer.text).to.match(/Denied/);
    const approved = await h.run(`/deploy approve ${id}`, { user: "UADMIN2", channel: "CDEPLOYS" });
    expect(approved.final?.tone, approved.text).to.equal("success");
    const done = await settleOnClock(clock, asked, 60_000);
    expect(done.final?.tone, done.text).to.equal("success");
    expect(appImages(h, "staging", "github-staging").unicorn).to.equal("registry.example.com/github:eed486a1e3c237947f6d05a688220f3d3d81f035");
    const entry = h.audit.filter((e) => e.actor === "UADMIN" && String(e.command).includes("--break-glass")).at(-1)!;
    expect(entry.outcome).to.equal("success");
    expect(JSON.stringify(entry.details)).to.include('"approved":true').and.include('"approvedBy":["UADMIN2"]').and.include("hotfix for the incident");
    // Staging names no channels of its own: the app's channels hear of it.
    const posted = h.notices.filter((n) => plainText(n.reply.summary).startsWith("Break-glass deploy of github staging by @UADMIN"));
    expect(posted.map((n) => n.channel).sort()).to.deep.equal(["CDEPLOYS", "CGITHUB"]);
    expect(JSON.stringify(posted[0]!.reply)).to.include("approved by").and.include("hotfix for the incident");
  });

  it("a rejected break-glass deploys nothing", async () => {
    await h.run("/deploy freeze staging 1h incident", { user: "UADMIN", channel: "CDEPLOYS" });
    const before = appImages(h, "staging", "github-staging");
    let id: string | undefined;
    const asked = h.run(`/deploy my-branch to staging --break-glass "just because"`, { user: "UADMIN", channel: "CDEPLOYS", onSend: (r) => (id ??= approvalId(r)) });
    await eventually("the approval card", () => id !== undefined);
    await h.run(`/deploy reject ${id} not during the incident`, { user: "UADMIN2", channel: "CDEPLOYS" });
    const done = await asked;
    expect(done.final?.tone, done.text).to.equal("warning");
    expect(done.text).to.include("Not approved: Deploy PR #4816 (663c692) to github staging").and.include("breaking the glass of the freeze was not approved (rejected by @UADMIN2 (not during the incident)). Nothing was changed.");
    expect(h.audit.at(-1)).to.include({ actor: "UADMIN", outcome: "failure" });
    expect(appImages(h, "staging", "github-staging")).to.deep.equal(before);
    const empty = await h.run("/deploy PR4812 to staging --break-glass ''", { user: "UADMIN", channel: "CDEPLOYS" });
    expect(empty.text).to.include("--break-glass needs a value");
  });

  it("breaking the glass in production: the plan is confirmed first, the approver sees it, and that approval is the deploy's approval too", async () => {
    await h.run("/deploy freeze production 1h release week", { user: "UADMIN", channel: "CDEPLOYS" });
    const ids: string[] = [];
    let cardShowsPlan = false;
    const asked = h.run('/deploy PR4812 to production --break-glass "customer outage"', {
      user: "UADMIN",
      channel: "CDEPLOYS",
      onSend: (r) => {
        const id = approvalId(r);
        if (id && !ids.includes(id)) ids.push(id);
        if (id && JSON.stringify(r.blocks).includes("targetPort")) cardShowsPlan = true;
      },
    });
    await eventually("the approval card", () => ids.length === 1);
    expect(cardShowsPlan, "the card shows the plan as confirmed").to.equal(true);
    await h.run(`/deploy approve ${ids[0]}`, { user: "UADMIN2", channel: "CDEPLOYS" });
    // Not settled on the clock: moving it from timer to timer raced the sandbox's real-time rollout past the
    // 120 s rollout deadline on a loaded machine; once approved, nothing the deploy awaits is a timer.
    const done = await asked;
    expect(done.final?.tone, done.text).to.equal("success");
    expect(done.confirmations, "the asker confirmed the plan first").to.have.length(1);
    expect(ids, "one approval: the break-glass one stands for production's own").to.have.length(1);
  });
});
