import { expect } from "chai";
import { SHAS, REPO } from "../../commands/deploy/helpers.js";
import { SlackStandIn } from "./helpers/slack-stand-in.js";
import { buttonPressBody, postSigned, slashCommandBody } from "./helpers/signed-request.js";
import { startSandboxBot, type SandboxBot } from "./helpers/sandbox-bot.js";

// The escaping corpus: every sequence Slack reads as markup, placed in a PR title, a branch name, a commit-status
// description, a lock reason and a lab's branch, goes through real commands (sandbox, router, Bolt HTTP receiver)
// and must reach the Slack stand-in as text in every message: plans, confirmations, progress, finals, /deploy
// status, lock replies and errors. Tugboat's own mentions (<@UADMIN>) and links (to the sandbox's sites) may stay.

const FORM = "application/x-www-form-urlencoded";
const EVIL = "<!channel> <!here> <!subteam^S123> <@U123> <http://evil.example|Approve> & co";
/** A branch name git allows (no ":", "^" or "//") that still holds Slack markup. */
const EVIL_BRANCH = "evil-<!channel>-<!here>-&-<@U123>";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Every mrkdwn string Slack would parse in a Web API call or a response_url payload (plain_text is not parsed). */
function mrkdwnStrings(payload: Record<string, any>): string[] {
  const out: string[] = [];
  if (typeof payload.text === "string") out.push(payload.text);
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(walk);
    if (!v || typeof v !== "object") return;
    const o = v as Record<string, unknown>;
    if (o.type === "mrkdwn" && typeof o.text === "string") out.push(o.text);
    for (const [k, child] of Object.entries(o)) if (k !== "text" || typeof child !== "string") walk(child);
  };
  walk(payload.blocks);
  return out;
}

/** Markup Tugboat itself writes: mentions of the people in the test, and links to the sandbox's own sites. */
const OWN_MARKUP = /^<(@U(ADMIN|DEPLOYER)|https?:\/\/(127\.0\.0\.1|github\.com|[a-z0-9.-]+\.example\.com)[^|<>]*(\|[^<>]*)?)>$/;

function expectNoForeignMarkup(strings: string[]): void {
  for (const s of strings) {
    for (const m of s.match(/<[^>]*>?/g) ?? []) {
      expect(m, `markup in ${JSON.stringify(s)}`).to.match(OWN_MARKUP);
      expect(m).not.to.include("evil.example");
    }
    expect(s.replace(/&(amp|lt|gt);/g, ""), `raw & in ${JSON.stringify(s)}`).not.to.include("&");
  }
}

