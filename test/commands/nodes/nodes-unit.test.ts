import { expect } from "chai";
import { UsageError } from "../../../src/core/errors.js";
import { describeNode, describePool, autoscalerBounds } from "../../../src/domain/nodes/describe-pool.js";
import { planAdd, poolLimit } from "../../../src/domain/nodes/plan-add.js";
import { parseAddArgs, parseListArgs, validateCount } from "../../../src/commands/nodes/parse-nodes-args.js";
import { humanDuration as formatDuration } from "../../../src/domain/format/human-duration.js";
import { formatTable } from "../../../src/domain/format/text-table.js";
import type { MachineDeployment, V1Node } from "../../../src/gateways/kube-models.js";

/** Fixtures hold only the fields a test is about, as a server may leave the others out. */
const partial = <T,>(o: object): T => o as T;

const MIN = "cluster.x-k8s.io/cluster-api-autoscaler-node-group-min-size";
const MAX = "cluster.x-k8s.io/cluster-api-autoscaler-node-group-max-size";

describe("/nodes units", () => {
  describe("planAdd", () => {
    it("targets current + N and raises a lower autoscaler min-size to it", () => {
      const r = planAdd("general", 3, 2, { configMax: 12, autoscaler: { min: 2, max: 10, invalid: [] } });
      expect(r).to.deep.equal({
        ok: true,
        plan: { count: 2, before: 3, after: 5, limit: { max: 10, source: "autoscaler max-size 10" }, minSize: { from: 2, to: 5 } },
      });
    });
    it("leaves a min-size that already covers the target alone, and ignores pools without one", () => {
      const covered = planAdd("p", 3, 2, { configMax: 12, autoscaler: { min: 6, max: 10, invalid: [] } });
      expect(covered.ok && covered.plan.minSize).to.equal(undefined);
      const none = planAdd("p", 1, 1, { configMax: 4, autoscaler: { max: 10, invalid: [] } });
      expect(none.ok && none.plan.minSize).to.equal(undefined);
    });
    it("the smaller of the configured and annotated maxima wins; reaching it exactly is allowed", () => {
      expect(poolLimit({ configMax: 4, autoscaler: { max: 10, invalid: [] } })).to.deep.equal({ max: 4, source: "configured maxSize 4" });
      expect(planAdd("p", 1, 3, { configMax: 4, autoscaler: { invalid: [] } }).ok).to.equal(true);
    });
    it("refuses past the maximum with how many can still be added, and pools without any maximum", () => {
      const r = planAdd("highmem", 1, 4, { configMax: 4, autoscaler: { invalid: [] } });
      expect(r.ok).to.equal(false);
      if (!r.ok) expect([r.canAdd, r.reason]).to.deep.equal([3, "adding 4 would take pool highmem from 1 to 5 nodes, past its maximum of 4 (configured maxSize 4); at most 3 more can be added"]);
      const over = planAdd("p", 12, 1, { autoscaler: { max: 10, invalid: [] } });
      expect(!over.ok && over.canAdd).to.equal(0);
      const unbounded = planAdd("p", 1, 1, { autoscaler: { invalid: [] } });
      expect(!unbounded.ok && unbounded.reason).to.match(/has no maximum/);
    });
    it("refuses when an autoscaler annotation is not a whole number, even with a configured maximum", () => {
      const r = planAdd("p", 1, 1, { configMax: 12, autoscaler: { invalid: ['cluster.x-k8s.io/cluster-api-autoscaler-node-group-max-size="ten"'] } });
      expect(r.ok).to.equal(false);
      if (!r.ok) expect(r.reason).to.match(/not whole numbers .*max-size="ten".*fix them/);
    });
  });

  describe("pool model", () => {
    it("reads autoscaler bounds and flags annotations that are not whole numbers", () => {
      expect(autoscalerBounds({ metadata: { annotations: { [MIN]: "2", [MAX]: "ten" } } })).to.deep.equal({ min: 2, invalid: [`${MAX}="ten"`] });
    });
    it("describes Nodes the way kubectl prints them", () => {
      const n = describeNode(partial<V1Node>({
        metadata: { name: "n1", labels: { "node-role.kubernetes.io/worker": "", "node-role.kubernetes.io/infra": "" } },
        spec: { unschedulable: true },
        status: { conditions: [{ type: "Ready", status: "False" }], nodeInfo: { kubeletVersion: "v1.32.4" } },
      }));
      expect(n).to.include({ name: "n1", status: "NotReady,SchedulingDisabled", ready: false, roles: "infra,worker", kubeletVersion: "v1.32.4" });
      expect(describeNode({ metadata: { name: "n2" } })).to.include({ status: "Unknown", roles: "<none>" });
    });
    it("joins a MachineDeployment to its Machines and their Nodes; Machines without a Node are pending", () => {
      const md = partial<MachineDeployment>({ metadata: { name: "a", namespace: "default" }, spec: { replicas: 2, template: { metadata: { labels: { "node.kubernetes.io/instance-type": "m5.large" } } } }, status: { readyReplicas: 1, availableReplicas: 1 } });
      const machine = (name: string, node?: string, pool = "a") => ({
        metadata: { name, labels: { "cluster.x-k8s.io/deployment-name": pool }, creationTimestamp: `2024-01-01T00:00:0${name.length}Z` },
        status: { phase: node ? "Running" : "Provisioning", ...(node ? { nodeRef: { name: node } } : {}) },
      });
      const nodes = new Map([["n1", { metadata: { name: "n1" }, status: { conditions: [{ type: "Ready", status: "True" }] } }]]);
      const p = describePool(md, [machine("m1", "n1"), machine("m22"), machine("x1", "n9", "b")], nodes);
      expect(p).to.include({ name: "a", desired: 2, ready: 1, available: 1, instanceType: "m5.large" });
      expect(p.nodes.map((n) => n.name)).to.deep.equal(["n1"]);
      expect(p.pendingMachines.map((m) => [m.name, m.phase])).to.deep.equal([["m22", "Provisioning"]]);
    });
  });

  describe("grammar", () => {
    it("parses list and add", () => {
      expect(parseListArgs(["--cluster", "production"])).to.deep.equal({ cluster: "production" });
      expect(parseAddArgs(["2", "highmem", "--cluster=production", "--dry-run"])).to.deep.equal({ count: "2", pool: "highmem", cluster: "production", dryRun: true });
      expect(parseAddArgs(["-1"])).to.deep.equal({ count: "-1", dryRun: false });
    });
    it("validates N against the configured maximum", () => {
      expect(validateCount({ count: "10", dryRun: false }, 10)).to.equal(10);
      expect(validateCount({ count: "+3", dryRun: false }, 10)).to.equal(3);
      for (const bad of ["0", "-1", "3.5", "1e3", "ten", "11", "0x5", "٣", "", undefined]) {
        expect(() => validateCount({ ...(bad !== undefined ? { count: bad } : {}), pool: "p", dryRun: false }, 10), String(bad))
          .to.throw(UsageError)
          .with.property("message")
          .that.matches(/from 1 to 10/);
      }
    });
  });

  it("formats ages and tables like kubectl", () => {
    expect([45e3, 312e3, 14 * 60e3, 200 * 60e3, 9 * 3600e3, 76 * 3600e3, 12 * 86400e3].map(formatDuration)).to.deep.equal(["45s", "5m12s", "14m", "3h20m", "9h", "3d4h", "12d"]);
    expect(formatTable(["A", "BB"], [["xyz", "1"]])).to.equal("A     BB\nxyz   1");
  });
});
