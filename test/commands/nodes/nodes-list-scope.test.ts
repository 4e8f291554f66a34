import { expect } from "chai";
import { useHarness } from "../../helpers/use-harness.js";

// /nodes list reads a workload cluster's pools as Cluster API objects in a namespace of the management cluster
// (clusters.<name>.nodePools). A caller whose /kube scope covers only an app namespace was told
// "Denied: namespace `default` is not allowed for you": a namespace they never named. The denial now says what it is.

describe("/nodes list outside the caller's /kube scope (through the router)", function () {
  this.timeout(30_000);
  const h = useHarness({
    configure: (c) => {
      c.roles["staging-app"] = { permissions: ["kube:get"], kube: { clusters: ["staging"], namespaces: ["github-staging"] } };
      c.bindings.push({ role: "staging-app", users: ["USTAGING"], groups: [] });
    },
  });

  it("names the Cluster API namespace and the management cluster; a viewer still lists the pools", async () => {
    const t = await h.run("/nodes list --cluster staging", { user: "USTAGING", channel: "CDEPLOYS" });
    expect(t.final, "nothing posted in the channel").to.equal(undefined);
    expect(t.text).to.include("Denied: the node pools of staging are Cluster API machinedeployments in namespace `default` of the management cluster management, which your /kube scope on staging does not cover.");

    const viewer = await h.run("/nodes list --cluster staging", { user: "UVIEWER", channel: "CDEPLOYS" });
    expect(viewer.final?.tone, viewer.text).to.equal("success");
    expect(viewer.text).to.include("Node pools on staging");
  });
});
