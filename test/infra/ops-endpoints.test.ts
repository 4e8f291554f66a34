import { expect } from "chai";
import sinon from "sinon";
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { startHarness, type Harness } from "../helpers/harness.js";
import { PromMetrics } from "../../src/infra/metrics.js";
import { createOpsHandler, listenOps } from "../../src/infra/ops-endpoints.js";
import { Readiness } from "../../src/startup/readiness.js";
import { findUnreachable } from "../../src/startup/check-reachable.js";
import { createGithubGateway } from "../../src/gateways/github/create-github-gateway.js";
import { silentLogger } from "../../src/core/logger.js";

// /healthz, /readyz and /metrics as production wires them, fed by commands run through the router on the sandbox.

describe("health, readiness and metrics endpoints", function () {
  this.timeout(60_000);
  let h: Harness;
  let metrics: PromMetrics;
  let ops: Awaited<ReturnType<typeof listenOps>> | undefined;

  beforeEach(async () => {
    metrics = new PromMetrics({ locksHeld: () => 0 });
    h = await startHarness({ metrics });
  });
  afterEach(async () => {
    await ops?.close();
    ops = undefined;
    await h.stop();
  });

  async function serve(readiness: Readiness): Promise<string> {
    ops = await listenOps(createOpsHandler({ readiness: () => readiness.state(), metrics }), 0, "127.0.0.1");
    return `http://127.0.0.1:${ops.port}`;
  }

  function families(text: string) {
    return new Map(parsePrometheusTextFormat(text).map((f) => [f.name, f]));
  }

  it("/metrics is Prometheus text that counts commands by family, verb and outcome, deploys by app and env, and GitHub requests", async () => {
    await h.run("/kube get pods -n github-production");
    const kube = await h.run("/kube get pods -n github-production");
    expect(kube.text, h.logText().split("\n").filter((l) => l.includes("internal error")).join("\n")).to.match(/unicorn/);
    await h.run("/nosuch thing");
    const deploy = await h.run("/deploy PR4812 to staging", { user: "UADMIN", channel: "CDEPLOYS" });
    expect(deploy.text).to.match(/staging/);
    const base = await serve(new Readiness({ check: async () => [], intervalMs: 60_000, log: silentLogger }));

    const res = await fetch(`${base}/metrics`);
    expect(res.status).to.equal(200);
    expect(res.headers.get("content-type")).to.match(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    // The parser accepts any line, so each one is also checked against the exposition format's grammar.
    for (const line of text.split("\n").filter((l) => l && !l.startsWith("# HELP ") && !l.startsWith("# TYPE "))) {
      expect(line).to.match(/^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\["\\n])*",?)*\})? (-?[0-9.e+-]+|[+-]Inf|NaN)$/);
    }
    const parsed = families(text);

    const commands = parsed.get("tugboat_commands_total")!;
    expect(commands.type).to.equal("COUNTER");
    const value = (labels: Record<string, string>) => commands.metrics.find((m) => JSON.stringify(m.labels) === JSON.stringify(labels))?.value;
    expect(value({ family: "kube", verb: "get", outcome: "success" })).to.equal("2");
    expect(value({ family: "unknown", verb: "", outcome: "invalid" })).to.equal("1");
    expect(value({ family: "deploy", verb: "deploy", outcome: "success" })).to.equal("1");

    const durations = parsed.get("tugboat_command_duration_seconds")!;
    expect(durations.type).to.equal("HISTOGRAM");
    // The parser keeps a histogram's buckets but drops its labels, _count and _sum: those are read from the text.
    expect(text).to.match(/^tugboat_command_duration_seconds_count\{family="kube",verb="get"\} 2$/m);

    const deploys = parsed.get("tugboat_deploys_total")!;
    expect(deploys.metrics.map((m) => [m.labels, m.value])).to.deep.equal([[{ app: "github", env: "staging", outcome: "success" }, "1"]]);
    const github = parsed.get("tugboat_github_requests_total")!;
    expect(github.metrics.some((m) => m.labels?.method === "POST" && m.labels?.status === "201"), "the GitHub deployment was created").to.equal(true);
    const kubeRequests = parsed.get("tugboat_kubernetes_requests_total")!;
    expect(kubeRequests.metrics.some((m) => m.labels?.cluster === "production" && m.labels?.method === "GET" && m.labels?.status === "200")).to.equal(true);
    expect(kubeRequests.metrics.some((m) => m.labels?.cluster === "staging" && m.labels?.method === "PATCH")).to.equal(true);
    for (const name of ["tugboat_locks_held", "tugboat_review_labs_alive", "tugboat_slack_ack_seconds", "tugboat_rollbacks_total"]) expect(parsed.has(name), name).to.equal(true);
  });

  it("/healthz is 200; /readyz reads cached checks (one round for many probes), names what is unreachable, and is 503 while draining", async () => {
    const check = sinon.spy(() => findUnreachable({ config: h.config, kube: h.kube, github: h.github, timeoutMs: 5_000 }));
    const readiness = new Readiness({ check, intervalMs: 60_000, log: silentLogger });
    const base = await serve(readiness);
    expect((await fetch(`${base}/readyz`)).status, "before the first check").to.equal(503);
    await readiness.start();
    try {
      for (let i = 0; i < 5; i++) {
        const ready = await fetch(`${base}/readyz`);
        expect(ready.status).to.equal(200);
        expect(await ready.json()).to.deep.equal({ ready: true, reasons: [] });
      }
      expect(check.callCount).to.equal(1);
      expect((await fetch(`${base}/healthz`)).status).to.equal(200);

      let slack: string | undefined = "Slack: Socket Mode disconnected";
      readiness.require(() => slack);
      expect(await (await fetch(`${base}/readyz`)).json()).to.deep.equal({ ready: false, reasons: ["Slack: Socket Mode disconnected"] });
      slack = undefined;
      readiness.startDraining();
      const draining = await fetch(`${base}/readyz`);
      expect(draining.status).to.equal(503);
      expect(await draining.json()).to.deep.equal({ ready: false, reasons: ["draining: shutting down"] });
      expect((await fetch(`${base}/healthz`)).status, "still alive while draining").to.equal(200);
      expect((await fetch(`${base}/slack/events`)).status).to.equal(404);
      expect((await fetch(`${base}/metrics`, { method: "POST" })).status).to.equal(405);
    } finally {
      readiness.stop();
    }
  });

  it("/readyz is 503 when GitHub does not answer, without the error's details", async () => {
    const github = createGithubGateway({ baseUrl: "http://127.0.0.1:1", token: "x", log: silentLogger, retries: 0, throttle: false });
    const readiness = new Readiness({ check: () => findUnreachable({ config: h.config, kube: h.kube, github, timeoutMs: 2_000 }), intervalMs: 60_000, log: silentLogger });
    const base = await serve(readiness);
    await readiness.start();
    readiness.stop();
    const res = await fetch(`${base}/readyz`);
    expect(res.status).to.equal(503);
    const body = await res.text();
    expect(JSON.parse(body)).to.deep.equal({ ready: false, reasons: ["GitHub unreachable"] });
    expect(body).not.to.include("127.0.0.1");
  });
});
