import { expect } from "chai";
import { Shutdown, type ShutdownParts } from "../../src/startup/shutdown.js";
import { describeStartupFailure } from "../../src/startup/startup-failure.js";
import { ConfigError } from "../../src/config/load-config.js";

// The order of a stop, what it says, and the exit code, with an injected clock.
function fakeParts(opts: { running: string[]; unrun?: string[]; stillRunningAfterDrain?: string[] }) {
  const calls: string[] = [];
  const said: string[] = [];
  let clock = 0;
  let drained = false;
  let exitCode: number | undefined;
  let finishDrain: () => void = () => {};
  const parts: ShutdownParts = {
    say: (line) => void said.push(line),
    stopInput: () => (calls.push("stopInput"), opts.unrun ?? []),
    running: () => (drained ? (opts.stillRunningAfterDrain ?? []) : opts.running),
    stopServices: () =>
      new Promise<void>((resolve) => {
        calls.push("stopServices");
        finishDrain = () => {
          drained = true;
          resolve();
        };
      }),
    closeLogs: async () => void calls.push("closeLogs"),
    exit: (code) => void (calls.push(`exit ${code}`), (exitCode = code)),
    now: () => clock,
  };
  return { parts, calls, said, advance: (ms: number) => (clock += ms), finishDrain: () => finishDrain(), exitCode: () => exitCode };
}

describe("shutdown", () => {
  it("Ctrl-C during a deploy: says it finishes the deploy, then what input was not run; logs close last", async () => {
    const f = fakeParts({ running: ["/deploy PR4812 to staging"], unrun: ["/deploy status", "/canary promote", "/canary status", "help"] });
    const shutdown = new Shutdown(f.parts);
    const stopping = shutdown.stop("interrupt");
    expect(f.said).to.deep.equal(["Ctrl-C: finishing the running deploy (`/deploy PR4812 to staging`)… Press Ctrl-C again to stop at once."]);
    // The same Ctrl-C relayed by npm/tsx a few milliseconds later is not a second one.
    f.advance(40);
    await shutdown.stop("interrupt");
    expect(f.exitCode()).to.equal(undefined);
    f.finishDrain();
    await stopping;
    expect(f.said[1]).to.equal("Stopped; not run: 4 more lines of input (`/deploy status`, `/canary promote`, `/canary status` and 1 more).");
    expect(f.calls).to.deep.equal(["stopInput", "stopServices", "closeLogs", "exit 130"]);
  });

  it("a second Ctrl-C stops at once and names what it cut short", async () => {
    const f = fakeParts({ running: ["/canary promote"] });
    const shutdown = new Shutdown(f.parts);
    void shutdown.stop("interrupt");
    expect(f.said[0]).to.equal("Ctrl-C: finishing the running command (`/canary promote`)… Press Ctrl-C again to stop at once.");
    f.advance(2_000);
    await shutdown.stop("interrupt");
    expect(f.said[1]).to.match(/^Stopping at once\. Cut short: `\/canary promote`: check what it changed/);
    expect(f.exitCode()).to.equal(130);
  });

  it("end of input with nothing left: no message, exit 0", async () => {
    const f = fakeParts({ running: [] });
    const stopping = new Shutdown(f.parts).stop("end-of-input");
    f.finishDrain();
    await stopping;
    expect(f.said).to.deep.equal([]);
    expect(f.calls).to.deep.equal(["stopInput", "stopServices", "closeLogs", "exit 0"]);
  });

  it("SIGTERM: a command still running after the drain deadline is named as cut short", async () => {
    const f = fakeParts({ running: ["/nodes add 2"], stillRunningAfterDrain: ["/nodes add 2"] });
    const stopping = new Shutdown(f.parts).stop("terminate");
    f.finishDrain();
    await stopping;
    expect(f.said).to.deep.equal(["Stopping: finishing the running command (`/nodes add 2`)…", "Stopped; cut short: `/nodes add 2`."]);
    expect(f.exitCode()).to.equal(0);
  });
});

describe("startup failures", () => {
  it("one line, no stack, for an unexpected error; the stack only with LOG_LEVEL=debug", () => {
    const err = new Error("kubeconfig: no context named production\n  (check KUBECONFIG)");
    expect(describeStartupFailure(err, { debug: false })).to.equal("tugboat: failed to start: kubeconfig: no context named production (check KUBECONFIG) (LOG_LEVEL=debug shows where)");
    expect(describeStartupFailure(err, { debug: true })).to.match(/\n\s+at /);
  });
  it("a port in use says which and what to set", () => {
    const err = Object.assign(new Error("listen EADDRINUSE: address already in use :::3000"), { code: "EADDRINUSE", syscall: "listen", port: 3000 });
    expect(describeStartupFailure(err, { debug: false })).to.equal(
      "tugboat: cannot listen on port 3000 (already in use): stop what uses it, or set PORT (SANDBOX_KUBE_PORT and SANDBOX_GITHUB_PORT for the sandbox) to a free port.",
    );
  });
  it("a config error keeps its lines", () => {
    expect(describeStartupFailure(new ConfigError("a.yaml: x: bad\na.yaml: y: bad"), { debug: false })).to.equal("tugboat: a.yaml: x: bad\na.yaml: y: bad");
  });
});
