import { expect } from "chai";
import { ManualClock, settleOnClock } from "./manual-clock.js";

describe("settleOnClock", () => {
  it("steps short sleeps but never carries the clock to a pending deadline, however many renewals precede it", async () => {
    const clock = new ManualClock();
    const deadlineFired: boolean[] = [];
    let renewals = 0;
    const stop = new AbortController();
    // A renewal every 10 s beside a 60 s deadline: stepping renewals one by one used to reach the deadline.
    void clock.sleep(60_000, stop.signal).then(() => deadlineFired.push(true), () => undefined);
    const renewing = (async () => {
      while (!stop.signal.aborted) {
        const woke = await clock.sleep(10_000, stop.signal).then(() => true, () => false);
        if (woke) renewals++;
      }
    })();
    const work = new Promise<string>((resolve) => setTimeout(() => resolve("done"), 60));
    expect(await settleOnClock(clock, work, 60_000)).to.equal("done");
    stop.abort();
    await renewing;
    expect(deadlineFired).to.deep.equal([]);
    expect(renewals).to.be.within(1, 5);
    expect(clock.now().getTime() - Date.parse("2026-01-01T00:00:00Z")).to.be.below(60_000);
  });

  it("moves to each back-off the work waits for, so the work ends without waiting in real time", async () => {
    const clock = new ManualClock();
    const work = (async () => {
      for (let i = 0; i < 5; i++) await clock.sleep(30_000);
      return "retried";
    })();
    expect(await settleOnClock(clock, work, 60_000)).to.equal("retried");
    expect(clock.sleeps).to.deep.equal([30_000, 30_000, 30_000, 30_000, 30_000]);
  });
});
