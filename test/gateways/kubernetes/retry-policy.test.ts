import { expect } from "chai";
import { silentLogger } from "../../../src/core/logger.js";
import { KubeClusterClient } from "../../../src/gateways/kubernetes/kube-cluster-client.js";
import { GatewayError, type ApiResource } from "../../../src/gateways/types.js";
import { startKubeSandbox, TEST_DELAYS, type KubeSandbox } from "@tugboat/sandbox/kube";
import { kubeConfigFor } from "../../sandbox/kube/helpers.js";
import { ManualClock } from "../../helpers/manual-clock.js";

// The port's one retry policy, as the API server sees it: which answers are tried again, after how long.

describe("kube gateway: the retry policy", function () {
  this.timeout(15_000);
  let sb: KubeSandbox;
  let clock: ManualClock;
  let cluster: KubeClusterClient;
  let configmaps: ApiResource;

  beforeEach(async () => {
    sb = await startKubeSandbox({ clusterName: "t", delays: TEST_DELAYS, objects: [{ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cm", namespace: "default" }, data: { a: "1" } }] });
    clock = new ManualClock();
    cluster = new KubeClusterClient("t", kubeConfigFor(sb), 5000, silentLogger, undefined, { resources: undefined, discovery: undefined, requests: 0, clock, random: () => 0.5 });
    configmaps = (await cluster.resolve("configmaps"))!;
    sb.requests.reset();
  });
  afterEach(async () => sb && sb.stop());

  const sent = (method: string) => sb.requests.log.filter((r) => r.method === method && r.path.includes("/configmaps")).length;

  /** Settles `p`, moving the clock to each sleep the call asks for. */
  async function settle<T>(p: Promise<T>): Promise<T | Error> {
    let done = false;
    const result = p.then(
      (v) => v,
      (e: Error) => e,
    ).finally(() => (done = true));
    while (!done) {
      await new Promise((r) => setTimeout(r, 2));
      clock.advanceToNext();
    }
    return result;
  }

  it("retries a read answered 500 with a growing back-off", async () => {
    sb.faults.add({ verb: "get", resource: "configmaps", status: 500, count: 2 });
    const got = await settle(cluster.get(configmaps, "cm", "default"));
    expect((got as { data: object }).data).to.deep.equal({ a: "1" });
    expect(sent("GET")).to.equal(3);
    expect(clock.sleeps).to.deep.equal([75, 150]);
  });

  it("honours Retry-After of API Priority and Fairness' plain-text 429", async () => {
    sb.faults.add({ verb: "get", resource: "configmaps", apfRetryAfterSeconds: 3, count: 2 });
    await settle(cluster.get(configmaps, "cm", "default"));
    expect(sent("GET")).to.equal(3);
    expect(clock.sleeps).to.deep.equal([3000, 3000]);
  });

  it("does not wait out a Retry-After longer than the policy allows: it says what the server asked", async () => {
    sb.faults.add({ verb: "get", resource: "configmaps", status: 429, retryAfterSeconds: 60 });
    const err = await settle(cluster.get(configmaps, "cm", "default"));
    expect(err).to.be.instanceOf(GatewayError);
    expect((err as GatewayError).message).to.equal("the API server of cluster t is throttling requests (429 Too Many Requests) and asked to come back in 60 s");
    expect(clock.sleeps).to.deep.equal([]);
  });

  it("does not repeat a create answered 500 (it may have happened), and gives up after the policy's attempts", async () => {
    sb.faults.add({ verb: "create", resource: "configmaps", status: 500, count: 1 });
    const err = await settle(cluster.create(configmaps, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x", namespace: "default" } }));
    expect((err as GatewayError).status).to.equal(500);
    expect(sent("POST")).to.equal(1);
    sb.faults.add({ verb: "get", resource: "configmaps", status: 503 });
    await settle(cluster.withRetry({ attempts: 3 }).get(configmaps, "cm", "default"));
    expect(sent("GET")).to.equal(3);
  });

  it("per call: attempts 1 sends once", async () => {
    sb.faults.add({ verb: "get", resource: "configmaps", status: 500, count: 1 });
    const err = await settle(cluster.withRetry({ attempts: 1 }).get(configmaps, "cm", "default"));
    expect((err as GatewayError).status).to.equal(500);
    expect(sent("GET")).to.equal(1);
  });

  it("repeats a read-modify-write from its read when the write answers 409", async () => {
    let reads = 0;
    const step = async () => {
      const cm = await cluster.get(configmaps, "cm", "default");
      reads++;
      // Someone else writes between our read and our write, the first time.
      if (reads === 1) sb.putObject({ ...sb.getObject("v1", "ConfigMap", "default", "cm"), data: { a: "2" } });
      return cluster.replace(configmaps, { ...cm, data: { ...(cm.data as Record<string, string>), b: "mine" } });
    };
    const out = await settle(cluster.retryOnConflict(step));
    expect(reads).to.equal(2);
    expect((out as { data: object }).data).to.deep.equal({ a: "2", b: "mine" });
  });
});
