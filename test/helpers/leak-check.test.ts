import { expect } from "chai";
import { createServer } from "node:net";
import { baselineNow, handlesLeftOpen } from "./leak-check.js";

// The per-file leak check of a mocha --parallel worker: what a file leaves holding the process is named, what
// closes within the grace period or does not hold the process (unref'd) is not, and the worker's own handles
// (the baseline) never count.
describe("the per-file leak check (mocha --parallel workers)", () => {
  /** What holds the process now, once mocha has started this test's own time-out timer (after the first await). */
  const baselineInTest = async () => {
    await new Promise((r) => setImmediate(r));
    return baselineNow();
  };
  const listening = async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return server;
  };

  it("names a server left listening, and nothing once it is closed", async () => {
    const baseline = await baselineInTest();
    const server = await listening();
    const port = (server.address() as { port: number }).port;
    expect(await handlesLeftOpen(baseline, 50)).to.include(`Server {"address":"127.0.0.1","family":"IPv4","port":${port}}`);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    expect(await handlesLeftOpen(baseline, 50)).to.deep.equal([]);
  });

  it("waits out what closes within the grace period", async () => {
    const baseline = await baselineInTest();
    const server = await listening();
    setTimeout(() => server.close(), 100).unref();
    expect(await handlesLeftOpen(baseline, 5_000)).to.deep.equal([]);
  });

  it("names a ref'd interval but not an unref'd one", async () => {
    const baseline = await baselineInTest();
    const unrefd = setInterval(() => undefined, 1_000).unref();
    const refd = setInterval(() => undefined, 1_000);
    try {
      expect(await handlesLeftOpen(baseline, 50)).to.deep.equal(["1 timer(s) (setTimeout/setInterval not cleared or unref'd)"]);
    } finally {
      clearInterval(refd);
      clearInterval(unrefd);
    }
  });

  it("leaves out the handles that were there before", async () => {
    const server = await listening();
    try {
      expect(await handlesLeftOpen(await baselineInTest(), 50)).to.deep.equal([]);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
