import { expect } from "chai";
import { startHarness, type Harness } from "../../helpers/harness.js";
import { ManualClock } from "../../helpers/manual-clock.js";
import { coordinationOf, sweepExpired, type Coordination } from "../../../src/domain/replicas/coordination.js";
import { Leadership, LEADER_LEASE } from "../../../src/domain/replicas/leadership.js";
import { ReplicaPresence } from "../../../src/domain/replicas/replica-presence.js";
import { SharedConfirmations } from "../../../src/domain/replicas/shared-confirmations.js";
import { SharedEventIds } from "../../../src/domain/replicas/shared-event-ids.js";
import { silentLogger } from "../../../src/core/logger.js";

// The Leases replicas meet through, on the sandbox with a manual clock (its sleeps wake only when the test moves it):
// the leader election's takeover, prompt answers (first writer wins, the asker's time-out included), event ids, and
// the sweep of expired ones. Presence (lost and taken back) runs on the in-memory port: presence-and-sweep.test.ts.


describe("replica coordination Leases", function () {
  this.timeout(20_000);
  let h: Harness;
  let clock: ManualClock;
  const replica = (instanceId: string): Coordination => coordinationOf({ config: h.config, kube: h.kube, instanceId, clock });
  const leases = () => h.sandbox.clusters.staging!.listObjects("coordination.k8s.io/v1", "Lease", "default");

  beforeEach(async () => {
    clock = new ManualClock(Date.parse("2026-03-01T10:00:00Z"));
    h = await startHarness({ clock });
  });
  afterEach(async () => h?.stop());

  it("the leader election: one leader; a follower takes over once the leader stops renewing for a lease duration, not before", async () => {
    const gained: string[] = [];
    const a = new Leadership(replica("bot-a"), silentLogger, async () => void gained.push("bot-a"));
    const b = new Leadership(replica("bot-b"), silentLogger, async () => void gained.push("bot-b"));
    await a.tick();
    await b.tick();
    await a.idle();
    expect([a.isLeader(), b.isLeader()]).to.deep.equal([true, false]);
    expect(gained).to.deep.equal(["bot-a"]);
    const seconds = h.config.coordination.leaseSeconds;
    // bot-a goes silent (killed): within its lease bot-b waits…
    clock.advance((seconds - 1) * 1000);
    await b.tick();
    expect(b.isLeader()).to.equal(false);
    // …and just past it bot-b leads and runs the leader's start-up work (restart recovery).
    clock.advance(2_000);
    await b.tick();
    await b.idle();
    expect(b.isLeader()).to.equal(true);
    expect(gained).to.deep.equal(["bot-a", "bot-b"]);
    expect(leases().find((l: any) => l.metadata.name === LEADER_LEASE)?.spec.holderIdentity).to.equal("bot-b");
    // bot-a comes back: its renewal fails, it follows.
    await a.tick();
    expect(a.isLeader()).to.equal(false);
    await a.stop();
    expect(leases().find((l: any) => l.metadata.name === LEADER_LEASE)?.spec.holderIdentity).to.equal("bot-b");
    await b.stop();
    expect(leases().some((l: any) => l.metadata.name === LEADER_LEASE)).to.equal(false);
  });

  it("a prompt takes one answer: the asker's press, another user's is refused, a later press or time-out finds it answered", async () => {
    const asker = new SharedConfirmations(replica("bot-a"), silentLogger);
    const other = new SharedConfirmations(replica("bot-b"), silentLogger);
    const presence = new ReplicaPresence(replica("bot-a"), silentLogger);
    await presence.start();
    const id = "0123456789abcdef01234567";
    await asker.open({ id, userId: "UADMIN", channel: "CDEPLOYS", expiresAt: new Date(clock.now().getTime() + 60_000) });
    expect(await other.record(id, "UVIEWER", "confirmed")).to.deep.equal({ kind: "refused", userId: "UADMIN" });
    const first = await other.record(id, "UADMIN", "cancelled");
    expect(first.kind).to.equal("recorded");
    expect(first.kind === "recorded" && first.askerAlive).to.equal(true);
    expect(await other.record(id, "UADMIN", "confirmed")).to.deep.equal({ kind: "unknown" });
    expect(await asker.settle(id)).to.deep.equal({ answer: "cancelled", by: "UADMIN" });
    // The asker stops renewing its presence: past the lease, a press finds the asker dead.
    await presence.stop({ release: false });
    const id2 = "fedcba9876543210fedcba98";
    await asker.open({ id: id2, userId: "UADMIN", channel: "CDEPLOYS", expiresAt: new Date(clock.now().getTime() + 60_000) });
    clock.advance((h.config.coordination.leaseSeconds + 1) * 1000);
    const late = await other.record(id2, "UADMIN", "confirmed");
    expect(late.kind === "recorded" && late.askerAlive).to.equal(false);
    // A time-out written first wins over a press.
    const id3 = "aaaaaaaaaaaaaaaaaaaaaaaa";
    await asker.open({ id: id3, userId: "UADMIN", channel: "CDEPLOYS", expiresAt: new Date(clock.now().getTime() + 60_000) });
    expect(await asker.settle(id3)).to.deep.equal({ answer: "timeout" });
    expect(await other.record(id3, "UADMIN", "confirmed")).to.deep.equal({ kind: "unknown" });
    // Ids that are not ours are no Lease names.
    expect(await other.record("../../secrets", "UADMIN", "confirmed")).to.deep.equal({ kind: "unknown" });
  });

  it("event ids: the first claim wins across replicas, a claim expires after its ttl, and the leader's sweep removes expired ones", async () => {
    const a = new SharedEventIds(replica("bot-a"), 60_000, silentLogger);
    const b = new SharedEventIds(replica("bot-b"), 60_000, silentLogger);
    expect(await a.firstTime("Ev01")).to.equal(true);
    expect(await b.firstTime("Ev01")).to.equal(false);
    expect(await Promise.all([a.firstTime("Ev02"), b.firstTime("Ev02")])).to.have.members([true, false]);
    clock.advance(61_000);
    expect(await b.firstTime("Ev01")).to.equal(true);
    const events = () => leases().filter((l: any) => l.metadata.labels?.["tugboat.dev/coordination"] === "event").length;
    expect(events()).to.equal(2);
    clock.advance(61_000);
    expect(await sweepExpired(replica("bot-a"), "event")).to.equal(2);
    expect(events()).to.equal(0);
  });

  it("an allowed command leaves an audit entry when it starts, before its final one", async () => {
    const t = await h.run("/deploy status github", { user: "UADMIN", channel: "CDEPLOYS" });
    expect(h.audit, t.text).to.have.length(1);
    const lines = h.logText().split("\n").filter((l) => l.includes('"log":"audit"')).map((l) => JSON.parse(l));
    const requestId = h.audit[0]!.requestId;
    expect(lines.filter((l) => l.requestId === requestId).map((l) => l.outcome)).to.deep.equal(["started", h.audit[0]!.outcome]);
    const denied = await h.run("/deploy PR4812 to production", { user: "UVIEWER", channel: "CDEPLOYS" });
    expect(denied.text).to.match(/denied|not allowed|permission/i);
    const deniedId = h.audit[1]!.requestId;
    expect(h.logText().split("\n").filter((l) => l.includes(deniedId) && l.includes('"outcome":"started"'))).to.deep.equal([]);
  });
});
