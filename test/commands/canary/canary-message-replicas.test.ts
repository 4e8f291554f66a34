import { expect } from "chai";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { startSandbox, type Sandbox } from "@tugboat/sandbox";
import { TEST_DELAYS } from "@tugboat/sandbox/kube";
import { startPodMetrics, type PodMetrics } from "@tugboat/sandbox/metrics";
import { loadConfigFile } from "../../../src/config/load-config.js";
import { guardCanaries } from "../../../src/domain/deploy/canary-guard.js";
import type { Services } from "../../../src/core/services.js";
import { runThroughRouter } from "../../helpers/harness.js";
import { startPrometheus, waitForSeries, type RunningPrometheus } from "../../helpers/prometheus.js";
import { SlackStandIn, type RecordedCall } from "../../chat/slack/helpers/slack-stand-in.js";
import { startReplica, type Replica } from "../../chat/slack/helpers/replica.js";

// The canary's message over Slack with two replicas (issue 18): the guard of whichever replica runs a round edits
// the one message (chat.update of the ts stored on the canary Deployment), a message someone deleted is replaced by
// a new one, and the verdict ends it. Real Prometheus scraping the sandbox's pod metrics; the rounds' clock is moved.

const INTERVAL = 2;
const BAKE = 60;
const log = { debug() {}, info() {}, warn() {}, error() {}, child() { return log; } } as never;
const TITLE = /^github canary of PR #4812 \(\w{7}\) in production/;

describe("the canary's message over Slack, from two replicas", function () {
  this.timeout(60_000);
  let dir: string;
  let sandbox: Sandbox;
  let standIn: SlackStandIn;
  let metrics: PodMetrics;
  let prometheus: RunningPrometheus;
  const replicas: Replica[] = [];
  let at: number;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "tugboat-canary-message-"));
    sandbox = await startSandbox({ outDir: dir, delays: TEST_DELAYS });
    standIn = await new SlackStandIn().start();
    metrics = await startPodMetrics({ clusters: sandbox.clusters });
    prometheus = await startPrometheus([metrics.target]);
  });
  after(async () => {
    await Promise.allSettled(replicas.splice(0).map((r) => r.stop()));
    await prometheus?.stop();
    await metrics?.stop();
    await standIn?.stop();
    await sandbox?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** One guard round on this replica, on the test's clock. */
  async function round(replica: Replica): Promise<string[]> {
    const services: Services = { ...replica.app.services, clock: { now: () => new Date(at), sleep: async () => undefined } };
    const removed = await guardCanaries(services, log);
    at += INTERVAL * 1000;
    return removed;
  }

  const canaryWrites = () => standIn.calls.filter((c) => c.result.ok && ["chat.postMessage", "chat.update"].includes(c.method) && c.args.channel === "CDEPLOYS" && TITLE.test(String(c.args.text)));
  const storedTs = () => JSON.parse(sandbox.clusters.production!.getObject("apps/v1", "Deployment", "github-production", "unicorn-canary").metadata.annotations["tugboat.dev/canary-message"]).id as string;

  it("is edited in place by either replica's guard, replaced when deleted, and ends with the verdict", async () => {
    const raw = parse(readFileSync(sandbox.configPath, "utf8"));
    raw.coordination = { namespace: "default", leaseSeconds: 2 };
    for (const env of Object.values(raw.environments as Record<string, { approvals?: unknown }>)) delete env.approvals;
    const configPath = join(dir, "tugboat.yaml");
    writeFileSync(configPath, stringify(raw));
    const config = loadConfigFile(configPath);
    Object.assign(config.deploy.analysis, { prometheusUrl: prometheus.url, intervalSeconds: INTERVAL, bakeSeconds: BAKE, minSamples: 50, autoPromote: true });
    const [a, b] = [await startReplica({ name: "replica-a", sandbox, config, standIn }), await startReplica({ name: "replica-b", sandbox, config, standIn })];
    replicas.push(a!, b!);

    const t = await runThroughRouter(a!.app, "/deploy PR4812 to canary", { user: "UADMIN", channel: "CDEPLOYS" });
    expect(t.final?.tone, t.text).to.equal("success");
    await waitForSeries(prometheus.url, `rate(http_requests_total{namespace="github-production",pod=~"unicorn-canary-.*"}[${INTERVAL}s]) > 0`);
    at = Date.now();

    // Replica A posts the message and stores its ts; B (which never saw it) edits that ts; then A again.
    expect(await round(a!)).to.deep.equal([]);
    const [posted] = canaryWrites();
    expect(posted?.method).to.equal("chat.postMessage");
    const ts = String(posted!.result.ts);
    expect(storedTs()).to.equal(ts);
    expect(await round(b!)).to.deep.equal([]);
    expect(await round(a!)).to.deep.equal([]);
    const writes = canaryWrites();
    expect(writes.map((c) => c.method)).to.deep.equal(["chat.postMessage", "chat.update", "chat.update"]);
    expect(writes.slice(1).map((c) => c.args.ts)).to.deep.equal([ts, ts]);
    expect(writes.at(-1)!.args.text, writes.at(-1)!.args.text).to.match(/: passing \(0s ago\), error ratio 0\.\d% vs 0\.\d%, p99 latency \d+ ms vs \d+ ms; traffic its pods beside the stable pods \(no weights\); samples \d+ of 50 needed; baked \d+s of 60s$/);
    expect(blockText(writes.at(-1)!)).to.match(/error ratio +0\.\d% +0\.\d% +≤ stable \+ 1 points +pass/);

    // Someone deleted it: B's next round is refused (message_not_found) and posts a new one, stored for the next rounds.
    standIn.deleteMessage("CDEPLOYS", ts);
    expect(await round(b!)).to.deep.equal([]);
    const refused = standIn.calls.filter((c) => c.method === "chat.update" && c.args.ts === ts).at(-1);
    expect(refused?.result.error).to.equal("message_not_found");
    const replacement = canaryWrites().at(-1)!;
    expect(replacement.method).to.equal("chat.postMessage");
    const newTs = String(replacement.result.ts);
    expect(newTs).to.not.equal(ts);
    expect(storedTs()).to.equal(newTs);

    // Baked and passing: the verdict goes into the new message, and is posted anew so the channel is notified.
    at += BAKE * 1000;
    expect(await round(a!)).to.deep.equal([]);
    const verdict = standIn.calls.filter((c) => c.method === "chat.update" && c.args.ts === newTs).at(-1);
    expect(verdict?.args.text).to.match(/^The github canary passed its analysis \(error ratio .*\) for its bake time: promoting it to production\.$/);
    const notified = standIn.calls.filter((c) => c.method === "chat.postMessage" && c.args.text === verdict!.args.text);
    expect(notified).to.have.length(1);
    expect(standIn.calls.filter((c) => c.method === "chat.postMessage" && TITLE.test(String(c.args.text)))).to.have.length(2);
    // Posted so far: the message, its replacement, the verdict; then the promotion (as the deployer) reports on its own.
    await standIn.waitFor(() => standIn.callsTo("chat.postMessage").length >= 4, 30_000, "the promotion's report");
    const report = JSON.stringify(standIn.callsTo("chat.postMessage")[3]!.args);
    expect(report, report).to.match(/Promote canary|Removed the canary/);
  });
});

function blockText(call: RecordedCall): string {
  return JSON.stringify(call.args.blocks ?? []).replace(/\\n/g, "\n");
}
