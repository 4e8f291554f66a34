import { getEventListeners } from "node:events";
import { expect } from "chai";
import { repeatOnClock } from "../../src/core/repeat-on-clock.js";
import { ManualClock } from "../helpers/manual-clock.js";

// The one periodic loop of domain/ and commands/, on a clock the test moves: nothing sleeps in real time.

const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r));
};

describe("repeatOnClock", () => {
  it("runs a round every period on the clock, the first after one period, until stopped", async () => {
    const clock = new ManualClock();
    let rounds = 0;
    const r = repeatOnClock(clock, 1000, async () => void rounds++);
    await settle();
    expect(rounds).to.equal(0);
    for (let i = 0; i < 3; i++) {
      clock.advance(1000);
      await settle();
    }
    expect(rounds).to.equal(3);
    await r.stop();
    clock.advance(5000);
    await settle();
    expect(rounds).to.equal(3);
    expect(clock.pending()).to.deep.equal([]);
  });

  it("with first: now runs at once; a throwing round is told to onError and the rounds go on; 'done' ends them", async () => {
    const clock = new ManualClock();
    const errors: string[] = [];
    let rounds = 0;
    const r = repeatOnClock(
      clock,
      1000,
      async () => {
        rounds++;
        if (rounds === 1) throw new Error("API unreachable");
        return rounds === 3 ? "done" : undefined;
      },
      { first: "now", onError: (err) => errors.push(String(err)) },
    );
    await settle();
    expect(rounds).to.equal(1);
    expect(errors).to.deep.equal(["Error: API unreachable"]);
    clock.advance(1000);
    await settle();
    clock.advance(1000);
    await r.ended;
    expect(rounds).to.equal(3);
    expect(clock.pending()).to.deep.equal([]);
  });

  it("stops when its signal aborts, and settles only after the round in progress", async () => {
    const clock = new ManualClock();
    const stop = new AbortController();
    let finish!: () => void;
    let finished = false;
    const r = repeatOnClock(clock, 1000, () => new Promise<void>((resolve) => (finish = resolve)).then(() => void (finished = true)), { first: "now", signal: stop.signal });
    await settle();
    stop.abort();
    let ended = false;
    void r.ended.then(() => (ended = true));
    await settle();
    expect(ended, "before the round in progress").to.equal(false);
    finish();
    await r.ended;
    expect(finished).to.equal(true);
    expect(clock.pending()).to.deep.equal([]);
  });

  it("lets go of a signal that outlives it once the rounds end ('done' or stop)", async () => {
    const clock = new ManualClock();
    const longLived = new AbortController();
    for (let i = 0; i < 20; i++) await repeatOnClock(clock, 1000, async () => "done", { first: "now", signal: longLived.signal }).ended;
    const stopped = repeatOnClock(clock, 1000, async () => undefined, { signal: longLived.signal });
    expect(getEventListeners(longLived.signal, "abort")).to.have.length(1);
    await stopped.stop();
    expect(getEventListeners(longLived.signal, "abort")).to.deep.equal([]);
    expect(longLived.signal.aborted).to.equal(false);
  });
});
