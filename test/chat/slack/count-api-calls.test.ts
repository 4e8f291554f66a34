import { expect } from "chai";
import { countingFetch } from "../../../src/chat/slack/count-api-calls.js";

// The Slack Web API counter: each answer's API method and outcome (ok, Slack's error code, the HTTP status, or error).

describe("countingFetch (Slack Web API calls by method and outcome)", () => {
  const counted: Array<[string, string]> = [];
  const counter = { slackApiCall: (method: string, status: string) => void counted.push([method, status]) };
  const answer = (status: number, body: unknown) => async () => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
  const settle = () => new Promise((r) => setImmediate(r));

  beforeEach(() => (counted.length = 0));

  it("counts ok, Slack's error code, a rate limit and a call that got no answer, and hands the response on", async () => {
    const res = await countingFetch(counter, answer(200, { ok: true, ts: "1.2" }))("https://slack.com/api/chat.postMessage", { method: "POST" });
    expect(await res.json()).to.deep.equal({ ok: true, ts: "1.2" });
    await countingFetch(counter, answer(200, { ok: false, error: "channel_not_found" }))("https://slack.com/api/chat.update");
    await countingFetch(counter, answer(429, {}))("http://127.0.0.1:9/api/usergroups.users.list");
    await countingFetch(counter, answer(200, { ok: false, error: "<!channel> not a code" }))("https://slack.com/api/chat.update");
    const refused = countingFetch(counter, async () => Promise.reject(new TypeError("fetch failed")))("https://slack.com/api/auth.test");
    await refused.then(
      () => expect.fail("the error was swallowed"),
      (err: Error) => expect(err.message).to.equal("fetch failed"),
    );
    await countingFetch(counter, answer(200, "uploaded"))("https://files.slack.com/upload/v1/abc");
    await settle();
    // A 200 is counted once its body is read, so the order is not the calls' order.
    expect(counted).to.have.deep.members([
      ["chat.postMessage", "ok"],
      ["chat.update", "channel_not_found"],
      ["usergroups.users.list", "429"],
      ["chat.update", "error"],
      ["auth.test", "error"],
      ["upload", "200"],
    ]);
  });
});
