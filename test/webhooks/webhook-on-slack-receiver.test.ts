import { expect } from "chai";
import { createHmac } from "node:crypto";
import { silentLogger } from "../../src/core/logger.js";
import { systemClock } from "../../src/core/services.js";
import type { Router } from "../../src/core/router.js";
import { createWebhookVerifier } from "../../src/gateways/github/webhook-verifier.js";
import { createWebhookEndpoint, WEBHOOKS_PATH, type WebhookEndpoint } from "../../src/webhooks/webhook-endpoint.js";
import type { TugboatConfig } from "../../src/config/schema.js";
import type { SlackAdapter } from "../../src/chat/slack/slack-adapter.js";
import { SlackStandIn } from "../chat/slack/helpers/slack-stand-in.js";
import { testAdapter } from "../chat/slack/helpers/test-bot.js";

// In Slack HTTP mode, POST /github/webhooks is served by the Slack receiver on PORT, before Bolt (which would take
// the body for its own): main.ts hands it the ops paths and the webhook endpoint as one handler.
describe("GitHub webhooks on the Slack HTTP receiver", function () {
  this.timeout(30_000);
  const secret = "slack-mode-secret";
  let standIn: SlackStandIn;
  let adapter: SlackAdapter;
  let endpoint: WebhookEndpoint;
  const seen: string[] = [];

  before(async () => {
    standIn = await new SlackStandIn().start();
    const config = { apps: { github: { repo: "octo/github" } } } as unknown as TugboatConfig;
    endpoint = createWebhookEndpoint({
      verifier: createWebhookVerifier(secret),
      config,
      handlers: { status: [async (e) => void seen.push(`${e.context}=${e.state}`)] },
      log: silentLogger,
      clock: systemClock,
    });
    adapter = testAdapter(standIn, silentLogger, { ops: endpoint.handle });
    await adapter.start({ handle: async () => {}, running: () => [], drain: async () => {} } as unknown as Router);
  });
  after(async () => {
    await endpoint.stop();
    await adapter.stop();
    await standIn.stop();
  });

  it("a signed delivery is taken (202) and handled; an unsigned one gets 401", async () => {
    const url = `http://127.0.0.1:${adapter.httpPort()}${WEBHOOKS_PATH}`;
    const body = JSON.stringify({ sha: "c".repeat(40), context: "ci/image", state: "success", repository: { full_name: "octo/github" }, sender: { login: "octocat" } });
    const headers = { "content-type": "application/json", "x-github-event": "status", "x-github-delivery": "slack-mode-1" };
    const unsigned = await fetch(url, { method: "POST", body, headers });
    expect(unsigned.status).to.equal(401);
    const signed = await fetch(url, { method: "POST", body, headers: { ...headers, "x-hub-signature-256": `sha256=${createHmac("sha256", secret).update(body).digest("hex")}` } });
    expect(signed.status).to.equal(202);
    await endpoint.idle();
    expect(seen).to.deep.equal(["ci/image=success"]);
  });
});
