import { expect } from "chai";
import { keepRenewing } from "../../src/domain/lease-lock.js";
import { ManualClock } from "../helpers/manual-clock.js";

// Renewals run on the injected clock: the test moves it, nothing sleeps.

/** Lets the renewal's promise callbacks run. */
const settle = () => new Promise((r) => setImmediate(r));

describe("keepRenewing", () => {
  it("renews every third of the duration until stopped", async () => {
    const clock = new ManualClock();
    let calls = 0;
    const r = keepRenewing(async () => (calls++, true), 0.6, "l", clock);
    for (let i = 0; i < 3; i++) {
      await settle();
      clock.advance(200);
    }
    await settle();
    expect(calls).to.equal(3);
    r.stop();
    clock.advance(1000);
    await settle();
    expect(calls).to.equal(3);
    expect(clock.pending()).to.deep.equal([]);
    expect(r.lost.aborted).to.equal(false);
  });

  it("aborts `lost` at once when the lease is someone else's", async () => {
    const clock = new ManualClock();
    const r = keepRenewing(async () => false, 0.6, "l", clock);
    await settle();
    clock.advance(200);
    await settle();
    r.stop();
    expect(r.lost.aborted).to.equal(true);
    expect(String(r.lost.reason)).to.contain("lost the lock l");
  });

  it("tolerates failed renewals until the lease could have expired, then aborts", async () => {
    const clock = new ManualClock();
    const r = keepRenewing(async () => {
      throw new Error("API unreachable");
    }, 0.6, "l", clock);
    for (let i = 0; i < 3; i++) {
      await settle();
      clock.advance(200);
    }
    await settle();
    expect(r.lost.aborted, "within the lease duration (600 ms)").to.equal(false);
    clock.advance(200);
    await settle();
    r.stop();
    expect(r.lost.aborted).to.equal(true);
    expect(String(r.lost.reason)).to.contain("could not renew the lock l");
  });
});
