// The sandbox GitHub's write side through the real Octokit (each response checked against the OpenAPI description by
// the helpers), and the webhooks it delivers for each change: signed with the sandbox's secret, in GitHub's shapes
// (checked against @octokit/webhooks-schemas), in the order the changes happened.
import { expect } from "chai";
import { createHmac } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Octokit } from "@octokit/rest";
import { FULL, R, SHAS, quietLog, rejection, useGithubSandbox } from "../sandbox/github/helpers.js";
import { schemaProblems } from "./webhook-schemas.js";

interface Received {
  event: string;
  delivery: string;
  signature: string;
  body: string;
  payload: { action?: string; [k: string]: unknown };
}

const SECRET = "sandbox-test-secret";

describe("GitHub sandbox: writes and webhook deliveries", function () {
  this.timeout(60_000);
  let receiver: Server;
  let url = "";
  let received: Received[] = [];
  let ciSleeps: Array<{ ms: number; go: () => void }> = [];

  before(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const body = Buffer.concat(chunks).toString("utf8");
        received.push({ event: String(req.headers["x-github-event"]), delivery: String(req.headers["x-github-delivery"]), signature: String(req.headers["x-hub-signature-256"]), body, payload: JSON.parse(body) });
        res.writeHead(202).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/github/webhooks`;
  });
  after(async () => new Promise<void>((r) => receiver.close(() => r())));

  const h = useGithubSandbox({
    fresh: true,
    webhooks: { secret: SECRET, urls: [] },
    ci: { delayMs: 5_000, sleep: (ms) => new Promise<void>((go) => ciSleeps.push({ ms, go })) },
  });
  beforeEach(() => {
    received = [];
    ciSleeps = [];
    h.sb.webhooks.addUrl(url);
  });

  const settle = () => h.sb.webhooks.idle();
  const events = () => received.map((r) => (r.payload.action ? `${r.event}.${r.payload.action}` : r.event));

  function expectValid(): void {
    for (const r of received) {
      expect(r.signature).to.equal(`sha256=${createHmac("sha256", SECRET).update(r.body).digest("hex")}`);
      expect(schemaProblems(r.event, r.payload), `${r.event}.${r.payload.action ?? ""}`).to.equal("");
    }
    expect(new Set(received.map((r) => r.delivery)).size).to.equal(received.length);
  }

  it("a file written on a new branch, a PR opened, labelled, pushed to, unlabelled and merged: every change is delivered", async () => {
    const o = h.octokit;
    const ref = await o.git.createRef({ ...R, ref: "refs/heads/try-webhooks", sha: SHAS.main });
    expect(ref.status).to.equal(201);
    const created = await o.repos.createOrUpdateFileContents({ ...R, path: "docs/hello.md", branch: "try-webhooks", message: "Say hello", content: Buffer.from("hello\n").toString("base64") });
    expect(created.status).to.equal(201);
    const first = created.data.commit.sha!;
    expect(h.sb.store.repo(FULL).branches.get("try-webhooks")).to.equal(first);

    const pr = await o.pulls.create({ ...R, head: "try-webhooks", base: "main", title: "Say hello" });
    expect(pr.status).to.equal(201);
    const number = pr.data.number;
    const labels = await o.issues.addLabels({ ...R, issue_number: number, labels: ["review-lab"] });
    expect(labels.data.map((l) => l.name)).to.deep.equal(["review-lab"]);

    const file = await o.repos.getContent({ ...R, path: "docs/hello.md", ref: "try-webhooks" });
    const blob = (file.data as { sha: string }).sha;
    const updated = await o.repos.createOrUpdateFileContents({ ...R, path: "docs/hello.md", branch: "try-webhooks", message: "Say it louder", content: Buffer.from("HELLO\n").toString("base64"), sha: blob });
    expect(updated.status).to.equal(200);
    const second = updated.data.commit.sha!;
    expect((await o.pulls.get({ ...R, pull_number: number })).data.head.sha).to.equal(second);

    await o.issues.removeLabel({ ...R, issue_number: number, name: "review-lab" });
    const merged = await o.pulls.merge({ ...R, pull_number: number, sha: second });
    expect(merged.data.merged).to.equal(true);
    const main = h.sb.store.repo(FULL).branches.get("main")!;
    expect(main).to.equal(merged.data.sha);
    expect(h.sb.store.filesAt(FULL, main).get("docs/hello.md")).to.equal("HELLO\n");
    const after = await o.pulls.get({ ...R, pull_number: number });
    expect(after.data).to.deep.include({ state: "closed", merged: true, merge_commit_sha: main });

    await settle();
    expect(events()).to.deep.equal([
      "push", // the new branch, at main's commit, which CI had built already
      "push", "status",
      "pull_request.opened",
      "pull_request.labeled",
      "push", "status", "pull_request.synchronize",
      "pull_request.unlabeled",
      "push", "status", "pull_request.closed",
    ]);
    const closed = received.find((r) => r.payload.action === "closed")!.payload as { pull_request: { merged: boolean; merge_commit_sha: string } };
    expect(closed.pull_request).to.deep.include({ merged: true, merge_commit_sha: main });
    const labelled = received.find((r) => r.payload.action === "labeled")!.payload as { label: { name: string } };
    expect(labelled.label.name).to.equal("review-lab");
    expectValid();
  });

  it("refuses what GitHub refuses: a stale blob sha, a missing one, a branch that exists, a merge of a moved head or a closed PR", async () => {
    const o = h.octokit;
    await o.repos.createOrUpdateFileContents({ ...R, path: "a.txt", branch: "main", message: "a", content: Buffer.from("a").toString("base64") });
    expect((await rejection(() => o.repos.createOrUpdateFileContents({ ...R, path: "a.txt", branch: "main", message: "b", content: "Yg==" }))).status).to.equal(422);
    expect((await rejection(() => o.repos.createOrUpdateFileContents({ ...R, path: "a.txt", branch: "main", message: "b", content: "Yg==", sha: "0".repeat(40) }))).status).to.equal(409);
    expect((await rejection(() => o.repos.createOrUpdateFileContents({ ...R, path: "a.txt", branch: "nope", message: "b", content: "Yg==" }))).status).to.equal(404);
    expect((await rejection(() => o.git.createRef({ ...R, ref: "refs/heads/main", sha: SHAS.main }))).status).to.equal(422);
    expect((await rejection(() => o.pulls.merge({ ...R, pull_number: 4816, sha: "1".repeat(40) }))).status).to.equal(409);
    await o.pulls.update({ ...R, pull_number: 4816, state: "closed" });
    expect((await rejection(() => o.pulls.merge({ ...R, pull_number: 4816 }))).status).to.equal(405);
    expect((await rejection(() => o.issues.removeLabel({ ...R, issue_number: 4816, name: "never-there" }))).status).to.equal(404);
    await o.pulls.update({ ...R, pull_number: 4816, state: "open" });
    await settle();
    expect(events().filter((e) => e.startsWith("pull_request"))).to.deep.equal(["pull_request.closed", "pull_request.reopened"]);
    expectValid();
  });

  it("check runs are created and completed, and a simulated CI sets a new commit's image status to success after its delay", async () => {
    const o = h.octokit;
    // Only a GitHub App creates check runs (GitHub refuses a person's token); the run names the App that made it.
    expect((await rejection(() => o.checks.create({ ...R, name: "ci/image", head_sha: SHAS.pr4816 }))).status).to.equal(403);
    const ci = new Octokit({ baseUrl: h.sb.url, auth: "sandbox-ci-app-token", log: quietLog });
    const run = await ci.checks.create({ ...R, name: "ci/image", head_sha: SHAS.pr4816, status: "in_progress" });
    expect(run.status).to.equal(201);
    expect(run.data.app?.slug).to.equal("sandbox-ci");
    expect((await rejection(() => o.checks.update({ ...R, check_run_id: run.data.id, conclusion: "success" }))).status).to.equal(403);
    await ci.checks.update({ ...R, check_run_id: run.data.id, conclusion: "success" });
    const pushed = await o.repos.createOrUpdateFileContents({ ...R, path: "ci.txt", branch: "main", message: "ci", content: Buffer.from("x").toString("base64") });
    const sha = pushed.data.commit.sha!;
    expect((await o.repos.getCombinedStatusForRef({ ...R, ref: sha })).data.statuses.map((s) => [s.context, s.state])).to.deep.equal([["ci/image", "pending"]]);
    expect(ciSleeps.map((s) => s.ms)).to.deep.equal([5_000]);
    ciSleeps[0]!.go();
    await new Promise((r) => setImmediate(r));
    expect((await o.repos.getCombinedStatusForRef({ ...R, ref: sha })).data.state).to.equal("success");
    await settle();
    expect(events()).to.deep.equal(["check_run.created", "check_run.completed", "push", "status", "status"]);
    expect(received.filter((r) => r.event === "status").map((r) => (r.payload as { state: string }).state)).to.deep.equal(["pending", "success"]);
    expectValid();
  });

  describe("last", () => {
    it("answers as GitHub's OpenAPI description says", () => h.assertFidelity());
  });
});
