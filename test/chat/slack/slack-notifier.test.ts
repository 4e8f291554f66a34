import { expect } from "chai";
import { webApi } from "@slack/bolt";
import { createSlackNotifier } from "../../../src/chat/slack/slack-notifier.js";
import { silentLogger } from "../../../src/core/logger.js";
import type { Reply } from "../../../src/core/reply.js";
import { SlackStandIn } from "./helpers/slack-stand-in.js";
import { BOT_TOKEN } from "./helpers/test-bot.js";
import { ManualScheduler, fakeClient } from "./helpers/manual-scheduler.js";

// Messages outside requests (notifier): post answers a reference that any replica can update later; an update of a
// message that is gone (deleted, a forged reference) answers "gone"; updates keep a message's pace, newest state wins.

const note = (text: string, tone: Reply["tone"] = "info"): Reply => ({ summary: text, tone, blocks: [{ type: "text", text }] });

describe("Slack notifier: post answers a reference, update edits that message", () => {
  let standIn: SlackStandIn;
  before(async () => (standIn = await new SlackStandIn().start()));
  after(async () => standIn.stop());
  afterEach(() => standIn.reset());

  const notifierOverWire = () =>
    createSlackNotifier({ client: new webApi.WebClient(BOT_TOKEN, { slackApiUrl: standIn.apiUrl, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true }), log: silentLogger, updateIntervalMs: 0 });

  it("updates the posted ts, from a notifier that never posted it too, and says gone once it was deleted", async () => {
    const ref = await notifierOverWire().post("COPS", note("figures 1"));
    expect(ref).to.deep.equal({ channel: "COPS", id: standIn.callsTo("chat.postMessage")[0]!.result.ts });
    // Another replica's notifier: the reference is all it has.
    const other = notifierOverWire();
    expect(await other.update(ref!, note("figures 2"))).to.equal("updated");
    expect(standIn.callsTo("chat.update").map((c) => [c.args.channel, c.args.ts, c.args.text])).to.deep.equal([["COPS", ref!.id, "figures 2"]]);
    standIn.deleteMessage("COPS", ref!.id);
    expect(await other.update(ref!, note("figures 3"))).to.equal("gone");
  });

  it("sends no forged reference to Slack, and reports other failures instead of posting anew", async () => {
    const notifier = notifierOverWire();
    expect(await notifier.update({ channel: "<!channel>", id: "1000.000100" }, note("x"))).to.equal("gone");
    expect(await notifier.update({ channel: "COPS", id: "1000.0001&x=1" }, note("x"))).to.equal("gone");
    expect(standIn.callsTo("chat.update")).to.have.length(0);
    standIn.overrides.set("chat.update", () => ({ ok: false, error: "invalid_auth" }));
    let failure = "";
    await notifier.update({ channel: "COPS", id: "1000.000100" }, note("x")).catch((err: Error) => (failure = err.message));
    expect(failure).to.equal("chat.update failed: invalid_auth");
    standIn.notIn.add("CNOTIN");
    expect(await notifier.post("CNOTIN", note("x", "error"))).to.equal(undefined);
  });
});

describe("Slack notifier: the pace of updates (injected clock)", () => {
  it("writes a message at most once per interval, the newest state waiting replacing the older, and waits out a 429", async () => {
    const clock = new ManualScheduler();
    let limited = 0;
    const { client, writes } = fakeClient(clock, (method) => (method === "chat.update" && limited-- > 0 ? 7 : undefined));
    const notifier = createSlackNotifier({ client, log: silentLogger, updateIntervalMs: 2500, scheduler: clock });
    const ref = (await notifier.post("COPS", note("posted")))!;
    const answers = [notifier.update(ref, note("round 1")), notifier.update(ref, note("round 2")), notifier.update(ref, note("round 3"))];
    await clock.advance(2499);
    expect(writes.map((w) => w.text)).to.deep.equal(["posted"]);
    await clock.advance(1);
    expect(await Promise.all(answers)).to.deep.equal(["updated", "updated", "updated"]);
    limited = 1;
    const next = notifier.update(ref, note("round 4"));
    await clock.advance(2500 + 7000);
    expect(await next).to.equal("updated");
    expect(writes.map((w) => [w.method, w.text, w.at])).to.deep.equal([
      ["chat.postMessage", "posted", 0],
      ["chat.update", "round 3", 2500],
      ["chat.update", "round 4", 12000],
    ]);
  });
});
