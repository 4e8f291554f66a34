import { expect } from "chai";
import { storedCanaryMessage } from "../../../src/domain/canary-analysis/canary-message-ref.js";
import type { V1Deployment } from "../../../src/gateways/kube-models.js";

// Where the canary's message is: read back from the canary Deployment, where anyone with access could have written
// anything. Only a well-formed reference of this run, in the canary's own channel, is used.

const STARTED = "2026-11-30T09:00:00.000Z";
const canary = (message: string | undefined, started = STARTED): V1Deployment =>
  ({ metadata: { name: "unicorn-canary", annotations: { "tugboat.dev/canary-started-at": started, ...(message === undefined ? {} : { "tugboat.dev/canary-message": message }) } } }) as V1Deployment;
const stored = (ref: Record<string, unknown>) => JSON.stringify({ channel: "CDEPLOYS", id: "1000.000100", run: STARTED, ...ref });

describe("the canary's stored message reference", () => {
  it("is this run's message in the canary's channel", () => {
    expect(storedCanaryMessage([canary(undefined), canary(stored({}))], "CDEPLOYS")).to.deep.equal({ channel: "CDEPLOYS", id: "1000.000100" });
  });

  it("is none for another run, another channel, or anything malformed", () => {
    expect(storedCanaryMessage([canary(stored({}), "2026-11-30T10:00:00.000Z")], "CDEPLOYS"), "a new canary run gets a new message").to.equal(undefined);
    expect(storedCanaryMessage([canary(stored({ channel: "COTHER" }))], "CDEPLOYS")).to.equal(undefined);
    for (const bad of ["{", "null", "[]", stored({ id: 1000.0001 }), stored({ id: "1000.0001\n<!channel>" }), stored({ channel: "<#C1>" }), stored({ id: "x".repeat(65) })]) {
      expect(storedCanaryMessage([canary(bad)], "CDEPLOYS"), bad).to.equal(undefined);
    }
  });
});
