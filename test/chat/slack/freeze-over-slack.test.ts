import { expect } from "chai";
import { useSlashSession } from "./helpers/slash-session.js";
import { REPO, SHAS } from "../../commands/deploy/helpers.js";

// Freezes and the deploy queue over Slack: the real adapter (HTTP mode) and the sandbox, the Web API pointed at the
// stand-in. Done when (issue 15): `/deploy freeze staging 1h incident` refuses the next staging deploy, in Slack too.

describe("freezes and the deploy queue over Slack (adapter, stand-in, sandbox)", function () {
  this.timeout(60_000);
  const s = useSlashSession();
  const { slash, posted } = s;
  const stagingDeploys = () => s.bot.sandbox.github.store.deployments(REPO).filter((d: { environment: string; sha: string }) => d.environment === "staging" && d.sha === SHAS.pr4812);

  it("done when (Slack): `/deploy freeze staging 1h incident` refuses the next staging deploy, naming the freeze and its reason", async () => {
    expect((await slash("freeze staging 1h incident", "UADMIN")).status).to.equal(200);
    await s.standIn.waitFor(() => posted().some((t) => t.includes("Froze staging until")), 10_000, "the freeze's reply");

    expect((await slash("PR4812 to staging", "UDEPLOYER")).status).to.equal(200);
    await s.standIn.waitFor(() => posted().some((t) => t.includes("github staging is frozen: ad hoc freeze by")), 20_000, "the refusal");
    const refusal = posted().find((t) => t.includes("github staging is frozen"))!;
    expect(refusal).to.include("ad hoc freeze by <@UADMIN> until").and.include(": incident.").and.include("--break-glass REASON");
    expect(stagingDeploys(), "nothing was deployed").to.have.length(0);

    // The queue says what waits, in Slack's own mention syntax.
    await slash("lock github staging maintenance", "UADMIN");
    await slash("unfreeze staging", "UADMIN");
    await s.standIn.waitFor(() => posted().some((t) => t.includes("Unfroze staging")), 10_000, "the unfreeze");
    await slash("PR4812 to staging --queue", "UDEPLOYER");
    await s.standIn.waitFor(() => posted().some((t) => t.includes("You are #1 in the github staging deploy queue")), 10_000, "the queued reply");
    await slash("queue staging", "UVIEWER");
    await s.standIn.waitFor(() => posted().some((t) => t.includes("1. <@UDEPLOYER>")), 10_000, "the queue, with a real mention");
  });
});
