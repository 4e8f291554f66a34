import { expect } from "chai";
import { SlackStandIn } from "./helpers/slack-stand-in.js";
import { postSigned, slashCommandBody } from "./helpers/signed-request.js";
import { startSandboxBot, type SandboxBot } from "./helpers/sandbox-bot.js";

// /deploy stats over Slack: the real adapter (HTTP mode) and the sandbox, the Web API pointed at the stand-in.
// Done when (issue 15): `/deploy stats github` prints the four figures, in Slack too.

const FORM = "application/x-www-form-urlencoded";

describe("/deploy stats over Slack (adapter, stand-in, sandbox)", function () {
  this.timeout(60_000);
  let standIn: SlackStandIn;
  let bot: SandboxBot;

  beforeEach(async () => {
    standIn = await new SlackStandIn().start();
    bot = await startSandboxBot({ standIn });
  });
  afterEach(async () => {
    await bot.stop();
    await standIn.stop();
  });

  let sent = 0;
  const slash = (text: string, user: string) =>
    postSigned(bot.eventsUrl, slashCommandBody({ command: "/deploy", text, user_id: user, channel_id: "CDEPLOYS", response_url: standIn.responseUrl(`cmd-${++sent}`) }), FORM);
  const posted = () => [...standIn.callsTo("chat.postMessage"), ...standIn.callsTo("chat.update")].map((c) => `${String(c.args.text)} ${JSON.stringify(c.args.blocks ?? [])}`);

  it("done when (Slack): `/deploy stats github` prints the four figures of each environment after a deploy", async () => {
    expect((await slash("PR4812 to staging", "UDEPLOYER")).status).to.equal(200);
    await standIn.waitFor(() => posted().some((t) => t.includes("Deployed PR #4812 (eed486a) to github staging")), 20_000, "the deploy");
    expect((await slash("stats github", "UVIEWER")).status).to.equal(200);
    await standIn.waitFor(() => posted().some((t) => t.includes("DORA figures over the last 30 days")), 20_000, "the figures");
    const reply = posted().find((t) => t.includes("DORA figures"))!;
    expect(reply).to.include("DEPLOY FREQUENCY").and.include("LEAD TIME").and.include("CHANGE FAILURE RATE").and.include("TIME TO RESTORE");
    expect(reply).to.match(/staging +0\.03\/day \(1\) +- +0% \(0 of 1\) +-/);
    expect(reply).to.match(/production +0\.0\/day \(0\)/);
  });
});
