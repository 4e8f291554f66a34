import { expect } from "chai";
import { GatewayError } from "../../src/gateways/types.js";
import type { V1Lease } from "../../src/gateways/kube-models.js";
import { LeaseLock, describeLease, keepRenewing, withLease, withLeaseWaiting, type AcquireRequest } from "../../src/domain/lease-lock.js";
import { FakeCluster } from "../helpers/fake-cluster.js";
import { ManualClock } from "../helpers/manual-clock.js";

// Leases as locks on the in-memory port and a clock the test moves: who holds it, expiry and takeover, the 409
// rules (a concurrent writer wins, renewal of a lease someone else took fails), and waiting for a lock by following
// its Lease.

const NS = "github-staging";

describe("lease locks (in-memory port, manual clock)", () => {
  let clock: ManualClock;
  let cluster: FakeCluster;
  let lock: LeaseLock;
  const req = (holder: string, extra: Partial<AcquireRequest> = {}): AcquireRequest => ({ holder, kind: "deploy", durationSeconds: 30, now: clock.now(), ...extra });
  const stored = (): V1Lease | undefined => cluster.objects("leases", NS)[0] as V1Lease | undefined;

  beforeEach(() => {
    clock = new ManualClock(Date.parse("2026-03-01T10:00:00Z"));
    cluster = new FakeCluster({ clock });
    lock = new LeaseLock(cluster, NS, "deploy-github-staging");
  });

  it("creates the Lease with MicroTime stamps and the owner's annotations; a second holder is refused while it lives", async () => {
    const got = await lock.acquire(req("bot-a", { owner: "UADMIN", reason: "release <!channel>" }));
    expect(got.acquired).to.equal(true);
    const lease = stored()!;
    expect(lease.spec?.holderIdentity).to.equal("bot-a");
    expect(lease.spec?.acquireTime).to.equal("2026-03-01T10:00:00.000000Z");
    expect(lease.metadata?.annotations?.["tugboat.dev/reason"]).to.equal("release <!channel>");
    const other = await lock.acquire(req("bot-b"));
    expect(other.acquired).to.equal(false);
    expect(!other.acquired && other.heldBy).to.include({ holder: "bot-a", owner: "UADMIN", kind: "deploy", expired: false });
  });

  it("a lease not renewed for its duration is expired and taken over (leaseTransitions counts it)", async () => {
    await lock.acquire(req("bot-a"));
    clock.advance(30_001);
    expect((await lock.read(clock.now()))?.expired).to.equal(true);
    const got = await lock.acquire(req("bot-b"));
    expect(got.acquired).to.equal(true);
    expect(stored()?.spec).to.include({ holderIdentity: "bot-b", leaseTransitions: 1 });
  });

  it("a concurrent writer between the read and the write wins (409): the loser reports who holds it", async () => {
    await lock.acquire(req("bot-a"));
    clock.advance(31_000);
    // bot-c takes the expired lease after our read: our replace carries a stale resourceVersion.
    const original = cluster.leases.find.bind(cluster.leases);
    let first = true;
    cluster.leases.find = async (name, namespace) => {
      const read = await original(name, namespace);
      if (first && read) {
        first = false;
        cluster.put({ ...read, spec: { ...read.spec, holderIdentity: "bot-c", renewTime: "2026-03-01T10:00:31.000000Z" } });
      }
      return read;
    };
    const got = await lock.acquire(req("bot-b"));
    expect(got.acquired).to.equal(false);
    expect(!got.acquired && got.heldBy.holder).to.equal("bot-c");
  });

  it("renew moves renewTime for its holder only; release deletes only its own lease unless forced", async () => {
    await lock.acquire(req("bot-a"));
    clock.advance(10_000);
    expect(await lock.renew("bot-a", clock.now())).to.equal(true);
    expect(stored()?.spec?.renewTime).to.equal("2026-03-01T10:00:10.000000Z");
    expect(await lock.renew("bot-b", clock.now())).to.equal(false);
    expect(await lock.release("bot-b")).to.equal(false);
    expect(stored()).to.not.equal(undefined);
    expect(await lock.release("bot-b", { force: true })).to.equal(true);
    expect(stored()).to.equal(undefined);
  });

  it("a renewal that meets a conflict reads the lease again: still ours, it renews; taken meanwhile, it is lost", async () => {
    await lock.acquire(req("bot-a"));
    clock.advance(10_000);
    // The lease changed since it was read (an edit of its annotations, our own earlier write): not a new holder.
    cluster.failNext("replace", new GatewayError("conflict", "the object has been modified", 409), "leases");
    expect(await lock.renew("bot-a", clock.now())).to.equal(true);
    expect(stored()?.spec?.renewTime).to.equal("2026-03-01T10:00:10.000000Z");
    // Someone else took it between the read and the write: the re-read says so.
    const read = stored()!;
    cluster.failNext("replace", new GatewayError("conflict", "the object has been modified", 409), "leases");
    const renewing = lock.renew("bot-a", clock.now());
    cluster.put({ ...read, spec: { ...read.spec, holderIdentity: "bot-c" } });
    expect(await renewing).to.equal(false);
  });

  it("keepRenewing renews every third of the duration on the clock and aborts `lost` once someone else holds it", async () => {
    await lock.acquire(req("bot-a"));
    const renewal = keepRenewing(() => lock.renew("bot-a", clock.now()), 30, lock.name, clock);
    try {
      await settle();
      expect(clock.pending()).to.deep.equal([10_000]);
      clock.advance(10_000);
      await settle();
      expect(stored()?.spec?.renewTime).to.equal("2026-03-01T10:00:10.000000Z");
      expect(renewal.lost.aborted).to.equal(false);
      cluster.put({ ...stored()!, spec: { ...stored()!.spec, holderIdentity: "bot-z" } });
      clock.advance(10_000);
      await settle();
      expect(renewal.lost.aborted).to.equal(true);
      expect(String(renewal.lost.reason)).to.contain("lost the lock deploy-github-staging");
    } finally {
      renewal.stop();
    }
  });

  it("keepRenewing gives the lock up only when renewals keep failing for longer than the lease", async () => {
    await lock.acquire(req("bot-a"));
    const renewal = keepRenewing(() => lock.renew("bot-a", clock.now()), 30, lock.name, clock);
    try {
      for (let i = 0; i < 3; i++) cluster.failNext("get", new GatewayError("unavailable", "503", 503), "leases");
      for (const _ of [1, 2, 3]) {
        await settle();
        clock.advance(10_000);
      }
      await settle();
      expect(renewal.lost.aborted, "30 s of failures is not yet longer than the lease").to.equal(false);
      for (let i = 0; i < 2; i++) cluster.failNext("get", new GatewayError("unavailable", "503", 503), "leases");
      clock.advance(10_000);
      await settle();
      expect(renewal.lost.aborted).to.equal(true);
    } finally {
      renewal.stop();
    }
  });

  it("withLease releases at the end, also when the work throws", async () => {
    const out = await withLease(lock, req("bot-a"), clock, async () => {
      expect(stored()?.spec?.holderIdentity).to.equal("bot-a");
      return 42;
    });
    expect(out).to.deep.equal({ acquired: true, value: 42 });
    expect(stored()).to.equal(undefined);
    let thrown: unknown;
    await withLease(lock, req("bot-a"), clock, async () => {
      throw new Error("boom");
    }).catch((e: unknown) => (thrown = e));
    expect(String(thrown)).to.contain("boom");
    expect(stored()).to.equal(undefined);
  });

  it("withLeaseWaiting follows the Lease: takes it the moment the holder releases it, reading nothing meanwhile and without the clock moving", async () => {
    await lock.acquire(req("bot-a"));
    let waitedFor: string | undefined;
    const waiting = withLeaseWaiting(lock, () => req("bot-b", { now: clock.now() }), clock, async () => "done", {
      waitMs: 60_000,
      onWait: (held) => void (waitedFor = held.holder),
    });
    await settle();
    expect(waitedFor).to.equal("bot-a");
    // Waiting is an informer on the Lease plus one timer at the moment the hold would lapse: no polling.
    expect(clock.pending()).to.deep.equal([30_001]);
    const requests = cluster.requestCount;
    await settle();
    expect(cluster.requestCount, "requests while waiting").to.equal(requests);
    await lock.release("bot-a");
    expect(await waiting).to.deep.equal({ acquired: true, value: "done" });
    expect(stored(), "released after the work").to.equal(undefined);
  });

  it("withLeaseWaiting takes over a Lease whose holder stopped renewing, when its hold lapses on the clock", async () => {
    await lock.acquire(req("bot-a"));
    let done = false;
    const waiting = withLeaseWaiting(lock, () => req("bot-b", { now: clock.now() }), clock, async () => "done", { waitMs: 60_000 }).finally(() => (done = true));
    await settle();
    clock.advance(30_000);
    await settle();
    expect(done, "taken before the hold lapsed").to.equal(false);
    clock.advance(1);
    expect(await waiting).to.deep.equal({ acquired: true, value: "done" });
  });

  it("withLeaseWaiting gives up at waitMs, naming the holder that kept renewing, and stops following the Lease", async () => {
    let release!: () => void;
    const held = withLease(lock, req("bot-a"), clock, () => new Promise<void>((r) => (release = r)));
    await settle();
    const waiting = withLeaseWaiting(lock, () => req("bot-b", { now: clock.now() }), clock, async () => "done", { waitMs: 60_000 });
    for (let t = 0; t < 60_000; t += 5_000) {
      clock.advance(5_000);
      await settle();
    }
    const got = await waiting;
    expect(got.acquired).to.equal(false);
    expect(!got.acquired && got.heldBy.holder).to.equal("bot-a");
    // Only bot-a's renewal timer is left: the waiter's informer and timer are gone.
    expect(clock.pending()).to.have.length(1);
    release();
    await held;
  });

  it("withLeaseWaiting ends with abortError when its signal aborts while waiting", async () => {
    await lock.acquire(req("bot-a"));
    const stop = new AbortController();
    const waiting = withLeaseWaiting(lock, () => req("bot-b", { now: clock.now() }), clock, async () => "done", {
      waitMs: 60_000,
      signal: stop.signal,
      abortError: () => new Error("shutting down; nothing was done"),
    });
    await settle();
    stop.abort();
    let thrown: unknown;
    await waiting.catch((e: unknown) => (thrown = e));
    expect(String(thrown)).to.contain("shutting down; nothing was done");
  });

  it("describeLease reads a Lease nobody holds as expired, whatever its times", () => {
    const lease: V1Lease = { metadata: { name: "x" }, spec: { leaseDurationSeconds: 30, renewTime: "2026-03-01T10:00:00.000000Z" } };
    expect(describeLease(lease, clock.now()).expired).to.equal(true);
  });
});

/** Lets the in-memory port's promise chains run (no wall-clock time passes for the code under test). */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise<void>((r) => setImmediate(r));
}
