import { expect } from "chai";
import { keepRenewing } from "../../src/domain/lease-lock.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("keepRenewing", () => {
  it("renews every third of the duration until stopped", async () => {
    let calls = 0;
    const r = keepRenewing(async () => (calls++, true), 0.6, "l");
    await sleep(700);
    r.stop();
    const seen = calls;
    await sleep(300);
    expect(seen).to.be.within(2, 4);
    expect(calls).to.equal(seen);
    expect(r.lost.aborted).to.equal(false);
  });
  it("aborts `lost` at once when the lease is someone else's", async () => {
    const r = keepRenewing(async () => false, 0.6, "l");
    await sleep(300);
    r.stop();
    expect(r.lost.aborted).to.equal(true);
    expect(String(r.lost.reason)).to.contain("lost the lock l");
  });
  it("tolerates failed renewals until the lease could have expired, then aborts", async () => {
    const r = keepRenewing(async () => {
      throw new Error("API unreachable");
    }, 0.6, "l");
    await sleep(450);
    expect(r.lost.aborted, "within the lease duration").to.equal(false);
    await sleep(500);
    r.stop();
    expect(r.lost.aborted).to.equal(true);
    expect(String(r.lost.reason)).to.contain("could not renew the lock l");
  });
});
