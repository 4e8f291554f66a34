import { expect } from "chai";
import { startHarness, type Harness } from "../../helpers/harness.js";
import { pushCommit, REPO } from "../reviewlab/helpers.js";

// A runaway template renders in a worker thread within the budget (reviewlab.content.renderTimeoutSeconds here),
// so everyone else's commands are answered meanwhile. Before, Handlebars ran on the main thread: this template
// held it for several seconds and every /kube get waited behind it.

const SLOW = "{{#each @root}}{{#each @root}}" + "{{#if this}}{{/if}}".repeat(10000) + "{{/each}}{{/each}}apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: slow\n";

describe("rendering with a budget (sandbox, through the router)", function () {
  this.timeout(60_000);
  let h: Harness;
  before(async () => {
    h = await startHarness({ configure: (c) => (c.reviewlab!.content = { renderTimeoutSeconds: 2 }) });
  });
  after(async () => h?.stop());

  it("a /kube get sent while a runaway template renders is answered in under a second; the template is refused by name", async () => {
    const sha = pushCommit(h, "runaway", "one");
    h.sandbox.github.store.setFile(REPO, sha, "config/kubernetes/review-lab/zz-slow.yaml", SLOW);
    await h.run("/kube get pods -n github-staging", { user: "UADMIN", channel: "CGITHUB" }); // warm discovery

    let labDone = false;
    const started = performance.now();
    const lab = h.run("/reviewlab up runaway", { user: "UDEPLOYER", channel: "CGITHUB" }).finally(() => (labDone = true));
    const latencies: number[] = [];
    while (!labDone) {
      const t0 = performance.now();
      const get = await h.run("/kube get pods -n github-staging", { user: "UADMIN", channel: "CGITHUB" });
      const took = performance.now() - t0;
      expect(get.final?.tone, get.text).to.not.equal("error");
      if (!labDone) latencies.push(took);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const t = await lab;
    const labTook = performance.now() - started;
    expect(t.final?.tone, t.text).to.equal("error");
    // Which limit of the budget ends it first, time or the worker's heap (compiling 10,000 blocks is large), depends
    // on the machine and on what the worker compiled before; either way it is refused by name.
    expect(t.text).to.match(/template config\/kubernetes\/review-lab\/zz-slow\.yaml: (took longer than 2 s to render|used more than 128 MB while rendering)/);
    expect(t.text).to.include("nothing was applied");
    expect(labTook, "the lab was refused within the budget plus set-up").to.be.below(10_000);
    expect(latencies.length, "commands were answered while the template rendered").to.be.greaterThan(3);
    expect(Math.max(...latencies), latencies.map(Math.round).join(", ")).to.be.below(1000);
  });
});
