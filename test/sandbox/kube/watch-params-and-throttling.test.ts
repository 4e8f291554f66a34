/**
 * Query booleans parsed as the API server parses them, bookmarks about once a minute (configurable), and
 * throttling: API Priority and Fairness' plain-text 429 with Retry-After, and 429 Statuses with the header.
 */
import { expect } from "chai";
import { startKubeSandbox, TEST_DELAYS, type KubeSandbox } from "@tugboat/sandbox/kube";
import { raw } from "./helpers.js";

const SEED = new URL("../../../config/sandbox/kube/production", import.meta.url).pathname;
const NS = "github-production";

function eventTypes(text: string): string[] {
  return text.split("\n").filter(Boolean).map((l) => JSON.parse(l).type);
}

describe("kube sandbox: watch parameters, bookmarks and throttling", function () {
  this.timeout(30_000);
  let sb: KubeSandbox;
  afterEach(async () => sb && sb.stop());

  it("watch=true, watch=1, watch=t and watch=True all watch; watch=0 and watch=false list", async () => {
    sb = await startKubeSandbox({ clusterName: "production", seedDir: SEED, delays: TEST_DELAYS });
    for (const v of ["true", "1", "t", "True"]) {
      const r = await raw(sb, "GET", `/api/v1/namespaces/${NS}/services?watch=${v}&timeoutSeconds=0.05`);
      expect(r.json, `watch=${v}`).to.equal(undefined); // a stream of events, not one JSON document
      expect(eventTypes(r.text)).to.include("ADDED");
    }
    for (const v of ["0", "false", "FALSE"]) {
      const r = await raw(sb, "GET", `/api/v1/namespaces/${NS}/services?watch=${v}`);
      expect(r.json.kind, `watch=${v}`).to.equal("ServiceList");
    }
  });

  it("bookmarks come about once a minute by default, and as often as configured", async () => {
    sb = await startKubeSandbox({ clusterName: "production", seedDir: SEED, delays: TEST_DELAYS });
    const slow = await raw(sb, "GET", `/api/v1/namespaces/${NS}/services?watch=1&allowWatchBookmarks=true&resourceVersion=1&timeoutSeconds=1.3`);
    expect(eventTypes(slow.text).filter((t) => t === "BOOKMARK")).to.have.length(1); // the one after the replay
    await sb.stop();
    sb = await startKubeSandbox({ clusterName: "production", seedDir: SEED, delays: TEST_DELAYS, watchBookmarkMs: 100 });
    const fast = await raw(sb, "GET", `/api/v1/namespaces/${NS}/services?watch=1&allowWatchBookmarks=true&resourceVersion=1&timeoutSeconds=0.55`);
    expect(eventTypes(fast.text).filter((t) => t === "BOOKMARK").length).to.be.within(4, 7);
  });

  it("API Priority and Fairness rejects with a plain-text 429 and Retry-After", async () => {
    sb = await startKubeSandbox({ clusterName: "production", seedDir: SEED, delays: TEST_DELAYS });
    sb.faults.add({ verb: "list", resource: "pods", apfRetryAfterSeconds: 3, count: 1 });
    const r = await raw(sb, "GET", `/api/v1/namespaces/${NS}/pods`);
    expect(r.status).to.equal(429);
    expect(r.headers.get("retry-after")).to.equal("3");
    expect(r.headers.get("content-type")).to.equal("text/plain; charset=utf-8");
    expect(r.headers.get("x-kubernetes-pf-prioritylevel-uid")).to.be.a("string");
    expect(r.text).to.equal("Too many requests, please try again later.\n");
    expect((await raw(sb, "GET", `/api/v1/namespaces/${NS}/pods`)).status).to.equal(200);
  });

  it("a 429 Status fault carries retryAfterSeconds and the Retry-After header", async () => {
    sb = await startKubeSandbox({ clusterName: "production", seedDir: SEED, delays: TEST_DELAYS });
    sb.faults.add({ verb: "watch", status: 429, retryAfterSeconds: 5, count: 1 });
    const r = await raw(sb, "GET", `/api/v1/namespaces/${NS}/pods?watch=1`);
    expect(r.status).to.equal(429);
    expect(r.headers.get("retry-after")).to.equal("5");
    expect(r.json).to.include({ reason: "TooManyRequests", code: 429 });
    expect(r.json.details.retryAfterSeconds).to.equal(5);
  });
});
