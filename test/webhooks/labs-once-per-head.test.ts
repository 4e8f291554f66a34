import { expect } from "chai";
import { createHmac, randomUUID } from "node:crypto";
import { labNamespaceObj, until } from "../commands/reviewlab/helpers.js";
import { startHarness, type Harness } from "../helpers/harness.js";
import { silentLogger } from "../../src/core/logger.js";
import type { TugboatConfig } from "../../src/config/schema.js";
import { coordinationOf } from "../../src/domain/replicas/coordination.js";
import { SharedEventIds } from "../../src/domain/replicas/shared-event-ids.js";
import { createWebhookVerifier } from "../../src/gateways/github/webhook-verifier.js";
import { listenOps } from "../../src/infra/ops-endpoints.js";
import { buildWebhookHandlers } from "../../src/webhooks/handlers.js";
import { createWebhookEndpoint, WEBHOOKS_PATH } from "../../src/webhooks/webhook-endpoint.js";
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

  it("across two replicas sharing their record: the synchronize to one and CI's success to the other re-up the lab once", async () => {
    const autoLab = (c: TugboatConfig) => void (c.reviewlab!.auto = { label: "review-lab", drafts: false, ignoreLabels: [] });
    const base = await startHarness({ configure: autoLab, instanceId: "replica-a" });
    const replicas: Array<{ h: Harness; url: string; idle: () => Promise<void>; stop: () => Promise<void> }> = [];
    try {
      // Each replica as main.ts wires it: its own app and endpoint, the webhook handlers with the shared record.
      for (const name of ["replica-a", "replica-b"]) {
        const rh = name === "replica-a" ? base : await startHarness({ configure: autoLab, instanceId: name, sandbox: base.sandbox });
        const clock = rh.app.services.clock;
        const shared = new SharedEventIds(coordinationOf({ config: rh.config, kube: rh.kube, instanceId: name, clock }), 60_000, silentLogger);
        const endpoint = createWebhookEndpoint({ verifier: createWebhookVerifier(base.sandbox.github.webhooks.secret), config: rh.config, handlers: buildWebhookHandlers(rh.app.services, shared), log: silentLogger, clock, shared });
        const server = await listenOps(endpoint.handle, 0, "127.0.0.1");
        replicas.push({ h: rh, url: `http://127.0.0.1:${server.port}${WEBHOOKS_PATH}`, idle: () => endpoint.idle(), stop: async () => (await endpoint.stop(), await server.close(), name === "replica-a" ? undefined : rh.stop()) });
      }
      const [a, b] = replicas as [(typeof replicas)[0], (typeof replicas)[0]];
      const hooks = base.sandbox.github.webhooks;
      hooks.addUrl(DEAD_URL);
      const octokit = new (await import("@octokit/rest")).Octokit({ baseUrl: base.sandbox.github.url, auth: base.sandbox.github.token });
      const post = async (url: string, event: string, payload: unknown) => {
        const body = JSON.stringify(payload);
        const signature = `sha256=${createHmac("sha256", hooks.secret).update(body).digest("hex")}`;
        return (await fetch(url, { method: "POST", body, headers: { "content-type": "application/json", "x-github-event": event, "x-github-delivery": randomUUID(), "x-hub-signature-256": signature } })).status;
      };
      await octokit.issues.addLabels({ ...R, issue_number: 4816, labels: ["review-lab"] });
      await hooks.idle();
      expect(await post(a.url, "pull_request", hooks.deliveries.find((d) => d.action === "labeled")!.payload)).to.equal(202);
      await a.idle();
      base.sandbox.github.ci!.delayMs = 0;
      const file = await octokit.repos.createOrUpdateFileContents({ ...R, path: "README.lab.md", branch: "my-branch", message: "Touch", content: Buffer.from("x").toString("base64") });
      const head = file.data.commit.sha!;
      const success = () => hooks.deliveries.find((d) => d.event === "status" && d.payload.sha === head && d.payload.state === "success");
      await until("CI's success for the pushed head", () => success() !== undefined, 10_000);
      await hooks.idle();
      const synchronize = hooks.deliveries.find((d) => d.action === "synchronize" && (d.payload.pull_request as { head: { sha: string } }).head.sha === head)!.payload;
      expect(await Promise.all([post(a.url, "pull_request", synchronize), post(b.url, "status", success()!.payload)])).to.deep.equal([202, 202]);
      await Promise.all([a.idle(), b.idle()]);
      const upsOf = (rh: Harness) => rh.audit.filter((e) => e.channel === "github" && e.command.includes("up for PR #4816"));
      expect(labNamespaceObj(base, LAB).metadata.annotations["tugboat.dev/sha"]).to.equal(head);
      expect(upsOf(a.h).length + upsOf(b.h).length, "ups across both replicas: the label's and one for the head").to.equal(2);
    } finally {
      for (const r of replicas.reverse()) await r.stop();
      await base.stop();
    }
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
