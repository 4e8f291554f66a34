import { expect } from "chai";
import { useHarness } from "../../helpers/use-harness.js";
import { pushCommit, REPO, staging } from "./helpers.js";

// Templates may use any version the cluster serves, not only the group's preferred one (discovery keeps every
// served version), and `/kube get all` still lists each type once.

describe("served non-preferred versions (sandbox, through the router)", function () {
  this.timeout(30_000);
  const h = useHarness();

  it("/reviewlab up applies an autoscaling/v1 HorizontalPodAutoscaler (v2 is preferred)", async () => {
    const sha = pushCommit(h, "hpa-v1", "hpa");
    const hpa = "apiVersion: autoscaling/v1\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: unicorn\nspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: unicorn}\n  minReplicas: 1\n  maxReplicas: 3\n  targetCPUUtilizationPercentage: 70\n";
    h.sandbox.github.store.setFile(REPO, sha, "config/kubernetes/review-lab/hpa.yaml", hpa);
    const t = await h.run("/reviewlab up hpa-v1", { user: "UDEPLOYER" });
    expect(t.final?.tone, t.text).to.equal("success");
    const stored = staging(h).listObjects("autoscaling/v2", "HorizontalPodAutoscaler").find((o) => o.metadata.name === "unicorn");
    expect(stored.spec.metrics[0].resource.target.averageUtilization).to.equal(70);
    const down = await h.run("/reviewlab down hpa-v1", { user: "UDEPLOYER" });
    expect(down.final?.tone, down.text).to.equal("success");
  });

  it("/kube get all lists each type once, in its preferred version", async () => {
    staging(h).putObject({ apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler", metadata: { name: "web", namespace: "github-staging" }, spec: { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "unicorn" }, maxReplicas: 3 } });
    const t = await h.run("/kube get all -n github-staging --cluster staging", { user: "UADMIN" });
    expect(t.final?.tone, t.text).to.not.equal("error");
    expect(t.text.split("\n").filter((l) => /horizontalpodautoscaler\.autoscaling\/web/.test(l)), t.text).to.have.length(1);
    expect(t.text).to.match(/deployment\.apps\/unicorn/);
  });
});
