import { expect } from "chai";
import { silentLogger } from "../../../src/core/logger.js";
import type { V1Lease } from "../../../src/gateways/kube-models.js";
import { ANN_EXPIRES, LABEL_MANAGED_BY, LABEL_PURPOSE, replicaAlive, sweepExpired, type Coordination } from "../../../src/domain/replicas/coordination.js";
import { ReplicaPresence } from "../../../src/domain/replicas/replica-presence.js";
import { FakeCluster } from "../../helpers/fake-cluster.js";
import { ManualClock } from "../../helpers/manual-clock.js";

// Replica presence and the leader's sweep on the in-memory port, with time moved by the test: a lost presence
// Lease makes the replica not ready until it takes it back; the sweep removes only what has expired.

const NS = "default";
const LEASE_SECONDS = 30;

describe("replica presence and the sweep (in-memory port, manual clock)", () => {
  let clock: ManualClock;
  let cluster: FakeCluster;
  const replica = (instanceId: string): Coordination => ({ cluster, namespace: NS, instanceId, leaseSeconds: LEASE_SECONDS, now: () => clock.now(), clock });
  const lease = (name: string) => cluster.objects("leases", NS).find((l) => l.metadata?.name === name) as V1Lease | undefined;

  beforeEach(() => {
    clock = new ManualClock(Date.parse("2026-03-01T10:00:00Z"));
    cluster = new FakeCluster({ clock });
  });

  it("not ready while its Lease is lost; takes it back a third of a lease later; release deletes it", async () => {
    const presence = new ReplicaPresence(replica("bot-a"), silentLogger);
    expect(presence.notReady()).to.match(/not taken yet/);
    await presence.start();
    expect(presence.notReady()).to.equal(undefined);
    expect(await replicaAlive(replica("bot-b"), "bot-a")).to.equal(true);
    // Someone deletes it: the next renewal (10 s on) finds it gone.
    cluster.remove(lease(presence.leaseName)!);
    await settle();
    clock.advance(10_000);
    await settle();
    expect(presence.notReady()).to.match(/is not renewed/);
    clock.advance(10_000);
    await settle();
    expect(presence.notReady()).to.equal(undefined);
    expect(lease(presence.leaseName)?.spec?.holderIdentity).to.equal("bot-a");
    await presence.stop({ release: true });
    expect(lease(presence.leaseName)).to.equal(undefined);
  });

  it("a replica whose presence is not renewed for a lease duration is dead to the others", async () => {
    const presence = new ReplicaPresence(replica("bot-a"), silentLogger);
    await presence.start();
    await presence.stop({ release: false });
    clock.advance(LEASE_SECONDS * 1000 - 1);
    expect(await replicaAlive(replica("bot-b"), "bot-a")).to.equal(true);
    clock.advance(2);
    expect(await replicaAlive(replica("bot-b"), "bot-a")).to.equal(false);
  });

  it("the sweep deletes only expired Leases of the purpose it is given, and a presence only ten durations after its last renewal", async () => {
    const coordination = (name: string, purpose: string, expires: string): V1Lease => ({
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      metadata: { name, namespace: NS, labels: { [LABEL_MANAGED_BY]: "tugboat", [LABEL_PURPOSE]: purpose }, annotations: { [ANN_EXPIRES]: expires } },
      spec: {},
    });
    cluster.put(coordination("ev-old", "event", "2026-03-01T09:59:00Z"));
    cluster.put(coordination("ev-new", "event", "2026-03-01T10:01:00Z"));
    cluster.put(coordination("confirm-old", "confirmation", "2026-03-01T09:00:00Z"));
    expect(await sweepExpired(replica("bot-a"), "event")).to.equal(1);
    expect(cluster.objects("leases", NS).map((l) => l.metadata?.name).sort()).to.deep.equal(["confirm-old", "ev-new"]);

    const presence = new ReplicaPresence(replica("bot-z"), silentLogger);
    await presence.start();
    await presence.stop({ release: false });
    clock.advance(LEASE_SECONDS * 10_000 - 1);
    expect(await sweepExpired(replica("bot-a"), "replica")).to.equal(0);
    clock.advance(1);
    expect(await sweepExpired(replica("bot-a"), "replica")).to.equal(1);
  });
});

/** Lets the in-memory port's promise chains run (no wall-clock time passes for the code under test). */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise<void>((r) => setImmediate(r));
}
