import { expect } from "chai";
import { SlackStandIn, type RecordedCall } from "./helpers/slack-stand-in.js";
import { eventBody, postSigned, slashCommandBody } from "./helpers/signed-request.js";
import { startSandboxBot, type SandboxBot } from "./helpers/sandbox-bot.js";
import { eventually } from "../../helpers/manual-clock.js";

// App Home over Slack (the real adapter in HTTP mode, the stand-in, the sandbox): app_home_opened runs `/deploy home` as the
// viewer and publishes their Home tab with views.publish. What it shows follows the viewer's /kube scope: someone who
// may read none of an app's environments sees nothing of it, not even its name.

const FORM = "application/x-www-form-urlencoded";
const JSON_TYPE = "application/json";

describe("App Home over Slack (adapter, stand-in, sandbox)", function () {
  this.timeout(60_000);
  let standIn: SlackStandIn;
  let bot: SandboxBot;

  beforeEach(async () => {
    standIn = await new SlackStandIn().start();
    bot = await startSandboxBot({
      standIn,
      configure: (c) => {
        // Reads only a namespace no app lives in.
        c.roles.outsider = { permissions: ["kube:get"], kube: { namespaces: ["elsewhere"] } } as (typeof c.roles)[string];
        c.bindings.push({ role: "outsider", users: ["UOUTSIDER"], groups: [] });
      },
    });
  });
  afterEach(async () => {
    await bot.stop();
    await standIn.stop();
  });

  let events = 0;
  const openHome = (user: string, tab = "home") =>
    postSigned(bot.eventsUrl, eventBody(`EvHOME${++events}`, { type: "app_home_opened", user, channel: `D${user}`, tab, event_ts: "1700000000.000100" }), JSON_TYPE);
  const publishedFor = (user: string): RecordedCall[] => standIn.callsTo("views.publish").filter((c) => c.args.user_id === user);
  /** The Web API client sends the view as JSON text inside the form. */
  const viewOf = (call: RecordedCall) => (typeof call.args.view === "string" ? JSON.parse(call.args.view) : call.args.view) as { type: string; blocks: unknown[] };
  const viewText = (call: RecordedCall) => JSON.stringify(viewOf(call));
  let sent = 0;
  const slash = (command: string, text: string, user: string) =>
    postSigned(bot.eventsUrl, slashCommandBody({ command, text, user_id: user, channel_id: "CDEPLOYS", response_url: standIn.responseUrl(`cmd-${++sent}`) }), FORM);

  it("shows a deployer what runs where, the lock, their own review lab and the last deploys; only the Home tab is published", async () => {
    await slash("/deploy", "PR4812 to staging", "UDEPLOYER");
    await eventually("the deploy", () => bot.audit.some((e) => e.command === "/deploy PR4812 to staging" && e.outcome === "success"), 40_000);
    await slash("/deploy", "lock github staging <!channel> maintenance", "UDEPLOYER");
    await slash("/reviewlab", "up my-branch", "UDEPLOYER");
    await eventually("the lab", () => bot.audit.some((e) => e.command === "/reviewlab up my-branch" && e.outcome === "success"), 40_000);

    const messagesBefore = standIn.callsTo("chat.postMessage").length;
    expect((await openHome("UDEPLOYER")).status).to.equal(200);
    await standIn.waitFor(() => publishedFor("UDEPLOYER").length > 0, 20_000, "the deployer's Home tab");
    const [home] = publishedFor("UDEPLOYER");
    const view = viewOf(home!);
    expect(view.type).to.equal("home");
    expect(view.blocks.length).to.be.within(1, 100);
    const text = viewText(home!);
    expect(text).to.include("github: what runs where").and.include("eed486a").and.include("#4812").and.include("UDEPLOYER");
    // Outside text is escaped: the lock reason's <!channel> stays text.
    expect(text).to.include("&lt;!channel&gt; maintenance").and.not.include("<!channel>");
    expect(text).to.include("Your review labs").and.include("my-branch");
    expect(text).to.include("github: last").and.include("success");
    expect(standIn.callsTo("chat.postMessage").length, "nothing posted in a conversation").to.equal(messagesBefore);
    await eventually("the audit entry", () => bot.audit.some((e) => e.actor === "UDEPLOYER" && e.command === "/deploy home"), 10_000);

    // Someone else's Home does not list the deployer's lab as theirs; the messages tab is ignored.
    await openHome("UADMIN", "messages");
    await openHome("UADMIN");
    await standIn.waitFor(() => publishedFor("UADMIN").length > 0, 20_000, "the admin's Home tab");
    expect(publishedFor("UADMIN")).to.have.length(1);
    expect(viewText(publishedFor("UADMIN")[0]!)).to.include("eed486a").and.not.include("Your review labs");
  });

  it("a viewer without read rights on an app sees none of it", async () => {
    await slash("/deploy", "PR4812 to staging", "UDEPLOYER");
    await eventually("the deploy", () => bot.audit.some((e) => e.command === "/deploy PR4812 to staging" && e.outcome === "success"), 40_000);
    await openHome("UOUTSIDER");
    await standIn.waitFor(() => publishedFor("UOUTSIDER").length > 0, 20_000, "the outsider's Home tab");
    const text = viewText(publishedFor("UOUTSIDER")[0]!);
    expect(text).to.include("Nothing to show");
    for (const secret of ["github", "unicorn", "eed486a", "4812", "UDEPLOYER", "staging", "production"]) expect(text, secret).to.not.include(secret);

    // No kube:get at all: the Home tab says so instead of staying empty.
    await openHome("UNOBODY");
    await standIn.waitFor(() => publishedFor("UNOBODY").length > 0, 20_000, "the unbound user's Home tab");
    expect(viewText(publishedFor("UNOBODY")[0]!)).to.include("Denied").and.not.include("eed486a");
  });
});
