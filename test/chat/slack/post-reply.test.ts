import { expect } from "chai";
import { MessageReply } from "../../../src/chat/slack/post-reply.js";
import { ManualScheduler, fakeClient } from "./helpers/manual-scheduler.js";
import { DEFAULT_UPDATE_INTERVAL_MS } from "../../../src/chat/slack/slack-adapter.js";
import { withRetryAfter } from "../../../src/chat/slack/retry-after.js";
import { silentLogger } from "../../../src/core/logger.js";
import type { Reply } from "../../../src/core/reply.js";

// The pace of one message's updates, on an injected clock (no sleeping): at most one write per interval, the newest
// state wins, the final state always lands, and a 429 delays only the message it was about.

const progress = (step: number): Reply => ({ summary: `step ${step}`, tone: "info", blocks: [{ type: "progress", items: [{ label: `step ${step}`, state: "running" }] }] });
const final = (text: string): Reply => ({ summary: text, tone: "success", blocks: [{ type: "text", text }] });

describe("Slack message pace (injected clock)", () => {
  it("updates a message at most every 2.5 s by default, each write carrying the newest state, and always delivers the final state", async () => {
    expect(DEFAULT_UPDATE_INTERVAL_MS).to.be.within(2000, 3000);
    const clock = new ManualScheduler();
    const { client, writes } = fakeClient(clock);
    const message = new MessageReply({ client, channel: "C1", log: silentLogger, updateIntervalMs: DEFAULT_UPDATE_INTERVAL_MS, scheduler: clock });
    const sentAt: Array<{ at: number; text: string }> = [];
    for (let i = 1; i <= 20; i++) {
      void message.send(progress(i));
      sentAt.push({ at: clock.now(), text: `step ${i}` });
      await clock.advance(500);
    }
    const done = message.send(final("all 20 steps done"));
    await clock.advance(5000);
    await done;

    expect(writes[0]).to.include({ method: "chat.postMessage", text: "step 1", at: 0 });
    for (let i = 1; i < writes.length; i++) {
      expect(writes[i]!.method).to.equal("chat.update");
      expect(writes[i]!.at - writes[i - 1]!.at, `write ${i}`).to.be.at.least(DEFAULT_UPDATE_INTERVAL_MS);
      // Coalesced: what is written is the newest state sent by then.
      const newest = sentAt.filter((s) => s.at < writes[i]!.at).at(-1)!;
      if (writes[i]!.text !== "all 20 steps done") expect(writes[i]!.text).to.equal(newest.text);
    }
    expect(writes.length).to.be.at.most(Math.ceil(10_000 / DEFAULT_UPDATE_INTERVAL_MS) + 2);
    expect(writes.at(-1)!.text).to.equal("all 20 steps done");
  });

  it("a 429 with Retry-After delays that message only; its newest state (the final one) lands once the wait is over", async () => {
    const clock = new ManualScheduler();
    let limited = 0;
    const { client, writes } = fakeClient(clock, (method, channel) => (method === "chat.update" && channel === "CA" && limited++ === 0 ? 7 : undefined));
    const a = new MessageReply({ client, channel: "CA", log: silentLogger, updateIntervalMs: 2500, scheduler: clock });
    const b = new MessageReply({ client, channel: "CB", log: silentLogger, updateIntervalMs: 2500, scheduler: clock });
    void a.send(progress(1));
    void b.send(progress(1));
    await clock.advance(2500);
    void a.send(progress(2)); // rate-limited at 2.5 s: A waits until 9.5 s
    void b.send(progress(2));
    await clock.advance(500);
    void a.send(progress(3));
    await clock.advance(2000);
    void b.send(progress(3)); // B is not held up by A's 429
    await clock.advance(1000);
    const aDone = a.send(final("A done"));
    await clock.advance(10_000);
    await aDone;

    const of = (channel: string) => writes.filter((w) => w.channel === channel).map((w) => `${w.method}@${w.at}:${w.text}`);
    expect(of("CB")).to.deep.equal(["chat.postMessage@0:step 1", "chat.update@2500:step 2", "chat.update@5000:step 3"]);
    expect(of("CA")).to.deep.equal(["chat.postMessage@0:step 1", "chat.update@9500:A done"]);
  });

  it("keeps backing off while Slack keeps answering 429, and still delivers the final state", async () => {
    const clock = new ManualScheduler();
    let limited = 0;
    const { client, writes } = fakeClient(clock, (method) => (method === "chat.update" && limited++ < 3 ? 4 : undefined));
    const m = new MessageReply({ client, channel: "C1", log: silentLogger, updateIntervalMs: 2500, scheduler: clock });
    await m.send(progress(1));
    const done = m.send(final("done"));
    await clock.advance(30_000);
    await done;
    expect(writes.map((w) => `${w.method}@${w.at}:${w.text}`)).to.deep.equal(["chat.postMessage@0:step 1", "chat.update@14500:done"]);
  });

  it("other calls wait for their own Retry-After (withRetryAfter), and give up past the limit", async () => {
    const waited: number[] = [];
    let calls = 0;
    const result = await withRetryAfter(
      async () => {
        if (calls++ < 2) throw Object.assign(new Error("429"), { code: "slack_webapi_rate_limited_error", retryAfter: 3 });
        return "ok";
      },
      { sleep: async (ms) => void waited.push(ms) },
    );
    expect(result).to.equal("ok");
    expect(waited).to.deep.equal([3000, 3000]);
    let failed: unknown;
    await withRetryAfter(() => Promise.reject(Object.assign(new Error("429"), { code: "slack_webapi_rate_limited_error", retryAfter: 600 })), { sleep: async () => undefined }).catch((e) => (failed = e));
    expect(failed).to.have.property("retryAfter", 600);
  });
});
