import { expect } from "chai";
import { connect, type Socket } from "node:net";
import { SlackStandIn } from "./helpers/slack-stand-in.js";
import { buttonPressBody, eventBody, nowSeconds, postSigned, sign, slashCommandBody } from "./helpers/signed-request.js";
import { BOT_TOKEN, startTestBot, type TestBot } from "./helpers/test-bot.js";
import { SIGNING_SECRET } from "./helpers/signed-request.js";

// The real Bolt HTTP receiver on a local port, its Web API pointed at a local stand-in, a real Router and Policy.

const FORM = "application/x-www-form-urlencoded";
const JSON_TYPE = "application/json";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean, timeoutMs = 3000, what = "a condition"): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

function blockText(blocks: any[] | undefined): string {
  return JSON.stringify(blocks ?? []);
}

describe("Slack adapter (HTTP receiver, signed requests, Web API stand-in)", function () {
  let standIn: SlackStandIn;
  let bot: TestBot;

  before(async () => {
    standIn = await new SlackStandIn().start();
  });
  after(async () => {
    await standIn.stop();
  });
  afterEach(async () => {
    await bot?.stop();
    standIn.reset();
    standIn.groupMembers.clear();
  });

  async function slash(text: string, opts: { user?: string; command?: string; responseId?: string; channel?: string; channelName?: string } = {}) {
    const body = slashCommandBody({
      command: opts.command ?? "/echo",
      text,
      user_id: opts.user,
      channel_id: opts.channel,
      channel_name: opts.channelName,
      response_url: standIn.responseUrl(opts.responseId ?? "r1"),
    });
    return postSigned(bot.eventsUrl, body, FORM);
  }

  describe("startup", () => {
    it("checks the bot token with auth.test, serves /healthz, and logs no secret", async () => {
      bot = await startTestBot({ standIn });
      expect(standIn.callsTo("auth.test")).to.have.length(1);
      const health = await fetch(`${bot.baseUrl}/healthz`);
      expect(health.status).to.equal(200);
      expect(await health.json()).to.deep.equal({ ok: true });
      await slash("say hello");
      await standIn.waitFor(() => standIn.callsTo("chat.postMessage").length === 1);
      const logged = JSON.stringify(bot.logs);
      expect(logged).not.to.include(BOT_TOKEN);
      expect(logged).not.to.include(SIGNING_SECRET);
      // The Web API calls carry the token in the Authorization header, never in a logged place.
      expect(standIn.callsTo("chat.postMessage")[0]!.authorization).to.equal(`Bearer ${BOT_TOKEN}`);
    });
  });

  describe("signature checks: only correctly signed, fresh requests run anything", () => {
    beforeEach(async () => {
      bot = await startTestBot({ standIn });
      standIn.reset();
    });

    async function expectNothingRan() {
      await sleep(150);
      expect(bot.runs.say!.called, "the command ran").to.equal(false);
      expect(standIn.calls.filter((c) => c.method.startsWith("chat.")), "something was posted").to.have.length(0);
      expect(standIn.responses).to.have.length(0);
    }

    const body = () => slashCommandBody({ command: "/echo", text: "say hello", response_url: standIn.responseUrl("r1") });

    it("refuses a bad signature", async () => {
      const res = await postSigned(bot.eventsUrl, body(), FORM, { signature: sign(body(), nowSeconds(), "another-secret") });
      expect(res.status).to.equal(401);
      await expectNothingRan();
    });

    it("refuses a request without the signature headers", async () => {
      const res = await postSigned(bot.eventsUrl, body(), FORM, { unsigned: true });
      expect(res.status).to.equal(401);
      await expectNothingRan();
    });

    it("refuses a timestamp more than 5 minutes old (correctly signed)", async () => {
      const ts = nowSeconds() - 6 * 60;
      const res = await postSigned(bot.eventsUrl, body(), FORM, { timestamp: ts });
      expect(res.status).to.equal(401);
      await expectNothingRan();
    });

    it("refuses a timestamp more than 5 minutes in the future (correctly signed)", async () => {
      const ts = nowSeconds() + 6 * 60;
      const res = await postSigned(bot.eventsUrl, body(), FORM, { timestamp: ts });
      expect(res.status).to.equal(401);
      await expectNothingRan();
    });

    it("refuses a replayed body with a new timestamp but the old signature", async () => {
      const oldTs = nowSeconds() - 10 * 60;
      const oldSignature = sign(body(), oldTs);
      const res = await postSigned(bot.eventsUrl, body(), FORM, { timestamp: nowSeconds(), signature: oldSignature });
      expect(res.status).to.equal(401);
      await expectNothingRan();
    });

    it("runs an identical request (same signature) only once", async () => {
      const ts = nowSeconds();
      const b = body();
      const first = await postSigned(bot.eventsUrl, b, FORM, { timestamp: ts });
      const second = await postSigned(bot.eventsUrl, b, FORM, { timestamp: ts });
      expect(first.status).to.equal(200);
      expect(second.status).to.equal(200);
      await standIn.waitFor(() => standIn.callsTo("chat.postMessage").length === 1);
      await sleep(150);
      expect(bot.runs.say!.callCount).to.equal(1);
      expect(standIn.callsTo("chat.postMessage")).to.have.length(1);
    });

    it("runs a replay only once even when its signature header is spelled differently", async () => {
      // Bolt reads the signature as "v0=<hash>" and ignores anything after a second "=", so "v0=<hash>=x" verifies too.
      const ts = nowSeconds();
      const b = body();
      const signature = sign(b, ts);
      const first = await postSigned(bot.eventsUrl, b, FORM, { timestamp: ts, signature });
      const second = await postSigned(bot.eventsUrl, b, FORM, { timestamp: ts, signature: `${signature}=again` });
      const third = await postSigned(bot.eventsUrl, b, FORM, { headers: { "x-slack-request-timestamp": ` 0${ts}` }, timestamp: ts, signature });
      expect(first.status).to.equal(200);
      expect([200, 401]).to.include(second.status);
      expect([200, 401]).to.include(third.status);
      await standIn.waitFor(() => standIn.callsTo("chat.postMessage").length === 1);
      await sleep(150);
      expect(bot.runs.say!.callCount).to.equal(1);
      expect(standIn.callsTo("chat.postMessage")).to.have.length(1);
    });

    it("accepts a correctly signed, fresh request", async () => {
      const res = await postSigned(bot.eventsUrl, body(), FORM);
      expect(res.status).to.equal(200);
      await standIn.waitFor(() => standIn.callsTo("chat.postMessage").length === 1);
      expect(bot.runs.say!.calledOnce).to.equal(true);
    });
  });

  describe("acks before slow work", () => {
    it("acks in under 3 s while the command works for 4 s, then posts and updates the message", async function () {
      this.timeout(10_000);
      bot = await startTestBot({ standIn, slowMs: 4000 });
      const res = await slash("slow");
      expect(res.status).to.equal(200);
      expect(res.elapsedMs).to.be.below(3000);
      expect(res.elapsedMs).to.be.below(1000);
      // The ack came back before the command had finished (it may not even have started).
      expect(standIn.callsTo("chat.update")).to.have.length(0);
      await standIn.waitFor(() => standIn.callsTo("chat.postMessage").length === 1, 2000, "the first post");
      expect(bot.runs.slow!.calledOnce).to.equal(true);
      const post = standIn.callsTo("chat.postMessage")[0]!;
      expect(post.args.channel).to.equal("CDEPLOYS");
      expect(post.args.text).to.equal("working");
      expect(blockText(post.args.blocks)).to.include(":hourglass_flowing_sand: thinking");
      expect(blockText(post.args.blocks)).to.include("<@UALICE> ran `/echo slow`");
      await standIn.waitFor(() => standIn.callsTo("chat.update").length === 1, 6000, "the final update");
      const update = standIn.callsTo("chat.update")[0]!;
      expect(update.args.ts).to.equal(post.result.ts);
      expect(update.args.text).to.equal("slow work done");
      expect(blockText(update.args.blocks)).to.include("slow work done");
      expect(update.at - post.at).to.be.at.least(3500);
    });

    it("throttles updates to about one a second and always delivers the last state", async function () {
      bot = await startTestBot({ standIn, updateIntervalMs: 300 });
      await slash("progress");
      await standIn.waitFor(() => standIn.callsTo("chat.update").some((c) => c.args.text === "all 20 steps done"), 5000, "the final state");
      const writes = [...standIn.callsTo("chat.postMessage"), ...standIn.callsTo("chat.update")].sort((a, b) => a.at - b.at);
      // 20 progress sends and a final one, ~200 ms apart at most: coalesced into a handful of writes.
      expect(writes.length).to.be.below(6);
      for (let i = 1; i < writes.length; i++) expect(writes[i]!.at - writes[i - 1]!.at).to.be.at.least(250);
      expect(writes.at(-1)!.args.text).to.equal("all 20 steps done");
    });
  });

  describe("rate limits", () => {
    it("a 429 on one message's update does not hold up other messages (no queue-wide pause)", async function () {
      this.timeout(10_000);
      bot = await startTestBot({ standIn, updateIntervalMs: 50, slowMs: 200 });
      standIn.reset();
      standIn.rateLimits.set("chat.update", { retryAfter: 3, times: 1 });
      await slash("slow");
      await standIn.waitFor(() => standIn.callsTo("chat.update").some((c) => c.result.status === 429), 3000, "the rate-limited update");
      const limitedAt = Date.now();
      await slash("say hi", { responseId: "r2" });
      await standIn.waitFor(() => standIn.callsTo("chat.postMessage").some((c) => c.args.text === "hi"), 3000, "the other message");
      const other = standIn.callsTo("chat.postMessage").find((c) => c.args.text === "hi")!;
      expect(other.at - limitedAt).to.be.below(1500);
      // The rate-limited message waits for its Retry-After, then its final state lands.
      expect(standIn.callsTo("chat.update").filter((c) => c.result.status !== 429)).to.have.length(0);
      await standIn.waitFor(() => standIn.callsTo("chat.update").some((c) => c.result.status !== 429), 5000, "the final state after Retry-After");
      const landed = standIn.callsTo("chat.update").find((c) => c.result.status !== 429)!;
      expect(landed.args.text).to.equal("slow work done");
      expect(landed.at - limitedAt).to.be.at.least(2500);
      expect(bot.logs.some((l) => l.level === "warn" && /rate-limited this message/.test(l.message) && l.meta.retryAfterSeconds === 3)).to.equal(true);
    });
  });

  describe("final state delivery", () => {
    it("posts the final state in the thread when chat.update keeps failing", async () => {
      bot = await startTestBot({ standIn, updateIntervalMs: 50, slowMs: 200 });
      standIn.reset();
      standIn.overrides.set("chat.update", () => ({ ok: false, error: "message_not_found" }));
      await slash("slow");
      await standIn.waitFor(() => standIn.callsTo("chat.postMessage").length === 2, 8000, "the final state as a thread reply");
      const [post, final] = standIn.callsTo("chat.postMessage");
      expect(final!.args.thread_ts).to.equal(post!.result.ts);
      expect(final!.args.text).to.equal("slow work done");
      expect(bot.logs.some((l) => l.message.includes("chat.update failed"))).to.equal(true);
    });
  });

  describe("permalinks", () => {
    it("permalink() uses chat.getPermalink for the posted message (undefined before the first post)", async () => {
      bot = await startTestBot({ standIn, updateIntervalMs: 50 });
      standIn.reset();
      await slash("link");
      await standIn.waitFor(() => standIn.callsTo("chat.update").length === 1);
      const post = standIn.callsTo("chat.postMessage")[0]!;
      const get = standIn.callsTo("chat.getPermalink");
      expect(get).to.have.length(1);
      expect(get[0]!.args).to.include({ channel: "CDEPLOYS", message_ts: post.result.ts });
      expect(standIn.callsTo("chat.update")[0]!.args.text).to.equal(`before=none link=${get[0]!.result.permalink}`);
    });
  });

  describe("private answers", () => {
    beforeEach(async () => {
      bot = await startTestBot({ standIn });
      standIn.reset();
    });

    it("sends a denial only to the caller (response_url, ephemeral)", async () => {
      await slash("secret", { user: "UBOB" });
      await standIn.waitFor(() => standIn.responses.length === 1);
      await sleep(100);
      const r = standIn.responses[0]!;
      expect(r.payload.response_type).to.equal("ephemeral");
      expect(r.payload.text).to.match(/Denied: you need the `echo:admin` permission/);
      expect(standIn.callsTo("chat.postMessage")).to.have.length(0);
      expect(bot.runs.secret!.called).to.equal(false);
    });

    it("sends a usage error only to the caller", async () => {
      await slash("say");
      await standIn.waitFor(() => standIn.responses.length === 1);
      await sleep(100);
      expect(standIn.responses[0]!.payload.response_type).to.equal("ephemeral");
      expect(standIn.responses[0]!.payload.text).to.equal("say what?");
      expect(blockText(standIn.responses[0]!.payload.blocks)).to.include("Usage: echo say");
      expect(standIn.callsTo("chat.postMessage")).to.have.length(0);
    });

    it("answers a denial for a mention with chat.postEphemeral, never in the channel", async () => {
      await postSigned(bot.eventsUrl, eventBody("Ev1", { type: "app_mention", user: "UBOB", text: "<@UBOT> echo secret", channel: "CDEPLOYS", ts: "1.1", event_ts: "1.1" }), JSON_TYPE);
      await standIn.waitFor(() => standIn.callsTo("chat.postEphemeral").length === 1);
      await sleep(100);
      const e = standIn.callsTo("chat.postEphemeral")[0]!;
      expect(e.args.user).to.equal("UBOB");
      expect(e.args.channel).to.equal("CDEPLOYS");
      expect(standIn.callsTo("chat.postMessage")).to.have.length(0);
    });

    it("falls back to chat.postEphemeral when the response_url fails", async () => {
      const body = slashCommandBody({ command: "/echo", text: "secret", user_id: "UBOB", response_url: `${standIn.baseUrl}/gone` });
      await postSigned(bot.eventsUrl, body, FORM);
      await standIn.waitFor(() => standIn.callsTo("chat.postEphemeral").length === 1);
      expect(standIn.callsTo("chat.postEphemeral")[0]!.args.user).to.equal("UBOB");
      expect(standIn.callsTo("chat.postMessage")).to.have.length(0);
    });

    it("tells the caller privately when it cannot post in the channel for another reason", async () => {
      standIn.overrides.set("chat.postMessage", () => ({ ok: false, error: "is_archived" }));
      await slash("say hi");
      await standIn.waitFor(() => standIn.responses.length === 1);
      expect(standIn.responses[0]!.payload.response_type).to.equal("ephemeral");
      expect(blockText(standIn.responses[0]!.payload.blocks)).to.include("is_archived");
      expect(blockText(standIn.responses[0]!.payload.blocks)).to.include("hi");
    });
  });

  describe("conversations Tugboat is not in (private channels, other people's DMs, group DMs)", () => {
    beforeEach(async () => {
      bot = await startTestBot({ standIn, updateIntervalMs: 50, slowMs: 300, confirmTimeoutSeconds: 5 });
      standIn.reset();
    });

    it("a private channel: the visible record goes in_channel through the response_url, the final state replaces it, with the invite hint", async () => {
      standIn.notIn.add("CPRIVATE");
      await slash("slow", { channel: "CPRIVATE", channelName: "privategroup" });
      await standIn.waitFor(() => standIn.responses.length === 2, 4000, "the record and its final state");
      await sleep(200);
      const [first, last] = standIn.responses.map((r) => r.payload);
      expect(first).to.include({ response_type: "in_channel", replace_original: false, text: "working" });
      expect(blockText(first!.blocks)).to.include("<@UALICE> ran `/echo slow`").and.include("thinking").and.include("/invite @Tugboat");
      expect(last).to.include({ response_type: "in_channel", replace_original: true, text: "slow work done" });
      expect(standIn.callsTo("chat.postMessage").map((c) => c.result.error)).to.deep.equal(["not_in_channel"]);
      expect(standIn.callsTo("chat.postEphemeral")).to.have.length(0);
      expect(standIn.responses).to.have.length(2);
    });

    it("someone else's DM: Confirm/Cancel reaches the asker alone, pressing it updates the prompt, the result is recorded, and no invite hint", async () => {
      standIn.notIn.add("DOTHER");
      await slash("danger", { channel: "DOTHER", channelName: "directmessage" });
      await standIn.waitFor(() => standIn.responses.some((r) => blockText(r.payload.blocks).includes("tugboat_confirm")), 3000, "the ephemeral prompt");
      const prompt = standIn.responses.find((r) => blockText(r.payload.blocks).includes("tugboat_confirm"))!.payload;
      expect(prompt.response_type).to.equal("ephemeral");
      const id = prompt.blocks.find((b: any) => b.type === "actions").elements[0].value;
      const press = buttonPressBody({ actionId: "tugboat_confirm", value: id, userId: "UALICE", channel: "DOTHER", messageTs: "1.1", responseUrl: standIn.responseUrl("press-UALICE") });
      expect((await postSigned(bot.eventsUrl, press, FORM)).status).to.equal(200);
      await standIn.waitFor(() => standIn.responses.some((r) => r.payload.text === "dropped the table"), 3000, "the recorded result");
      const updated = standIn.responses.find((r) => r.path.endsWith("press-UALICE"))!.payload;
      expect(updated.replace_original).to.equal(true);
      expect(blockText(updated.blocks)).to.include("Confirmed by <@UALICE>").and.not.include("tugboat_confirm");
      const result = standIn.responses.find((r) => r.payload.text === "dropped the table")!.payload;
      expect(result.response_type).to.equal("in_channel");
      expect(JSON.stringify(standIn.responses)).not.to.include("/invite");
      expect(bot.runs.danger!.calledOnce).to.equal(true);
    });

    it("a group DM: many progress updates still fit Slack's 5 response_url posts (the first state and the final one)", async () => {
      standIn.notIn.add("GGROUPDM");
      await slash("progress", { channel: "GGROUPDM", channelName: "mpdm-alice--bob--carol-1" });
      await standIn.waitFor(() => standIn.responses.some((r) => r.payload.text === "all 20 steps done"), 5000, "the final state");
      await sleep(200);
      expect(standIn.responses.map((r) => r.payload.response_type)).to.deep.equal(["in_channel", "in_channel"]);
      expect(JSON.stringify(standIn.responses)).not.to.include("/invite");
    });

    it("the stand-in, like Slack, takes at most 5 posts per response_url", async () => {
      const url = standIn.responseUrl("budget");
      const answers = [];
      for (let i = 0; i < 6; i++) answers.push((await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" })).status);
      expect(answers).to.deep.equal([200, 200, 200, 200, 200, 404]);
    });
  });

  describe("mentions and DMs", () => {
    beforeEach(async () => {
      bot = await startTestBot({ standIn });
      standIn.reset();
    });

    it("strips the bot mention and reaches the same handler", async () => {
      const res = await postSigned(
        bot.eventsUrl,
        eventBody("Ev100", { type: "app_mention", user: "UALICE", text: "<@UBOT> echo say deploy PR4812 to canary", channel: "CDEPLOYS", ts: "10.1", event_ts: "10.1" }),
        JSON_TYPE,
      );
      expect(res.status).to.equal(200);
      await standIn.waitFor(() => standIn.callsTo("chat.postMessage").length === 1);
      expect(bot.runs.say!.calledOnce).to.equal(true);
      expect(bot.runs.say!.firstCall.args[0]).to.deep.equal({ words: ["deploy", "PR4812", "to", "canary"] });
      expect(standIn.callsTo("chat.postMessage")[0]!.args.text).to.equal("deploy PR4812 to canary");
    });

    it("takes the command from after the bot's mention when the message starts by mentioning someone else", async () => {
      await postSigned(
        bot.eventsUrl,
        eventBody("Ev102", { type: "app_mention", user: "UALICE", text: "<@UCAROL> can you <@UBOT> echo say deploy status", channel: "CDEPLOYS", ts: "12.1", event_ts: "12.1" }),
        JSON_TYPE,
      );
      await standIn.waitFor(() => standIn.callsTo("chat.postMessage").length === 1);
      expect(bot.runs.say!.firstCall.args[0]).to.deep.equal({ words: ["deploy", "status"] });
      expect(standIn.callsTo("chat.postMessage")[0]!.args.text).to.equal("deploy status");
      expect(standIn.callsTo("chat.postEphemeral")).to.have.length(0);
    });

    it("answers the usage, not 'unknown command', when nothing follows the bot's mention", async () => {
      await postSigned(bot.eventsUrl, eventBody("Ev103", { type: "app_mention", user: "UALICE", text: "<@UCAROL> ask <@UBOT>", channel: "CDEPLOYS", ts: "13.1", event_ts: "13.1" }), JSON_TYPE);
      await standIn.waitFor(() => standIn.callsTo("chat.postMessage").length + standIn.callsTo("chat.postEphemeral").length === 1);
      const answer = JSON.stringify([...standIn.callsTo("chat.postMessage"), ...standIn.callsTo("chat.postEphemeral")].map((c) => c.args));
      expect(answer).not.to.include("unknown command");
      expect(answer).to.include("/echo");
      expect(bot.runs.say!.called).to.equal(false);
    });

    it("replies in the thread a mention came from", async () => {
      await postSigned(
        bot.eventsUrl,
        eventBody("Ev101", { type: "app_mention", user: "UALICE", text: "<@UBOT> echo say hi", channel: "CDEPLOYS", ts: "11.2", thread_ts: "11.1", event_ts: "11.2" }),
        JSON_TYPE,
      );
      await standIn.waitFor(() => standIn.callsTo("chat.postMessage").length === 1);
      expect(standIn.callsTo("chat.postMessage")[0]!.args.thread_ts).to.equal("11.1");
    });

    it("handles a DM, and ignores bot messages and subtypes", async () => {
      await postSigned(bot.eventsUrl, eventBody("Ev200", { type: "message", channel_type: "im", channel: "DALICE", user: "UALICE", text: "echo say from a dm", ts: "20.1", event_ts: "20.1" }), JSON_TYPE);
      await postSigned(
        bot.eventsUrl,
        eventBody("Ev201", { type: "message", subtype: "bot_message", channel_type: "im", channel: "DALICE", bot_id: "BOTHER", text: "echo say bot", ts: "20.2", event_ts: "20.2" }),
        JSON_TYPE,
      );
      await postSigned(
        bot.eventsUrl,
        eventBody("Ev202", { type: "message", subtype: "message_changed", channel_type: "im", channel: "DALICE", hidden: true, message: { text: "echo say edited" }, ts: "20.3", event_ts: "20.3" }),
        JSON_TYPE,
      );
      await postSigned(bot.eventsUrl, eventBody("Ev203", { type: "message", channel_type: "im", channel: "DALICE", user: "UOTHER", bot_id: "BX", text: "echo say other bot", ts: "20.4", event_ts: "20.4" }), JSON_TYPE);
      await standIn.waitFor(() => standIn.callsTo("chat.postMessage").length >= 1);
      await sleep(200);
      expect(bot.runs.say!.callCount).to.equal(1);
      expect(standIn.callsTo("chat.postMessage")).to.have.length(1);
      expect(standIn.callsTo("chat.postMessage")[0]!.args.channel).to.equal("DALICE");
      expect(standIn.callsTo("chat.postMessage")[0]!.args.text).to.equal("from a dm");
    });

    it("answers a usage error in a DM in the DM itself", async () => {
      await postSigned(bot.eventsUrl, eventBody("Ev210", { type: "message", channel_type: "im", channel: "DALICE", user: "UALICE", text: "echo say", ts: "21.1", event_ts: "21.1" }), JSON_TYPE);
      await standIn.waitFor(() => standIn.callsTo("chat.postMessage").length === 1);
      expect(standIn.callsTo("chat.postMessage")[0]!.args.channel).to.equal("DALICE");
      expect(standIn.callsTo("chat.postMessage")[0]!.args.text).to.equal("say what?");
      expect(standIn.callsTo("chat.postEphemeral")).to.have.length(0);
    });

    it("deduplicates Events API retries on event_id (X-Slack-Retry-Num)", async () => {
      const body = eventBody("Ev300", { type: "app_mention", user: "UALICE", text: "<@UBOT> echo say once", channel: "CDEPLOYS", ts: "30.1", event_ts: "30.1" });
      const first = await postSigned(bot.eventsUrl, body, JSON_TYPE);
      const retry1 = await postSigned(bot.eventsUrl, body, JSON_TYPE, { timestamp: nowSeconds() + 1, headers: { "x-slack-retry-num": "1", "x-slack-retry-reason": "http_timeout" } });
      const retry2 = await postSigned(bot.eventsUrl, body, JSON_TYPE, { timestamp: nowSeconds() + 2, headers: { "x-slack-retry-num": "2", "x-slack-retry-reason": "http_timeout" } });
      for (const r of [first, retry1, retry2]) expect(r.status).to.equal(200);
      await standIn.waitFor(() => standIn.callsTo("chat.postMessage").length === 1);
      await sleep(200);
      expect(bot.runs.say!.callCount).to.equal(1);
      expect(standIn.callsTo("chat.postMessage")).to.have.length(1);
      expect(bot.logs.some((l) => l.message === "ignored a retried Slack event" && l.meta.retryNum === 2)).to.equal(true);
    });

    it("answers Slack's url_verification challenge", async () => {
      const res = await postSigned(bot.eventsUrl, JSON.stringify({ type: "url_verification", challenge: "c-123", token: "t" }), JSON_TYPE);
      expect(res.status).to.equal(200);
      expect(res.body).to.include("c-123");
    });
  });

  describe("confirm buttons", () => {
    async function askToConfirm(): Promise<{ id: string; ts: string; blocks: any[] }> {
      await slash("danger");
      await standIn.waitFor(() => standIn.callsTo("chat.postMessage").length === 1, 3000, "the confirmation prompt");
      const prompt = standIn.callsTo("chat.postMessage")[0]!;
      const actions = prompt.args.blocks.find((b: any) => b.type === "actions");
      expect(actions.elements.map((e: any) => e.action_id)).to.deep.equal(["tugboat_confirm", "tugboat_cancel"]);
      expect(actions.elements[0].value).to.equal(actions.elements[1].value);
      // 96 random bits in hex: the id also names the prompt's Lease, shared by the replicas.
      expect(actions.elements[0].value).to.match(/^[0-9a-f]{24}$/);
      return { id: actions.elements[0].value, ts: prompt.result.ts, blocks: prompt.args.blocks };
    }

    const press = (actionId: string, value: string, userId: string, ts: string) =>
      postSigned(bot.eventsUrl, buttonPressBody({ actionId, value, userId, channel: "CDEPLOYS", messageTs: ts, responseUrl: standIn.responseUrl(`press-${userId}`) }), FORM);

    beforeEach(async () => {
      bot = await startTestBot({ standIn, confirmTimeoutSeconds: 2 });
      standIn.reset();
    });

    it("refuses another user's press, then the asker's press confirms", async () => {
      const prompt = await askToConfirm();
      const ts = prompt.ts;
      const other = await press("tugboat_confirm", prompt.id, "UBOB", ts);
      expect(other.status).to.equal(200);
      expect(other.elapsedMs).to.be.below(3000);
      await standIn.waitFor(() => standIn.responses.length === 1);
      expect(standIn.responses[0]!.payload).to.include({ response_type: "ephemeral", text: "Only <@UALICE> can confirm this." });
      expect(standIn.callsTo("chat.update")).to.have.length(0);

      const mine = await press("tugboat_confirm", prompt.id, "UALICE", ts);
      expect(mine.status).to.equal(200);
      await standIn.waitFor(() => standIn.callsTo("chat.postMessage").some((c) => c.args.text === "dropped the table"), 3000, "the result");
      const update = standIn.callsTo("chat.update").find((c) => blockText(c.args.blocks).includes("Confirmed by <@UALICE>"));
      expect(update, "the prompt says who confirmed").to.not.equal(undefined);
      expect(update!.args.ts).to.equal(ts);
      expect(blockText(update!.args.blocks)).not.to.include("tugboat_confirm");
      await until(() => bot.audit.length === 1, 2000, "the audit entry");
      expect(bot.audit[0]).to.include({ outcome: "success" });
      expect(bot.runs.danger!.calledOnce).to.equal(true);
    });

    it("cancel cancels", async () => {
      const prompt = await askToConfirm();
      await press("tugboat_cancel", prompt.id, "UALICE", prompt.ts);
      await standIn.waitFor(() => standIn.callsTo("chat.postMessage").some((c) => c.args.text === "left the table alone"), 3000, "the result");
      expect(standIn.callsTo("chat.update").some((c) => blockText(c.args.blocks).includes("Cancelled by <@UALICE>"))).to.equal(true);
      await until(() => bot.audit.length === 1, 2000, "the audit entry");
      expect(bot.audit[0]).to.include({ outcome: "cancelled" });
    });

    it("times out after confirmTimeoutSeconds", async function () {
      this.timeout(6000);
      const prompt = await askToConfirm();
      await standIn.waitFor(() => standIn.callsTo("chat.postMessage").some((c) => c.args.text === "left the table alone"), 4000, "the time-out");
      await standIn.waitFor(() => standIn.callsTo("chat.update").some((c) => blockText(c.args.blocks).includes("Nobody answered within 2 seconds")), 1000, "the timed-out prompt");
      await until(() => bot.audit.length === 1, 2000, "the audit entry");
      expect(bot.audit[0]).to.include({ outcome: "cancelled" });
      // A late press is told the prompt is closed.
      await press("tugboat_confirm", prompt.id, "UALICE", prompt.ts);
      await standIn.waitFor(() => standIn.responses.length === 1);
      expect(standIn.responses[0]!.payload.text).to.match(/no longer open/);
    });
  });

  describe("long output", () => {
    beforeEach(async () => {
      bot = await startTestBot({ standIn });
      standIn.reset();
    });

    it("cuts at a line boundary, says how many rows were left out, and uploads the full text into the thread", async () => {
      await slash("long 5000");
      await standIn.waitFor(() => standIn.callsTo("files.completeUploadExternal").length === 1, 3000, "the upload");
      const post = standIn.callsTo("chat.postMessage")[0]!;
      const text = blockText(post.args.blocks);
      const m = /… ([\d,]+) more rows/.exec(text);
      expect(m, "truncation line").to.not.equal(null);
      const code = post.args.blocks.find((b: any) => b.text?.text?.startsWith("```")).text.text as string;
      const shownRows = code.split("```")[1]!.trim().split("\n").length;
      expect(Number(m![1]!.replace(/,/g, "")) + shownRows).to.equal(5001);
      expect(code.length).to.be.at.most(3000);
      // Every shown row is whole.
      for (const row of code.split("```")[1]!.trim().split("\n").slice(1)) expect(row).to.match(/^unicorn-7f9c6d8b4-\d{5} {3}1\/1 {5}Running {3}0 {10}3d$/);

      const getUrl = standIn.callsTo("files.getUploadURLExternal")[0]!;
      expect(getUrl.args.filename).to.equal("tugboat-output.txt");
      expect(standIn.uploads).to.have.length(1);
      expect(standIn.uploads[0]!.body).to.include("unicorn-7f9c6d8b4-04999");
      const complete = standIn.callsTo("files.completeUploadExternal")[0]!;
      expect(complete.args.channel_id).to.equal("CDEPLOYS");
      expect(complete.args.thread_ts).to.equal(post.result.ts);
    });

    it("posts the full text into the thread in parts when uploads are not allowed, and says so", async () => {
      standIn.overrides.set("files.getUploadURLExternal", () => ({ ok: false, error: "not_allowed" }));
      await slash("long 300");
      await standIn.waitFor(() => standIn.callsTo("chat.postMessage").length >= 3, 3000, "the fallback parts");
      await sleep(200);
      const [main, intro, ...parts] = standIn.callsTo("chat.postMessage");
      expect(blockText(main!.args.blocks)).to.match(/more rows/);
      expect(intro!.args.thread_ts).to.be.a("string");
      expect(intro!.args.text).to.include("couldn't attach the full output as a file (not_allowed)");
      expect(parts.length).to.be.at.least(2);
      for (const p of parts) expect(p.args.thread_ts).to.equal(intro!.args.thread_ts);
      const all = parts.map((p) => p.args.text).join("\n");
      expect(all).to.include("unicorn-7f9c6d8b4-00000");
      expect(all).to.include("unicorn-7f9c6d8b4-00299");
      expect(bot.logs.some((l) => l.level === "warn" && /file upload failed/.test(l.message))).to.equal(true);
    });
  });

  describe("user groups", () => {
    it("resolves membership with usergroups.users.list, caches it, and treats failures as not a member", async () => {
      let t = Date.now();
      bot = await startTestBot({ standIn, userGroupCacheSeconds: 60, now: () => t });
      standIn.reset();
      standIn.groupMembers.set("SGROUP", ["UCAROL", "UDAVE"]);
      expect(await bot.adapter.groups.groupsOf("UCAROL", ["SGROUP", "SGROUP"])).to.deep.equal(new Set(["SGROUP"]));
      expect(await bot.adapter.groups.groupsOf("UDAVE", ["SGROUP"])).to.deep.equal(new Set(["SGROUP"]));
      expect(await bot.adapter.groups.groupsOf("UALICE", ["SGROUP"])).to.deep.equal(new Set());
      expect(standIn.callsTo("usergroups.users.list")).to.have.length(1);
      expect(standIn.callsTo("usergroups.users.list")[0]!.args.usergroup).to.equal("SGROUP");

      // Through the router: a group grants echo:group.
      await slash("group", { user: "UCAROL" });
      await standIn.waitFor(() => standIn.callsTo("chat.postMessage").length === 1);
      expect(standIn.callsTo("chat.postMessage")[0]!.args.text).to.equal("group ok");
      expect(standIn.callsTo("usergroups.users.list")).to.have.length(1);

      // After the cache time, it asks again.
      t += 61_000;
      standIn.groupMembers.set("SGROUP", ["UDAVE"]);
      expect(await bot.adapter.groups.groupsOf("UCAROL", ["SGROUP"])).to.deep.equal(new Set());
      expect(standIn.callsTo("usergroups.users.list")).to.have.length(2);

      // Failures: not a member, a warning without the token.
      t += 61_000;
      standIn.overrides.set("usergroups.users.list", () => ({ ok: false, error: "missing_scope", needed: "usergroups:read" }));
      expect(await bot.adapter.groups.groupsOf("UDAVE", ["SGROUP", "SOTHER"])).to.deep.equal(new Set());
      const warns = bot.logs.filter((l) => l.level === "warn" && /user group/.test(l.message));
      expect(warns.length).to.be.at.least(2);
      expect(JSON.stringify(warns)).to.include("missing_scope").and.not.include(BOT_TOKEN);
    });

    it("concurrent lookups of the same group make one call", async () => {
      bot = await startTestBot({ standIn });
      standIn.reset();
      standIn.groupMembers.set("SGROUP", ["UCAROL"]);
      await Promise.all([1, 2, 3, 4].map(() => bot.adapter.groups.groupsOf("UCAROL", ["SGROUP"])));
      expect(standIn.callsTo("usergroups.users.list")).to.have.length(1);
    });
  });

  describe("notifier and shutdown", () => {
    it("notifier.post is a plain chat.postMessage with rendered blocks", async () => {
      bot = await startTestBot({ standIn });
      standIn.reset();
      await bot.adapter.notifier.post("COPS", { summary: "reaped 2 labs", tone: "info", blocks: [{ type: "header", text: "Reaper" }, { type: "list", items: ["lab-1", "lab-2"] }] });
      const post = standIn.callsTo("chat.postMessage")[0]!;
      expect(post.args.channel).to.equal("COPS");
      expect(post.args.text).to.equal("reaped 2 labs");
      expect(post.args.blocks[0]).to.deep.equal({ type: "header", text: { type: "plain_text", text: "Reaper", emoji: true } });
      expect(post.args.blocks[1].text.text).to.equal("• lab-1\n• lab-2");
    });

    it("stop() closes the receiver and open prompts", async () => {
      bot = await startTestBot({ standIn, confirmTimeoutSeconds: 30 });
      standIn.reset();
      await slash("danger");
      await standIn.waitFor(() => standIn.callsTo("chat.postMessage").length === 1);
      const url = bot.eventsUrl;
      await bot.adapter.stop();
      await standIn.waitFor(() => standIn.callsTo("chat.update").some((c) => blockText(c.args.blocks).includes("Tugboat restarted")), 2000, "the closed prompt");
      let refused = false;
      try {
        await fetch(url, { method: "POST", body: "x" });
      } catch {
        refused = true;
      }
      expect(refused).to.equal(true);
    });
  });

  describe("HTTP limits: slow bodies and too many connections", () => {
    const limits = { requestTimeoutMs: 600, headersTimeoutMs: 400, keepAliveTimeoutMs: 500, checkIntervalMs: 100, maxConnections: 2 };

    /** Resolves with what the server sent and when it closed, or with closed: false after `withinMs`. */
    function watch(socket: Socket, withinMs: number): Promise<{ closed: boolean; received: string; afterMs: number }> {
      const started = Date.now();
      let received = "";
      socket.on("data", (d) => (received += d.toString()));
      return new Promise((resolve) => {
        const timer = setTimeout(() => resolve({ closed: false, received, afterMs: Date.now() - started }), withinMs);
        socket.on("close", () => {
          clearTimeout(timer);
          resolve({ closed: true, received, afterMs: Date.now() - started });
        });
        socket.on("error", () => undefined);
      });
    }

    async function open(port: number): Promise<Socket> {
      const socket = connect(port, "127.0.0.1");
      await new Promise((resolve) => socket.once("connect", resolve));
      return socket;
    }

    it("cuts a connection that sends its body slowly, within the request time-out", async () => {
      bot = await startTestBot({ standIn, httpLimits: limits });
      const socket = await open(bot.adapter.httpPort()!);
      socket.write("POST /slack/events HTTP/1.1\r\nHost: tugboat\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{");
      const trickle = setInterval(() => socket.writable && socket.write(" "), 50);
      const outcome = await watch(socket, 3000);
      clearInterval(trickle);
      socket.destroy();
      expect(outcome.closed, "the slow connection was still open after 3 s").to.equal(true);
      expect(outcome.afterMs).to.be.below(1500);
      expect(outcome.received).to.match(/^HTTP\/1\.1 408/);
      expect(bot.runs.say!.called).to.equal(false);
    });

    it("refuses connections beyond the limit, and serves again once they are gone", async () => {
      bot = await startTestBot({ standIn, httpLimits: { ...limits, requestTimeoutMs: 5000, headersTimeoutMs: 4000 } });
      const port = bot.adapter.httpPort()!;
      const held = [await open(port), await open(port)];
      for (const s of held) s.write("POST /slack/events HTTP/1.1\r\n");
      const third = await open(port);
      const refused = await watch(third, 1000);
      expect(refused.closed, "a third connection was accepted").to.equal(true);
      expect(refused.received).to.equal("");
      for (const s of held) s.destroy();
      await sleep(100);
      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(health.status).to.equal(200);
    });
  });
});
