import { expect } from "chai";
import { useSlashSession } from "./helpers/slash-session.js";
import { REPO, SHAS } from "../../commands/deploy/helpers.js";

// /deploy stats and what changed over Slack: the real adapter (HTTP mode) and the sandbox, the Web API pointed at the stand-in.
// Done when (issue 15): `/deploy stats github` prints the four figures, in Slack too; outside commit text stays text.

describe("/deploy stats over Slack (adapter, stand-in, sandbox)", function () {
  this.timeout(60_000);
  const s = useSlashSession();
  const { slash, posted } = s;

  it("done when (Slack): `/deploy stats github` prints the four figures of each environment after a deploy, whose result says what changed", async () => {
    // main's commit (between what staging runs and PR #4812) says something Slack would take as markup.
    s.bot.sandbox.github.store.addCommit(REPO, { sha: SHAS.main, message: "Ping <!channel> & <https://evil.example|friends>\n\nmore", parents: [SHAS.staging], author: "hubot" });
    expect((await slash("PR4812 to staging", "UDEPLOYER")).status).to.equal(200);
    await s.standIn.waitFor(() => posted().some((t) => t.includes("Deployed PR #4812 (eed486a) to github staging")), 20_000, "the deploy");
    const result = posted().filter((t) => t.includes("Deployed PR #4812 (eed486a) to github staging")).at(-1)!;
    expect(result).to.include("What changed:* 2 new commits since 4e2b69b");
    expect(result).to.include("Ping &lt;!channel&gt; &amp; &lt;https://evil.example|friends&gt; (hubot)");
    expect(result).not.to.include("<!channel>");
    expect(result).to.include("Make unicorn faster (octocat)");
    expect((await slash("stats github", "UVIEWER")).status).to.equal(200);
    await s.standIn.waitFor(() => posted().some((t) => t.includes("DORA figures over the last 30 days")), 20_000, "the figures");
    const reply = posted().find((t) => t.includes("DORA figures"))!;
    expect(reply).to.include("DEPLOY FREQUENCY").and.include("LEAD TIME").and.include("CHANGE FAILURE RATE").and.include("TIME TO RESTORE");
    expect(reply).to.match(/staging +0\.03\/day \(1\) +- +0% \(0 of 1\) +-/);
    expect(reply).to.match(/production +0\.0\/day \(0\)/);
  });
});
