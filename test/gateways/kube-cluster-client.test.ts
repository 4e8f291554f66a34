import { expect } from "chai";
import { startHarness, type Harness } from "../helpers/harness.js";

// The client-node gateway against the sandbox: what the API server sees of Tugboat's requests.

describe("kube gateway: requests as the API server sees them", function () {
  this.timeout(30_000);
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h?.stop();
  });

  it("watches say they are Tugboat's (User-Agent), like its other requests", async () => {
    const cluster = h.kube.cluster("staging");
    const pods = (await cluster.resolve("pods"))!;
    const staging = h.sandbox.clusters.staging!;
    staging.requests.reset();
    const informer = cluster.informer(pods, { namespace: "github-staging" });
    await informer.waitFor(() => true);
    for (let i = 0; i < 200 && staging.requests.log.length < 2; i++) await new Promise((r) => setTimeout(r, 5));
    informer.stop();
    const agents = staging.requests.log.map((r) => `${r.query?.includes("watch=true") ? "watch" : "list"} ${r.userAgent}`);
    expect(agents).to.deep.equal(["list tugboat", "watch tugboat"]);
  });

  it("lists stop paging at maxItems", async () => {
    const cluster = h.kube.cluster("staging");
    const pods = (await cluster.resolve("pods"))!;
    const all = (await cluster.list(pods, {})).items.length;
    expect(all).to.be.greaterThan(2);
    const staging = h.sandbox.clusters.staging!;
    staging.requests.reset();
    const some = await cluster.list(pods, { limit: 1, maxItems: 2 });
    expect(some.items).to.have.length(2);
    expect(staging.requests.log).to.have.length(2);
  });
});
