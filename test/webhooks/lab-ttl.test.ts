import { expect } from "chai";
import { labNamespaceObj, staging, until } from "../commands/reviewlab/helpers.js";
import type { Harness } from "../helpers/harness.js";
import { R, startWebhookHarness, type WebhookHarness } from "./helpers.js";

// A push to a labelled PR re-ups its lab and, with reviewlab.auto.ttlResetsOnPush (the default), starts its time to
// live again, without cutting short a lab someone extended; with ttlResetsOnPush: false the expiry stays.

const LAB = "review-lab-my-branch";
const HOUR = 3600_000;

describe("review labs from pull requests: the time to live on a push", function () {
  this.timeout(60_000);
  let w: WebhookHarness;
  let h: Harness;

  async function start(ttlResetsOnPush?: boolean): Promise<void> {
    w = await startWebhookHarness({
      configure: (c) => void (c.reviewlab!.auto = { label: "review-lab", drafts: false, ignoreLabels: [], ...(ttlResetsOnPush === undefined ? {} : { ttlResetsOnPush }) }),
    });
    h = w.h;
  }
  afterEach(async () => w.stop());

  const expiresAt = () => Date.parse(labNamespaceObj(h, LAB).metadata.annotations["tugboat.dev/expires-at"] as string);
  const labSha = () => labNamespaceObj(h, LAB)?.metadata?.annotations?.["tugboat.dev/sha"] as string | undefined;
  /** The lab's expiry as if set long ago or by /reviewlab extend. */
  function setExpiry(at: number): void {
    const ns = labNamespaceObj(h, LAB);
    ns.metadata.annotations["tugboat.dev/expires-at"] = new Date(at).toISOString();
    ns.metadata.labels["tugboat.dev/expires"] = String(Math.floor(at / 1000));
    staging(h).putObject(ns);
  }
  async function labelThenPush(): Promise<{ push: () => Promise<void> }> {
    await w.octokit.issues.addLabels({ ...R, issue_number: 4816, labels: ["review-lab"] });
    await w.settled();
    expect(labNamespaceObj(h, LAB), "lab namespace").to.not.equal(undefined);
    return {
      push: async () => {
        h.sandbox.github.ci!.delayMs = 50;
        const file = await w.octokit.repos.createOrUpdateFileContents({ ...R, path: "ttl.md", branch: "my-branch", message: "Touch", content: Buffer.from("x").toString("base64") });
        await until("the lab at the pushed head", () => labSha() === file.data.commit.sha, 20_000);
        await w.settled();
      },
    };
  }

  it("by default a push starts the time to live again (reviewlab.ttlHours from now)", async () => {
    await start();
    const { push } = await labelThenPush();
    setExpiry(Date.now() + 1 * HOUR);
    await push();
    expect(expiresAt()).to.be.closeTo(Date.now() + h.config.reviewlab!.ttlHours * HOUR, 60_000);
  });

  it("a push does not cut short a lab extended past the time to live", async () => {
    await start(true);
    const { push } = await labelThenPush();
    const extended = Date.now() + 150 * HOUR;
    setExpiry(extended);
    await push();
    expect(expiresAt()).to.be.closeTo(extended, 1_000);
  });

  it("ttlResetsOnPush: false: a push re-ups the lab and keeps its expiry", async () => {
    await start(false);
    const { push } = await labelThenPush();
    const soon = Date.now() + 1 * HOUR;
    setExpiry(soon);
    await push();
    expect(expiresAt()).to.be.closeTo(soon, 1_000);
  });
});
