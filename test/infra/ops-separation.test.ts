import { expect } from "chai";
import { planStartup, StartupError } from "../../src/config/environment.js";
import { PromMetrics } from "../../src/infra/metrics.js";
import { createOpsHandler, listenOps, publicAndPrivateOps, type OpsHandler } from "../../src/infra/ops-endpoints.js";
import { SlackStandIn } from "../chat/slack/helpers/slack-stand-in.js";
import { postSigned, slashCommandBody } from "../chat/slack/helpers/signed-request.js";
import { startTestBot, type TestBot } from "../chat/slack/helpers/test-bot.js";

// METRICS_PORT: Slack HTTP mode's public port (the real Bolt receiver, as main.ts wires it) keeps /slack/events,
// /github/webhooks and /healthz; /readyz and /metrics answer only on the separate listener.

const FORM = "application/x-www-form-urlencoded";

describe("ops paths on a separate listener (METRICS_PORT)", function () {
  this.timeout(20_000);
  let standIn: SlackStandIn;
  let bot: TestBot | undefined;
  let metricsServer: Awaited<ReturnType<typeof listenOps>> | undefined;

  before(async () => {
    standIn = await new SlackStandIn().start();
  });
  after(async () => standIn.stop());
  afterEach(async () => {
    await bot?.stop();
    await metricsServer?.close();
    bot = undefined;
    metricsServer = undefined;
    standIn.reset();
  });

  const ops = createOpsHandler({ readiness: () => ({ ready: true, reasons: [] }), metrics: new PromMetrics({ locksHeld: () => 0 }) });
  // Stands for the GitHub webhook endpoint: it answers its own path and nothing else.
  const webhooks: OpsHandler = (req, res) => {
    if (req.url !== "/github/webhooks") return false;
    res.writeHead(202).end();
    return true;
  };
  const statusOf = async (url: string, init?: RequestInit) => (await fetch(url, init)).status;

  it("separated: the public port answers 404 on /metrics and /readyz, still serves Slack, webhooks and /healthz; the other listener serves all three", async () => {
    const split = publicAndPrivateOps(ops, webhooks, true);
    bot = await startTestBot({ standIn, ops: split.public });
    metricsServer = await listenOps(split.private!, 0, "127.0.0.1");
    const internal = `http://127.0.0.1:${metricsServer.port}`;

    expect(await statusOf(`${bot.baseUrl}/metrics`)).to.equal(404);
    expect(await statusOf(`${bot.baseUrl}/readyz`)).to.equal(404);
    expect(await statusOf(`${bot.baseUrl}/healthz`)).to.equal(200);
    expect(await statusOf(`${bot.baseUrl}/github/webhooks`, { method: "POST", body: "{}" })).to.equal(202);
    const slash = await postSigned(bot.eventsUrl, slashCommandBody({ command: "/echo", text: "say hi", user_id: "UALICE", response_url: standIn.responseUrl("r1") }), FORM);
    expect(slash.status).to.equal(200);
    await standIn.waitFor(() => standIn.callsTo("chat.postMessage").length === 1);

    const metrics = await fetch(`${internal}/metrics`);
    expect(metrics.status).to.equal(200);
    expect(await metrics.text()).to.match(/^# TYPE tugboat_commands_total counter$/m);
    expect(await statusOf(`${internal}/readyz`)).to.equal(200);
    expect(await statusOf(`${internal}/healthz`)).to.equal(200);
    expect(await statusOf(`${internal}/slack/events`, { method: "POST", body: "{}" })).to.equal(404);
    expect(await statusOf(`${internal}/github/webhooks`, { method: "POST", body: "{}" })).to.equal(404);
  });

  it("not separated (METRICS_PORT unset): the public port serves /metrics and /readyz as before", async () => {
    const split = publicAndPrivateOps(ops, webhooks, false);
    expect(split.private).to.equal(undefined);
    bot = await startTestBot({ standIn, ops: split.public });
    expect(await statusOf(`${bot.baseUrl}/metrics`)).to.equal(200);
    expect(await statusOf(`${bot.baseUrl}/readyz`)).to.equal(200);
    expect(await statusOf(`${bot.baseUrl}/github/webhooks`, { method: "POST", body: "{}" })).to.equal(202);
  });

  it("METRICS_PORT is read from the environment: a port other than PORT, or nothing", () => {
    expect(planStartup({ METRICS_PORT: "9090" }).metricsPort).to.equal(9090);
    expect(planStartup({}).metricsPort).to.equal(undefined);
    expect(planStartup({ METRICS_PORT: " " }).metricsPort).to.equal(undefined);
    expect(() => planStartup({ METRICS_PORT: "http" })).to.throw(StartupError, 'METRICS_PORT must be a port number, not "http"');
    expect(() => planStartup({ METRICS_PORT: "0" })).to.throw(StartupError, "METRICS_PORT must be a port number");
    expect(() => planStartup({ PORT: "3000", METRICS_PORT: "3000" })).to.throw(StartupError, "METRICS_PORT must differ from PORT (both 3000)");
  });
});
