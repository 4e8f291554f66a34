import { expect } from "chai";
import { createHmac, randomUUID } from "node:crypto";
import { labNamespaceObj, until } from "../commands/reviewlab/helpers.js";
import type { Harness } from "../helpers/harness.js";
import { WEBHOOKS_PATH } from "../../src/webhooks/webhook-endpoint.js";
import { R, startWebhookHarness, type WebhookHarness } from "./helpers.js";

// Review labs from GitHub's events, over the webhook HTTP boundary against the sandbox: a head is brought up once,
// however many events announce it (a push's synchronize and CI's success usually both do, in either order), and a
// CI status concerns every app of the repository whose imageContexts name it, not only the first one configured.

const LAB = "review-lab-my-branch";
const DEAD_URL = "http://127.0.0.1:9/github/webhooks";

describe("review labs from GitHub's events: once per head, every app of the repository", function () {
  this.timeout(60_000);
  let w: WebhookHarness;
  let h: Harness;
  afterEach(async () => w?.stop());

  const settled = () => w.settled();
  const labSha = () => labNamespaceObj(h, LAB)?.metadata?.annotations?.["tugboat.dev/sha"] as string | undefined;
  const ups = () => h.audit.filter((e) => e.channel === "github" && e.command.includes("up for PR #4816"));
  const labNews = () => h.notices.map((n) => n.reply.summary).filter((s) => s.startsWith("Review lab for PR #4816"));

  /** Delivers a payload to Tugboat's endpoint as GitHub would: signed with the sandbox's secret, a fresh delivery id. */
  async function deliver(event: string, payload: unknown): Promise<number> {
    const body = JSON.stringify(payload);
    const signature = `sha256=${createHmac("sha256", h.sandbox.github.webhooks.secret).update(body).digest("hex")}`;
    const res = await fetch(`http://127.0.0.1:${w.port}${WEBHOOKS_PATH}`, {
      method: "POST",
      body,
      headers: { "content-type": "application/json", "x-github-event": event, "x-github-delivery": randomUUID(), "x-hub-signature-256": signature },
    });
    return res.status;
  }

  /**
   * Pushes to PR 4816's branch while Tugboat hears nothing, and lets CI finish: the synchronize and CI's success for
   * the new head, as the sandbox sent them (to a URL that is not Tugboat's), to be delivered in the order a test wants.
   */
  async function pushUnheard(): Promise<{ head: string; synchronize: unknown; success: unknown }> {
    const tugboat = `http://127.0.0.1:${w.port}${WEBHOOKS_PATH}`;
    const hooks = h.sandbox.github.webhooks;
    hooks.removeUrl(tugboat);
    hooks.addUrl(DEAD_URL);
    h.sandbox.github.ci!.delayMs = 0;
    const file = await w.octokit.repos.createOrUpdateFileContents({ ...R, path: "README.lab.md", branch: "my-branch", message: "Touch", content: Buffer.from("x").toString("base64") });
    const head = file.data.commit.sha!;
    const success = () => hooks.deliveries.find((d) => d.event === "status" && d.payload.sha === head && d.payload.state === "success");
    await until("CI's success for the pushed head", () => success() !== undefined, 10_000);
    await hooks.idle();
    hooks.removeUrl(DEAD_URL);
    hooks.addUrl(tugboat);
    const synchronize = hooks.deliveries.find((d) => d.event === "pull_request" && d.action === "synchronize" && (d.payload.pull_request as { head: { sha: string } }).head.sha === head)!.payload;
    return { head, synchronize, success: success()!.payload };
  }

  it("a synchronize and CI's success for one head, delivered at once, re-up the lab once; a later success for that head changes nothing", async () => {
    w = await startWebhookHarness({ configure: (c) => void (c.reviewlab!.auto = { label: "review-lab", drafts: false, ignoreLabels: [] }) });
    h = w.h;
    await w.octokit.issues.addLabels({ ...R, issue_number: 4816, labels: ["review-lab"] });
    await settled();
    expect(ups()).to.have.length(1);

    const { head, synchronize, success } = await pushUnheard();
    expect(await Promise.all([deliver("pull_request", synchronize), deliver("status", success)])).to.deep.equal([202, 202]);
    await settled();
    expect(labSha()).to.equal(head);
    expect(ups().map((e) => e.details?.why), "lab ups after the push").to.have.length(2);
    expect(labNews().filter((s) => s.includes(`at ${head.slice(0, 7)}`))).to.have.length(1);

    // CI reports the same head again (a re-run): the lab is already there, nothing is applied again.
    const again = { ...(success as Record<string, unknown>), id: 987_654_321, updated_at: new Date().toISOString() };
    expect(await deliver("status", again)).to.equal(202);
    await settled();
    expect(ups()).to.have.length(2);
  });

  it("CI's success after a synchronize that found the image ready does not bring the same head up again", async () => {
    w = await startWebhookHarness({ configure: (c) => void (c.reviewlab!.auto = { label: "review-lab", drafts: false, ignoreLabels: [] }) });
    h = w.h;
    await w.octokit.issues.addLabels({ ...R, issue_number: 4816, labels: ["review-lab"] });
    await settled();
    const { head, synchronize, success } = await pushUnheard();
    expect(await deliver("pull_request", synchronize)).to.equal(202);
    await settled();
    expect(labSha()).to.equal(head);
    expect(await deliver("status", success)).to.equal(202);
    await settled();
    expect(ups()).to.have.length(2);
  });

  it("CI's success brings the lab up for the repository's app whose imageContexts name the context, though another app of the repository comes first", async () => {
    w = await startWebhookHarness({
      configure: (c) => {
        c.reviewlab!.auto = { label: "review-lab", drafts: false, ignoreLabels: [] };
        // A second app of the same repository, configured first, whose image is another context.
        c.apps = { worker: { ...c.apps.github!, image: "registry.example.com/github-worker", imageContexts: ["ci/worker-image"], channels: [], autoDeploy: undefined }, ...c.apps };
      },
    });
    h = w.h;
    // The label comes while the new head's image is still building: no app's gate is green, nothing comes up.
    h.sandbox.github.ci!.delayMs = 60_000;
    await w.octokit.repos.createOrUpdateFileContents({ ...R, path: "README.lab.md", branch: "my-branch", message: "Touch", content: Buffer.from("x").toString("base64") });
    const head = (await w.octokit.pulls.get({ ...R, pull_number: 4816 })).data.head.sha;
    await w.octokit.issues.addLabels({ ...R, issue_number: 4816, labels: ["review-lab"] });
    await settled();
    expect(labNamespaceObj(h, LAB)).to.equal(undefined);

    // The CI App reports ci/image: the github app's context (the worker's is ci/worker-image).
    const ciToken = "sandbox-ci-app-token";
    const { Octokit } = await import("@octokit/rest");
    await new Octokit({ baseUrl: h.sandbox.github.url, auth: ciToken }).repos.createCommitStatus({ ...R, sha: head, state: "success", context: "ci/image" });
    await settled();
    await until("the lab at the new head", () => labSha() === head, 10_000);
    expect(labNamespaceObj(h, LAB).metadata.annotations["tugboat.dev/app"]).to.equal("github");
  });
});
