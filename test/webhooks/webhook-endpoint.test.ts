import { expect } from "chai";
import { createHmac, randomUUID } from "node:crypto";
import { startHarness, type Harness } from "../helpers/harness.js";
import { eventually, ManualClock } from "../helpers/manual-clock.js";
import { silentLogger } from "../../src/core/logger.js";
import type { SharedIds } from "../../src/core/seen-ids.js";
import { coordinationOf, digest } from "../../src/domain/replicas/coordination.js";
import { SharedEventIds } from "../../src/domain/replicas/shared-event-ids.js";
import { createWebhookVerifier } from "../../src/gateways/github/webhook-verifier.js";
import { listenOps } from "../../src/infra/ops-endpoints.js";
import { createWebhookEndpoint, WEBHOOKS_PATH, type WebhookEndpoint } from "../../src/webhooks/webhook-endpoint.js";
import type { GithubEventHandlers } from "../../src/webhooks/dispatch.js";
import type { PushEvent } from "../../src/webhooks/payloads.js";

// POST /github/webhooks over real HTTP, on two replicas that share their record of deliveries through the sandbox's
// Kubernetes (Leases, as in production). Signatures are computed here with node:crypto, not with the library that checks them.

const SECRET = "test-webhook-secret";
const sign = (body: string, secret = SECRET) => `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
const SHA_A = "a".repeat(40);
const SHA_B = "b".repeat(40);

function pushPayload(overrides: Record<string, unknown> = {}) {
  return {
    ref: "refs/heads/main",
    before: SHA_A,
    after: SHA_B,
    created: false,
    deleted: false,
    forced: false,
    repository: { full_name: "octo/github", default_branch: "main" },
    sender: { login: "octocat" },
    ...overrides,
  };
}

describe("GitHub webhook endpoint", function () {
  this.timeout(60_000);
  let h: Harness;
  const servers: Array<{ close(): Promise<void> }> = [];
  const endpoints: WebhookEndpoint[] = [];
  let pushes: Array<{ payload: PushEvent; replica: string; delivery: string; apps: string[] }>;

  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.stop();
  });
  beforeEach(() => {
    pushes = [];
  });
  afterEach(async () => {
    await Promise.all(endpoints.splice(0).map((e) => e.stop()));
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  async function replica(name: string, opts: { handlers?: GithubEventHandlers; installationId?: number; maxBodyBytes?: number; holdClaims?: { asked: boolean; go: Promise<void> } } = {}): Promise<string> {
    const clock = new ManualClock();
    const record = new SharedEventIds(coordinationOf({ config: h.config, kube: h.kube, instanceId: name, clock }), 60_000, silentLogger);
    const hold = opts.holdClaims;
    const shared: SharedIds = hold
      ? {
          firstTime: async (id) => {
            hold.asked = true;
            await hold.go;
            return record.firstTime(id);
          },
          forget: (id) => record.forget(id),
        }
      : record;
    const handlers: GithubEventHandlers = opts.handlers ?? {
      push: [
        async (payload, ctx) => {
          pushes.push({ payload, replica: name, delivery: ctx.deliveryId, apps: ctx.apps });
        },
      ],
    };
    const endpoint = createWebhookEndpoint({ verifier: createWebhookVerifier(SECRET), config: h.config, handlers, log: silentLogger, clock, shared, installationId: opts.installationId, maxBodyBytes: opts.maxBodyBytes });
    endpoints.push(endpoint);
    const server = await listenOps(endpoint.handle, 0, "127.0.0.1");
    servers.push(server);
    return `http://127.0.0.1:${server.port}${WEBHOOKS_PATH}`;
  }

  /** The shared record's Lease for a delivery id (shared-event-ids.ts names it by the digest of the key). */
  function deliveryLease(id: string) {
    const c = coordinationOf({ config: h.config, kube: h.kube, instanceId: "reader", clock: new ManualClock() });
    return c.cluster.leases.find(`tugboat-event-${digest(`github-delivery:${id}`, 40)}`, c.namespace);
  }

  function deliver(url: string, body: string, headers: Record<string, string | undefined> = {}): Promise<Response> {
    const all: Record<string, string> = {};
    const given = { "content-type": "application/json", "x-github-event": "push", "x-github-delivery": randomUUID(), "x-hub-signature-256": sign(body), ...headers };
    for (const [k, v] of Object.entries(given)) if (v !== undefined) all[k] = v;
    return fetch(url, { method: "POST", body, headers: all });
  }

  /** Lets handlers that run after the answer finish. */
  const settle = () => Promise.all(endpoints.map((e) => e.stop()));

  it("a signed delivery is acknowledged with 202 and its validated payload reaches the event's handler", async () => {
    const url = await replica("bot-a");
    const body = JSON.stringify(pushPayload());
    const res = await deliver(url, body, { "x-github-delivery": "d-signed-1" });
    expect(res.status).to.equal(202);
    await settle();
    expect(pushes).to.have.length(1);
    expect(pushes[0]).to.deep.include({ delivery: "d-signed-1", apps: ["github"] });
    expect(pushes[0]!.payload).to.deep.include({ ref: "refs/heads/main", after: SHA_B });
  });

  it("an unsigned or wrongly signed delivery gets 401 and changes nothing: the same delivery signed later is still new", async () => {
    const url = await replica("bot-a");
    const body = JSON.stringify(pushPayload({ after: "c".repeat(40) }));
    const id = `d-${randomUUID()}`;
    expect((await deliver(url, body, { "x-github-delivery": id, "x-hub-signature-256": undefined })).status).to.equal(401);
    expect((await deliver(url, body, { "x-github-delivery": id, "x-hub-signature-256": sign(body, "another-secret") })).status).to.equal(401);
    expect((await deliver(url, body, { "x-github-delivery": id, "x-hub-signature-256": sign(`${body} `) })).status).to.equal(401);
    expect((await deliver(url, body, { "x-github-delivery": id, "x-hub-signature-256": sign(body).replace("sha256=", "sha1=") })).status).to.equal(401);
    expect((await deliver(url, body, { "x-github-delivery": id, "x-hub-signature-256": "sha256=" })).status).to.equal(401);
    await settle();
    expect(pushes).to.deep.equal([]);

    const url2 = await replica("bot-a2");
    expect((await deliver(url2, body, { "x-github-delivery": id })).status).to.equal(202);
    await settle();
    expect(pushes).to.have.length(1);
  });

  it("a delivery replayed to the other replica, or its body under a new delivery id, runs nothing twice and records nothing", async () => {
    const a = await replica("bot-a");
    const b = await replica("bot-b");
    const body = JSON.stringify(pushPayload({ after: "d".repeat(40) }));
    const id = `d-${randomUUID()}`;
    expect((await deliver(a, body, { "x-github-delivery": id })).status).to.equal(202);
    // GitHub's redelivery keeps the id and the body: a repeat.
    const again = await deliver(b, body, { "x-github-delivery": id });
    expect(again.status).to.equal(200);
    expect(await again.json()).to.deep.equal({ duplicate: "body already handled" });
    // A captured delivery replayed under a new id (the id is not signed), to either replica.
    for (const url of [a, b]) {
      const newId = `d-${randomUUID()}`;
      const replay = await deliver(url, body, { "x-github-delivery": newId });
      expect(replay.status).to.equal(200);
      expect(await replay.json()).to.deep.equal({ duplicate: "body already handled" });
      expect(await deliveryLease(newId), "a refused replay leaves no Lease behind").to.equal(undefined);
    }
    expect(await deliveryLease(id)).to.not.equal(undefined);
    await settle();
    expect(pushes.map((p) => p.replica)).to.deep.equal(["bot-a"]);
  });

  it("one event's deliveries to two hooks share the delivery id: the second runs nothing, even with another body", async () => {
    const a = await replica("bot-a");
    const id = `d-${randomUUID()}`;
    expect((await deliver(a, JSON.stringify(pushPayload({ after: "9".repeat(40) })), { "x-github-delivery": id })).status).to.equal(202);
    const orgHook = await deliver(a, JSON.stringify(pushPayload({ after: "9".repeat(40), organization: { login: "octo" } })), { "x-github-delivery": id });
    expect(await orgHook.json()).to.deep.equal({ duplicate: "delivery already handled" });
    await settle();
    expect(pushes).to.have.length(1);
  });

  it("a delivery claimed while the replica stops gets 503, runs nothing, and GitHub's redelivery (same id and body) is handled", async () => {
    let claimsGo!: () => void;
    const hold = { asked: false, go: new Promise<void>((r) => (claimsGo = r)) };
    const a = await replica("bot-a", { holdClaims: hold });
    const b = await replica("bot-b");
    const body = JSON.stringify(pushPayload({ after: "8".repeat(40) }));
    const id = `d-${randomUUID()}`;
    const answer = deliver(a, body, { "x-github-delivery": id });
    await eventually("the shared claim to be asked", () => hold.asked);
    const stopping = endpoints[0]!.stop();
    claimsGo();
    const refused = await answer;
    expect(refused.status).to.equal(503);
    await stopping;
    expect(pushes).to.deep.equal([]);
    expect(await deliveryLease(id), "the claim was given back").to.equal(undefined);

    const redelivered = await deliver(b, body, { "x-github-delivery": id });
    expect(redelivered.status).to.equal(202);
    await settle();
    expect(pushes.map((p) => [p.replica, p.delivery])).to.deep.equal([["bot-b", id]]);
  });

  it("answers before its handlers finish (GitHub waits 10 s at most)", async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let finished = false;
    const url = await replica("bot-a", {
      handlers: {
        push: [
          async () => {
            await held;
            finished = true;
          },
        ],
      },
    });
    const res = await deliver(url, JSON.stringify(pushPayload({ after: "e".repeat(40) })));
    expect(res.status).to.equal(202);
    expect(finished).to.equal(false);
    release();
    await settle();
    expect(finished).to.equal(true);
  });

  it("a signed payload with a field outside what GitHub sends is refused with 400 and reaches no handler", async () => {
    const url = await replica("bot-a");
    for (const bad of [
      pushPayload({ after: "not-a-sha" }),
      pushPayload({ ref: "refs/heads/../../etc" }),
      pushPayload({ repository: { full_name: "octo/github; rm -rf" } }),
      pushPayload({ sender: { login: "<!channel>" } }),
      { ...pushPayload(), ref: undefined },
    ]) {
      const res = await deliver(url, JSON.stringify(bad));
      expect(res.status, JSON.stringify(bad)).to.equal(400);
    }
    expect((await deliver(url, "{not json")).status).to.equal(400);
    await settle();
    expect(pushes).to.deep.equal([]);
  });

  it("bodies are bounded, only JSON POSTs are taken, and events or repositories Tugboat does not handle are acknowledged and ignored", async () => {
    const url = await replica("bot-a", { maxBodyBytes: 2048 });
    const big = JSON.stringify(pushPayload({ padding: "x".repeat(4096) }));
    expect((await deliver(url, big)).status).to.equal(413);
    expect((await fetch(url)).status).to.equal(405);
    const body = JSON.stringify(pushPayload({ after: "f".repeat(40) }));
    expect((await deliver(url, body, { "content-type": "application/x-www-form-urlencoded" })).status).to.equal(415);
    expect((await deliver(url, body, { "x-github-event": undefined })).status).to.equal(400);
    const issues = await deliver(url, JSON.stringify({ action: "opened" }), { "x-github-event": "issues" });
    expect(issues.status).to.equal(202);
    expect(await issues.json()).to.deep.equal({ ignored: "event issues" });
    expect((await deliver(url, JSON.stringify({ zen: "Keep it logically awesome." }), { "x-github-event": "ping" })).status).to.equal(200);
    const other = await deliver(url, JSON.stringify(pushPayload({ repository: { full_name: "someone/else" } })));
    expect(other.status).to.equal(202);
    expect(await other.json()).to.deep.equal({ ignored: "repository not configured" });
    await settle();
    expect(pushes).to.deep.equal([]);
  });

  it("a GitHub App's deliveries are handled alike, for its own installation only", async () => {
    const url = await replica("bot-a", { installationId: 42 });
    const ours = JSON.stringify(pushPayload({ after: "1".repeat(40), installation: { id: 42, node_id: "MDIz" } }));
    const theirs = JSON.stringify(pushPayload({ after: "2".repeat(40), installation: { id: 43 } }));
    const appHeaders = { "x-github-hook-installation-target-type": "integration", "x-github-hook-installation-target-id": "77" };
    expect((await deliver(url, ours, appHeaders)).status).to.equal(202);
    const other = await deliver(url, theirs, appHeaders);
    expect(await other.json()).to.deep.equal({ ignored: "another installation of the GitHub App" });
    await settle();
    expect(pushes.map((p) => p.payload.after)).to.deep.equal(["1".repeat(40)]);
  });
});
