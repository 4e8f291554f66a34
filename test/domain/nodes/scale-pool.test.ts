import { expect } from "chai";
import { FakeCluster } from "../../helpers/fake-cluster.js";
import { GatewayError } from "../../../src/gateways/types.js";
import { UserError } from "../../../src/core/errors.js";
import { AUTOSCALER_MAX, AUTOSCALER_MIN } from "../../../src/domain/nodes/describe-pool.js";
import { MAX_SCALE_ATTEMPTS, raiseMinSize, scaleUp } from "../../../src/domain/nodes/scale-pool.js";

// scaleUp and raiseMinSize on the in-memory port: a 409 runs the read-modify-write again through the port's
// retryOnConflict (the domain has no loop of its own), so N nodes land on top of whatever someone else wrote meanwhile.

const MD_API = "cluster.x-k8s.io/v1beta2";

function pool(replicas: number, annotations: Record<string, string> = { [AUTOSCALER_MAX]: "20" }) {
  return { apiVersion: MD_API, kind: "MachineDeployment", metadata: { name: "general", namespace: "default", annotations }, spec: { clusterName: "production", replicas } };
}

describe("scaling a pool through the port (in-memory)", () => {
  const base = { namespace: "default", pool: "general", count: 2 };

  it("adds N on top of a change someone made between Tugboat's read and its write (409, read again)", async () => {
    const cluster = new FakeCluster({ capi: true, objects: [pool(3)] });
    const attempts: Array<[number, number, number]> = [];
    const result = await scaleUp({
      ...base,
      cluster,
      onAttempt: (attempt, plan) => {
        attempts.push([attempt, plan.before, plan.after]);
        // The autoscaler writes 5 after Tugboat read 3: Tugboat's write carries a stale resourceVersion.
        if (attempt === 1) cluster.put(pool(5));
      },
    });
    expect(attempts).to.deep.equal([
      [1, 3, 5],
      [2, 5, 7],
    ]);
    expect(result).to.deep.include({ readUnderLock: 3, attempts: 2, conflicts: 1 });
    expect((await cluster.machineDeployments.get("general", "default")).spec?.replicas).to.equal(7);
  });

  it("says so and stops when a write's answer is lost (it may have landed: no blind second write)", async () => {
    const cluster = new FakeCluster({ capi: true, objects: [pool(3)] });
    cluster.failNext("scale", new GatewayError("timeout", "the request timed out"));
    const err = await scaleUp({ ...base, cluster }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(UserError);
    expect((err as Error).message).to.equal("Could not confirm the scale of pool general on fake to 5 (the request timed out); it may or may not have been applied. Check /nodes list before trying again.");
    expect((await cluster.machineDeployments.get("general", "default")).spec?.replicas).to.equal(3);
  });

  it("gives up after the port's attempts when every write conflicts, having changed nothing", async () => {
    const cluster = new FakeCluster({ capi: true, objects: [pool(3)] });
    let attempts = 0;
    const err = await scaleUp({ ...base, cluster, onAttempt: () => (attempts++, void cluster.put(pool(3))) }).catch((e: unknown) => e);
    expect(attempts).to.equal(MAX_SCALE_ATTEMPTS);
    expect((err as Error).message).to.equal(`Could not scale pool general on fake: the MachineDeployment changed under Tugboat ${MAX_SCALE_ATTEMPTS} times in a row (409 Conflict on every attempt). Nothing was changed; try again.`);
  });

  it("refuses when someone else's change leaves no room for N, naming the change", async () => {
    const cluster = new FakeCluster({ capi: true, objects: [pool(3, { [AUTOSCALER_MAX]: "6" })] });
    const err = await scaleUp({ ...base, cluster, onAttempt: (attempt) => void (attempt === 1 && cluster.put(pool(5, { [AUTOSCALER_MAX]: "6" }))) }).catch((e: unknown) => e);
    expect((err as Error).message).to.match(/^Refused: adding 2 would take pool general from 5 to 7 nodes, past its maximum of 6 .* \(replicas changed from 3 to 5 while Tugboat was scaling\)\.$/);
  });

  it("raises the autoscaler min-size but never lowers one someone raised meanwhile", async () => {
    const cluster = new FakeCluster({ capi: true, objects: [pool(3, { [AUTOSCALER_MIN]: "2", [AUTOSCALER_MAX]: "20" })] });
    expect(await raiseMinSize(cluster, "default", "general", 5)).to.deep.equal({ from: 2, to: 5, changed: true });
    expect(await raiseMinSize(cluster, "default", "general", 4)).to.deep.equal({ from: 5, to: 5, changed: false });
    expect((await cluster.machineDeployments.get("general", "default")).metadata?.annotations?.[AUTOSCALER_MIN]).to.equal("5");
  });
});
