import { expect } from "chai";
import { annotationOps } from "../../../src/domain/deploy/annotations.js";
import { startHarness, type Harness } from "../../helpers/harness.js";
import { deployment } from "../deploy/helpers.js";

// A canary deployed again while one runs is a new run on the same Deployments (server-side apply keeps what others
// wrote): the guard's records of the last run must not carry over, or a new run would never be promoted
// automatically (a promotion already "asked for"), show the last run's figures, or edit the last run's message.

const RECORDS = {
  "tugboat.dev/analysis": JSON.stringify({ at: "2026-11-30T09:00:00.000Z", verdict: "pass", samples: 500, figures: [{ name: "errorRatio", label: "error ratio", format: "percent", canary: 0.001, stable: 0.002 }] }),
  "tugboat.dev/auto-promote-requested-at": "2026-11-30T09:00:00.000Z",
  "tugboat.dev/canary-message": JSON.stringify({ channel: "CDEPLOYS", id: "1000.000100", run: "2026-11-30T08:50:00.000Z" }),
};

describe("a canary deployed again over a running one", function () {
  this.timeout(30_000);
  let h: Harness;
  beforeEach(async () => (h = await startHarness()));
  afterEach(async () => h.stop());

  it("starts afresh: the last run's analysis, promotion request and message are emptied", async () => {
    const first = await h.run("/deploy PR4812 to canary", { user: "UADMIN", channel: "CDEPLOYS" });
    expect(first.final?.tone, first.text).to.equal("success");
    const cluster = h.kube.cluster("production");
    for (const name of ["unicorn-canary", "unicorn-api-canary"]) {
      const current = deployment(h, "production", "github-production", name).metadata.annotations;
      await cluster.deployments.patch(name, "github-production", annotationOps(current, RECORDS), "json");
    }
    const status = await h.run("/canary status", { user: "UADMIN", channel: "CDEPLOYS" });
    expect(status.text, "the records are read as the guard wrote them").to.match(/Analysis \(pass/);

    const again = await h.run("/deploy PR4816 to canary", { user: "UADMIN", channel: "CDEPLOYS" });
    expect(again.final?.tone, again.text).to.equal("success");
    for (const name of ["unicorn-canary", "unicorn-api-canary"]) {
      const annotations = deployment(h, "production", "github-production", name).metadata.annotations;
      expect(Object.fromEntries(Object.keys(RECORDS).map((k) => [k, annotations[k]])), name).to.deep.equal(Object.fromEntries(Object.keys(RECORDS).map((k) => [k, ""])));
    }
    expect((await h.run("/canary status", { user: "UADMIN", channel: "CDEPLOYS" })).text).to.not.match(/Analysis \(/);
  });
});
