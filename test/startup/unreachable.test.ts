import { expect } from "chai";
import { startHarness } from "../helpers/harness.js";
import { describeUnreachable, findUnreachable } from "../../src/startup/check-reachable.js";

// A cluster (or GitHub) that does not answer: named at start, and /deploy status says so before anything else.
describe("unreachable clusters (sandbox servers stopped)", function () {
  this.timeout(30_000);

  it("the start-up check names every cluster and GitHub that does not answer; nothing when all answer", async () => {
    const h = await startHarness();
    try {
      const deps = { config: h.config, kube: h.kube, github: h.github, timeoutMs: 5_000 };
      expect(await findUnreachable(deps)).to.deep.equal([]);
      await h.sandbox.clusters.production!.stop();
      await h.sandbox.github.stop();
      const found = await findUnreachable(deps);
      expect(found.map((u) => u.what)).to.deep.equal(["cluster production", "GitHub"]);
      expect(found[0]!.reason).to.match(/^cannot reach the API server of cluster production at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)$/);
      expect(found[1]!.reason).to.match(/^octo\/github: cannot reach GitHub at http:\/\/127\.0\.0\.1:\d+ \(connect ECONNREFUSED/);
      const lines = describeUnreachable(found, true);
      expect(lines[0]).to.equal("Tugboat: not everything this setup names answers:");
      expect(lines.at(-1)).to.contain("`npm run sandbox`");
      expect(describeUnreachable(found, false).at(-1)).not.to.contain("npm run sandbox");
    } finally {
      await h.stop().catch(() => {});
    }
  });

  it("/deploy status says what it could not read first, and 'none found' / 'not locked' only of what it read", async () => {
    const h = await startHarness();
    try {
      await h.sandbox.clusters.production!.stop();
      const some = await h.run("/deploy status");
      expect(some.text).to.match(/^github: what runs where\nCould not read: production: cannot reach .*; canary: cannot reach/);
      expect(some.text).to.match(/staging +unicorn /);
      expect(some.text).to.contain("No lock in the environments read.");
      await h.sandbox.clusters.staging!.stop();
      const none = await h.run("/deploy status");
      expect(none.text).to.match(/^github: what runs where\nCould not read: /);
      expect(none.text).not.to.contain("(no Deployments found");
      expect(none.text).not.to.contain("locked");
      expect(none.text).not.to.contain("No lock");
    } finally {
      await h.stop().catch(() => {});
    }
  });
});