describe("Slack escaping corpus: external text reaches Slack as text in every message type", function () {
  this.timeout(60_000);
  let standIn: SlackStandIn;
  let bot: SandboxBot;
  const evilSha = "e71e000000000000000000000000000000000001";
  const redSha = "e71e000000000000000000000000000000000002";

  before(async () => {
    standIn = await new SlackStandIn().start();
    bot = await startSandboxBot({ standIn });
    const store = bot.sandbox.github.store;
    store.addCommit(REPO, { sha: evilSha, message: "evil", parents: [SHAS.main] });
    store.addPull(REPO, { number: 4950, title: `Fix ${EVIL}`, head: EVIL_BRANCH, sha: evilSha, user: "mallory" });
    store.setStatus(REPO, evilSha, "ci/image", "success", { description: EVIL });
    store.addCommit(REPO, { sha: redSha, message: "red", parents: [SHAS.main] });
    store.addPull(REPO, { number: 4951, title: "Red build", head: "red-build", sha: redSha, user: "mallory" });
    store.setStatus(REPO, redSha, "ci/image", "failure", { description: EVIL });
  });
  after(async () => {
    await bot?.stop();
    await standIn?.stop();
  });

  let responses = 0;
  /** Sends a slash command as Slack would and waits until the command is done and Slack has heard the last of it. */
  async function slash(text: string, opts: { user?: string; command?: string; channel?: string } = {}): Promise<void> {
    const before = bot.audit.length;
    const body = slashCommandBody({ command: opts.command ?? "/deploy", text, user_id: opts.user ?? "UADMIN", channel_id: opts.channel ?? "CDEPLOYS", response_url: standIn.responseUrl(`r${responses++}`) });
    const res = await postSigned(bot.eventsUrl, body, FORM);
    expect(res.status).to.equal(200);
    const end = Date.now() + 30_000;
    while (bot.audit.length === before) {
      if (Date.now() > end) throw new Error(`${text}: no audit entry`);
      await sleep(20);
    }
    await quiet();
  }

  /** Waits until the stand-in has seen no new call for 150 ms. */
  async function quiet(): Promise<void> {
    let seen = -1;
    while (seen !== standIn.calls.length + standIn.responses.length) {
      seen = standIn.calls.length + standIn.responses.length;
      await sleep(150);
    }
  }

  function everything(): string[] {
    return [...standIn.calls.filter((c) => c.method.startsWith("chat.")).map((c) => c.args), ...standIn.responses.map((r) => r.payload)].flatMap(mrkdwnStrings);
  }

  it("a PR title and branch in progress, final, confirmation and the lab's messages", async () => {
    await slash("PR4950 to staging");
    const staging = everything();
    expect(standIn.callsTo("chat.update").length, "progress updates").to.be.above(0);
    expect(staging.join("\n")).to.match(/Deployed PR #4950/);

    // Production asks first: the plan with Confirm/Cancel. Cancel it.
    standIn.reset();
    const asked = slash("PR4950 to production");
    await standIn.waitFor(() => standIn.callsTo("chat.postMessage").some((c) => JSON.stringify(c.args.blocks ?? []).includes("tugboat_confirm")), 20_000, "the prompt");
    const prompt = standIn.callsTo("chat.postMessage").find((c) => JSON.stringify(c.args.blocks).includes("tugboat_confirm"))!;
    expect(mrkdwnStrings(prompt.args).join("\n")).to.include("Fix &lt;!channel&gt; &lt;!here&gt; &lt;!subteam^S123&gt; &lt;@U123&gt; &lt;http://evil.example|Approve&gt; &amp; co");
    const id = prompt.args.blocks.find((b: any) => b.type === "actions").elements[1].value;
    await postSigned(bot.eventsUrl, buttonPressBody({ actionId: "tugboat_cancel", value: id, userId: "UADMIN", channel: "CDEPLOYS", messageTs: prompt.result.ts, responseUrl: standIn.responseUrl("press") }), FORM);
    await asked;
    expectNoForeignMarkup([...staging, ...everything()]);

    standIn.reset();
    await slash("up PR4950", { command: "/reviewlab" });
    const lab = everything();
    expect(lab.join("\n")).to.include("evil-&lt;!channel&gt;-&lt;!here&gt;-&amp;-&lt;@U123&gt;");
    expectNoForeignMarkup(lab);
  });

  it("a commit-status description in the image-gate refusal", async () => {
    standIn.reset();
    await slash("PR4951 to staging");
    const all = everything();
    expect(all.join("\n")).to.include("&lt;http://evil.example|Approve&gt;");
    expectNoForeignMarkup(all);
  });

  it("a lock reason in the lock reply, /deploy status and the refusal of someone else's deploy (done when: <!channel> reaches Slack as text)", async () => {
    standIn.reset();
    await slash(`lock github staging ${EVIL}`);
    await slash("status");
    await slash("PR4950 to staging", { user: "UDEPLOYER" });
    await slash("unlock github staging");
    const all = everything();
    const reasonShown = all.filter((s) => s.includes("&lt;!channel&gt; &lt;!here&gt; &lt;!subteam^S123&gt; &lt;@U123&gt; &lt;http://evil.example|Approve&gt; &amp; co"));
    // The lock reply, the status view and the refusal each show the reason (as message text and in blocks).
    expect(reasonShown.length).to.be.at.least(3);
    expectNoForeignMarkup(all);
  });

  it("bad input, echoed in a private usage error", async () => {
    standIn.reset();
    await slash(`get pods -n ${EVIL_BRANCH}`, { command: "/kube" });
    const all = everything();
    expect(standIn.responses.length).to.be.above(0);
    expectNoForeignMarkup(all);
  });

  it("help shows placeholders such as <type> as text (Slack dropped them as unknown markup)", async () => {
    standIn.reset();
    await slash("help", { command: "/kube" });
    const all = everything();
    expect(all.join("\n")).to.include("/kube get &lt;type&gt;[,&lt;type&gt;...]").and.include("/kube describe node &lt;name&gt;");
    expectNoForeignMarkup(all);
  });
});
