import { expect } from "chai";
import type { FaultRule } from "@tugboat/sandbox/kube";
import { startHarness, type Harness } from "../../helpers/harness.js";
import { IMAGE, SHAS, appImages, deployment, githubDeployments, githubState } from "./helpers.js";

// Faults injected in the staging API server: every deploy ends in success or a clean rollback, never half-applied.

function expectConsistent(h: Harness, tone: string | undefined, text: string): "new" | "old" {
  const images = appImages(h, "staging", "github-staging");
  const values = [...new Set(Object.values(images))];
  expect(values, `half-applied: ${JSON.stringify(images)}\n${text}`).to.have.length(1);
  for (const name of Object.keys(images)) {
    const d = deployment(h, "staging", "github-staging", name);
    expect(d.metadata.annotations?.["tugboat.dev/sha"] ?? SHAS.staging, `${name} annotation`).to.equal(values[0]!.split(":")[1]);
  }
  if (values[0] === `${IMAGE}:${SHAS.pr4812}`) {
    expect(tone, text).to.equal("success");
    return "new";
  }
  expect(values[0]).to.equal(`${IMAGE}:${SHAS.staging}`);
  expect(tone, text).to.equal("error");
  expect(text).to.match(/put back|Rolled back|Nothing (was|had been) changed/i);
  return "old";
}

describe("/deploy under injected faults", function () {
  this.timeout(30000);
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    h.sandbox.clusters.staging!.faults.clear();
    await h.stop();
  });

  // Rate faults are seeded (the sandbox's Faults), so each scenario has one outcome, checked exactly.
  const scenarios: Array<[string, FaultRule[], "new" | "old"]> = [
    // dryRun: false: these faults meet the real writes, after the dry run of every write has passed.
    ["5xx and 409s on some applies (retried)", [{ verb: "patch", resource: "deployments", status: 500, count: 2, dryRun: false }, { verb: "patch", resource: "deployments", status: 409, count: 2, dryRun: false }], "new"],
    ["Services that cannot be applied: the Deployments already changed are rolled back", [{ verb: "patch", resource: "services", status: 503, dryRun: false }], "old"],
    ["watches dropped every 30 ms: the rollout is followed to the end", [{ verb: "watch", dropWatchAfterMs: 30 }], "new"],
    ["seeded 5xx on 15% of reads and watches (retried)", [{ verb: "get", status: 503, rate: 0.15 }, { verb: "list", status: 503, rate: 0.15 }, { verb: "watch", status: 503, rate: 0.15 }], "new"],
    ["seeded 5xx on 15% of every request, writes too (retried)", [{ status: 503, rate: 0.15 }], "new"],
  ];
  for (const [name, rules, expected] of scenarios) {
    it(name, async () => {
      const injected = rules.map((r) => h.sandbox.control.cluster("staging").faults.inject(r));
      const t = await h.run("/deploy PR4812 to staging", { user: "UADMIN", channel: "CDEPLOYS" });
      h.sandbox.clusters.staging!.faults.clear();
      // The faults were met: an outcome reached without any would prove nothing. (Not each rule: a deploy makes only
      // a few plain gets and lists, which 15% of may be none.)
      expect(injected.reduce((n, f) => n + f.hits, 0), JSON.stringify(rules)).to.be.greaterThan(0);
      const got = expectConsistent(h, t.final?.tone, t.text);
      expect(got, t.text).to.equal(expected);
      if (name.startsWith("Services")) expect(t.text).to.match(/Applying failed: Service github-staging\/\S+: [^\n]+\nPut back what it had changed: Deployment /);
      const [gh] = githubDeployments(h, "staging");
      if (gh) expect(githubState(h, gh.id)).to.equal(got === "new" ? "success" : t.text.includes("Applying failed") ? "error" : "failure");
      // The lock is always released.
      expect(h.sandbox.clusters.staging!.getObject("coordination.k8s.io/v1", "Lease", "github-staging", "tugboat-lock-github-staging")).to.equal(undefined);
    });
  }
});
