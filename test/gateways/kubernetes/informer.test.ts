import { expect } from "chai";
import { silentLogger } from "../../../src/core/logger.js";
import { KubeClusterClient } from "../../../src/gateways/kubernetes/kube-cluster-client.js";
import { GatewayError, type ApiResource } from "../../../src/gateways/types.js";
import { startKubeSandbox, TEST_DELAYS, type KubeSandbox } from "@tugboat/sandbox/kube";
import { kubeConfigFor } from "../../sandbox/kube/helpers.js";
import { eventually, ManualClock } from "../../helpers/manual-clock.js";

// The informer against the sandbox, on a clock the test moves: back-off on 403/429/5xx (growing, jittered,
// at least Retry-After), a clear error after repeated failure, and a re-list (no back-off) after 410 Gone.

const NS = "inf";
const DEADLINE = 600_000;

function deployment(name: string) {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: NS },
    spec: { replicas: 1, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "c", image: "nginx:1" }] } } },
  };
}

describe("kube gateway: the informer", function () {
  this.timeout(15_000);
  let sb: KubeSandbox;
  let clock: ManualClock;
  let cluster: KubeClusterClient;
  let deployments: ApiResource;

  beforeEach(async () => {
    sb = await startKubeSandbox({ clusterName: "t", delays: TEST_DELAYS, objects: [{ apiVersion: "v1", kind: "Namespace", metadata: { name: NS } }] });
    clock = new ManualClock();
    cluster = new KubeClusterClient("t", kubeConfigFor(sb), 5000, silentLogger, undefined, { resources: undefined, discovery: undefined, requests: 0, clock, random: () => 0.5 });
    deployments = (await cluster.resolve("deployments"))!;
    sb.requests.reset();
  });
  afterEach(async () => sb && sb.stop());

  const watches = () => sb.requests.log.filter((r) => r.path.endsWith("/deployments") && /(^|&)watch=true/.test(r.query ?? "")).length;
  const lists = () => sb.requests.log.filter((r) => r.path.endsWith("/deployments") && !/(^|&)watch=true/.test(r.query ?? "")).length;

  /** Moves the clock through each back-off (a sleep besides the deadline) until `settled`. */
  async function driveUntil(settled: () => boolean): Promise<void> {
    while (!settled()) {
      await eventually("a back-off or the end", () => settled() || clock.pending().some((ms) => ms !== DEADLINE));
      if (!settled()) clock.advance(clock.pending().find((ms) => ms !== DEADLINE)!);
    }
  }

  it("backs off a forbidden watch (1.2 s, 2.4 s, 4.8 s with this jitter) and then says why: 4 watches, not hundreds", async () => {
    sb.faults.add({ verb: "watch", resource: "deployments", status: 403 });
    const informer = cluster.informer(deployments, { namespace: NS });
    let outcome: unknown;
    const waiting = informer.waitFor(() => false, { timeoutMs: DEADLINE }).then(
      (v) => (outcome = v ?? "timed out"),
      (e) => (outcome = e),
    );
    await driveUntil(() => outcome !== undefined);
    await waiting;
    expect(outcome).to.be.instanceOf(GatewayError);
    expect((outcome as GatewayError).kind).to.equal("forbidden");
    expect((outcome as GatewayError).message).to.match(/^no permission to watch deployments in inf \(cluster t\): .*forbidden/);
    expect(watches()).to.equal(4);
    expect(lists()).to.equal(4);
    expect(clock.sleeps.filter((ms) => ms !== DEADLINE)).to.deep.equal([1200, 2400, 4800]);
    expect(informer.failure).to.equal(outcome);
    // Given up: nothing more is sent, whatever time passes.
    clock.advance(3600_000);
    await new Promise((r) => setTimeout(r, 30));
    expect(watches()).to.equal(4);
  });

  it("waits at least the Retry-After of a throttled (429) watch, then follows the resource", async () => {
    sb.faults.add({ verb: "watch", resource: "deployments", status: 429, retryAfterSeconds: 7, count: 2 });
    const informer = cluster.informer(deployments, { namespace: NS });
    let found: unknown;
    const waiting = informer.waitFor((i) => i.get("web"), { timeoutMs: DEADLINE }).then((v) => (found = v ?? "timed out"));
    await eventually("two throttled watches", () => watches() === 1 && clock.pending().length === 2);
    clock.advance(6999);
    await new Promise((r) => setTimeout(r, 30));
    expect(watches(), "not before Retry-After").to.equal(1);
    clock.advance(1);
    await eventually("the second watch", () => watches() === 2 && clock.pending().length === 2);
    clock.advance(7000);
    await eventually("a watch that stays open", () => watches() === 3);
    sb.putObject(deployment("web"));
    await waiting;
    expect((found as { metadata: { name: string } }).metadata.name).to.equal("web");
    expect(clock.sleeps.filter((ms) => ms !== DEADLINE)).to.deep.equal([7000, 7000]);
    informer.stop();
  });

  it("honours the Retry-After of API Priority and Fairness' plain-text 429 on a watch", async () => {
    sb.faults.add({ verb: "watch", resource: "deployments", apfRetryAfterSeconds: 3, count: 1 });
    const informer = cluster.informer(deployments, { namespace: NS });
    const waiting = informer.waitFor((i) => i.get("web"), { timeoutMs: DEADLINE });
    await driveUntil(() => watches() === 2);
    sb.putObject(deployment("web"));
    expect((await waiting)?.metadata?.name).to.equal("web");
    expect(clock.sleeps.filter((ms) => ms !== DEADLINE)).to.deep.equal([3000]);
    informer.stop();
  });

  it("re-lists at once after 410 Gone (no back-off) and keeps watching", async () => {
    sb.putObject(deployment("old"));
    sb.faults.add({ verb: "watch", resource: "deployments", status: 410, count: 1 });
    const informer = cluster.informer(deployments, { namespace: NS });
    const waiting = informer.waitFor((i) => i.get("new"), { timeoutMs: DEADLINE });
    await eventually("the second watch", () => watches() === 2);
    sb.putObject(deployment("new"));
    expect((await waiting)?.metadata?.name).to.equal("new");
    expect(lists()).to.equal(2);
    expect(informer.items().map((d) => d.metadata?.name).sort()).to.deep.equal(["new", "old"]);
    expect(clock.sleeps).to.deep.equal([DEADLINE]);
    informer.stop();
  });

  it("with keepTrying (background watches) it never gives up: back-off caps at 30 s and it recovers", async () => {
    sb.faults.add({ verb: "watch", resource: "deployments", status: 503, count: 7 });
    const informer = cluster.informer(deployments, { namespace: NS, keepTrying: true });
    let found: unknown;
    const waiting = informer.waitFor((i) => i.get("late"), { timeoutMs: DEADLINE }).then((v) => (found = v ?? "timed out"));
    await driveUntil(() => watches() === 8);
    sb.putObject(deployment("late"));
    await waiting;
    expect((found as { metadata: { name: string } }).metadata.name).to.equal("late");
    expect(clock.sleeps.filter((ms) => ms !== DEADLINE)).to.deep.equal([1200, 2400, 4800, 9600, 19200, 38400, 45000]);
    informer.stop();
  });

  it("waitFor resolves undefined at its deadline on the injected clock, and at once when aborted", async () => {
    const informer = cluster.informer(deployments, { namespace: NS });
    const timed = informer.waitFor((i) => i.get("never"), { timeoutMs: 5000 });
    await eventually("the watch", () => watches() === 1);
    clock.advance(5000);
    expect(await timed).to.equal(undefined);
    const abort = new AbortController();
    const aborted = informer.waitFor((i) => i.get("never"), { signal: abort.signal });
    abort.abort();
    expect(await aborted).to.equal(undefined);
    informer.stop();
  });
});
