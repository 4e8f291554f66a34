// OpenAPI fidelity: drive every endpoint the sandbox serves (successes and the errors Tugboat handles)
// through the real Octokit, then check each response's status and body against the operation's schema in
// @octokit/openapi's api.github.com description, and that every endpoint/status below was exercised.
// (sandbox.test.ts checks its own responses the same way, test by test.)
import { expect } from "chai";
import { Octokit } from "@octokit/rest";
import { FULL, R, SHAS, quietLog, useGithubSandbox } from "./helpers.js";
import { checkExchange, matchOperation, type Verdict } from "./openapi.js";
import type { Exchange } from "@tugboat/sandbox/github";

/** Every operation the sandbox must serve, with the statuses the sweep must produce. */
const REQUIRED: Array<[string, string, number[]]> = [
  ["GET", "/user", [200, 401]],
  ["GET", "/rate_limit", [200]],
  ["GET", "/repos/{owner}/{repo}", [200, 404]],
  ["GET", "/repos/{owner}/{repo}/pulls/{pull_number}", [200, 404]],
  ["GET", "/repos/{owner}/{repo}/pulls", [200]],
  ["GET", "/repos/{owner}/{repo}/branches/{branch}", [200, 404]],
  ["GET", "/repos/{owner}/{repo}/branches", [200]],
  ["GET", "/repos/{owner}/{repo}/git/ref/{ref}", [200, 404]],
  ["GET", "/repos/{owner}/{repo}/git/matching-refs/{ref}", [200]],
  ["GET", "/repos/{owner}/{repo}/commits/{ref}", [200, 422]],
  ["GET", "/repos/{owner}/{repo}/commits/{ref}/status", [200, 404]],
  ["GET", "/repos/{owner}/{repo}/commits/{ref}/statuses", [200]],
  ["POST", "/repos/{owner}/{repo}/statuses/{sha}", [201, 422]],
  ["GET", "/repos/{owner}/{repo}/commits/{commit_sha}/pulls", [200]],
  ["GET", "/repos/{owner}/{repo}/compare/{basehead}", [200, 404]],
  ["GET", "/repos/{owner}/{repo}/commits/{ref}/check-runs", [200]],
  ["POST", "/repos/{owner}/{repo}/deployments", [201, 202, 409, 422]],
  ["GET", "/repos/{owner}/{repo}/deployments", [200]],
  ["GET", "/repos/{owner}/{repo}/deployments/{deployment_id}", [200, 404]],
  ["DELETE", "/repos/{owner}/{repo}/deployments/{deployment_id}", [204, 422]],
  ["POST", "/repos/{owner}/{repo}/deployments/{deployment_id}/statuses", [201, 422]],
  ["GET", "/repos/{owner}/{repo}/deployments/{deployment_id}/statuses", [200, 404]],
  ["POST", "/repos/{owner}/{repo}/issues/{issue_number}/comments", [201, 404, 422]],
  ["GET", "/repos/{owner}/{repo}/issues/{issue_number}/comments", [200]],
  ["GET", "/repos/{owner}/{repo}/contents/{path}", [200, 404]],
];

/** Calls fn, swallowing the expected HTTP error (its response is still recorded and validated). */
async function expectStatus(status: number, fn: () => Promise<unknown>): Promise<void> {
  try {
    const res = (await fn()) as { status: number };
    expect(res.status).to.equal(status);
  } catch (e) {
    const err = e as { status?: number };
    if (err.status === undefined) throw e;
    expect(err.status).to.equal(status);
  }
}

describe("GitHub sandbox: OpenAPI fidelity (@octokit/openapi, api.github.com)", function () {
  this.timeout(30_000);
  const h = useGithubSandbox();
  let verdicts: Array<{ x: Exchange; v: Verdict }> = [];

  before(async function () {
    const o: Octokit = h.octokit;
    const t = h.throttled();
    const bad = new Octokit({ baseUrl: h.sb.url, auth: "wrong", log: quietLog });

    await expectStatus(200, () => o.users.getAuthenticated());
    await expectStatus(401, () => bad.users.getAuthenticated());
    await expectStatus(200, () => o.rateLimit.get());
    await expectStatus(200, () => t.repos.get(R));
    await expectStatus(404, () => o.repos.get({ owner: "octo", repo: "missing" }));
    for (const n of [4812, 4813, 4814, 4815, 4816]) await expectStatus(200, () => o.pulls.get({ ...R, pull_number: n }));
    await expectStatus(404, () => o.pulls.get({ ...R, pull_number: 9 }));
    await expectStatus(200, () => o.pulls.list({ ...R, state: "all", per_page: 2, page: 2 }));
    await expectStatus(200, () => o.pulls.list({ ...R, head: "octo:feature/faster-unicorn" }));
    await expectStatus(200, () => o.repos.getBranch({ ...R, branch: "feature/faster-unicorn" }));
    await expectStatus(404, () => o.repos.getBranch({ ...R, branch: "missing" }));
    await expectStatus(200, () => o.repos.listBranches({ ...R, per_page: 3 }));
    await expectStatus(200, () => o.git.getRef({ ...R, ref: "heads/feature/faster-unicorn" }));
    await expectStatus(404, () => o.git.getRef({ ...R, ref: "heads/missing" }));
    await expectStatus(200, () => o.git.listMatchingRefs({ ...R, ref: "heads/" }));
    await expectStatus(200, () => o.git.listMatchingRefs({ ...R, ref: "heads/missing" }));
    await expectStatus(200, () => o.repos.getCommit({ ...R, ref: "0c61" }));
    await expectStatus(200, () => o.repos.getCommit({ ...R, ref: "main" }));
    await expectStatus(422, () => o.repos.getCommit({ ...R, ref: "ffff" }));
    for (const ref of [SHAS.main, "broken-build", SHAS.pr4814, "1a2b3c4d"]) {
      await expectStatus(200, () => o.repos.getCombinedStatusForRef({ ...R, ref }));
      await expectStatus(200, () => o.repos.listCommitStatusesForRef({ ...R, ref }));
      await expectStatus(200, () => o.checks.listForRef({ ...R, ref }));
    }
    await expectStatus(404, () => o.repos.getCombinedStatusForRef({ ...R, ref: "missing" }));
    for (const commit_sha of [SHAS.main, SHAS.pr4812, "77a51aa"]) await expectStatus(200, () => o.repos.listPullRequestsAssociatedWithCommit({ ...R, commit_sha }));
    for (const basehead of [`main...${SHAS.pr4812}`, "main...1a2b3c4d", "main...main", "main...old-idea"]) {
      await expectStatus(200, () => o.repos.compareCommitsWithBasehead({ ...R, basehead }));
    }
    // Paged (as Tugboat asks): a page of the compared commits, the counts of them all.
    await expectStatus(200, () => o.repos.compareCommitsWithBasehead({ ...R, basehead: "1a2b3c4d...main", per_page: 1, page: 2 }));
    await expectStatus(404, () => o.repos.compareCommitsWithBasehead({ ...R, basehead: "main...missing" }));
    await expectStatus(201, () => o.repos.createCommitStatus({ ...R, sha: SHAS.pr4816, state: "success", context: "ci/extra", target_url: "https://ci.example/1", description: "ok" }));
    await expectStatus(201, () => o.repos.createCommitStatus({ ...R, sha: SHAS.pr4816, state: "pending" }));
    await expectStatus(422, () => o.repos.createCommitStatus({ ...R, sha: SHAS.pr4816, state: "nope" as "success" }));
    await expectStatus(200, () => o.repos.getCombinedStatusForRef({ ...R, ref: SHAS.pr4816 }));
    h.sb.store.addCheckRun(FULL, SHAS.pr4816, "queued-one", "queued");
    await expectStatus(200, () => o.checks.listForRef({ ...R, ref: SHAS.pr4816, check_name: "queued-one", status: "queued" }));

    // deployments
    const created = await o.repos.createDeployment({ ...R, ref: SHAS.pr4812, auto_merge: false, environment: "staging", payload: { pr: 4812 } });
    expect(created.status).to.equal(201);
    const id = (created.data as { id: number }).id;
    await expectStatus(201, () => o.repos.createDeployment({ ...R, ref: "my-branch", auto_merge: false, environment: "review-lab-my-branch", transient_environment: true, required_contexts: [], payload: "{\"x\":1}" }));
    await expectStatus(202, () => o.repos.createDeployment({ ...R, ref: "my-branch", required_contexts: [] }));
    await expectStatus(409, () => o.repos.createDeployment({ ...R, ref: "broken-build", auto_merge: false }));
    await expectStatus(409, () => o.repos.createDeployment({ ...R, ref: SHAS.pr4812, auto_merge: false, required_contexts: ["missing"] }));
    await expectStatus(422, () => o.request("POST /repos/{owner}/{repo}/deployments", { ...R } as never));
    await expectStatus(422, () => o.repos.createDeployment({ ...R, ref: "missing", auto_merge: false }));
    await expectStatus(200, () => o.repos.listDeployments({ ...R }));
    await expectStatus(200, () => o.repos.listDeployments({ ...R, environment: "staging", sha: SHAS.pr4812, per_page: 1 }));
    await expectStatus(200, () => o.repos.getDeployment({ ...R, deployment_id: id }));
    await expectStatus(404, () => o.repos.getDeployment({ ...R, deployment_id: 1 }));
    await expectStatus(201, () => o.repos.createDeploymentStatus({ ...R, deployment_id: id, state: "in_progress", log_url: "https://tugboat.example/log/1" }));
    await expectStatus(201, () => o.repos.createDeploymentStatus({ ...R, deployment_id: id, state: "success", environment_url: "https://staging.example", description: "Deployed" }));
    await expectStatus(422, () => o.repos.createDeploymentStatus({ ...R, deployment_id: id, state: "failure", description: "d".repeat(141) }));
    await expectStatus(200, () => o.repos.listDeploymentStatuses({ ...R, deployment_id: id }));
    await expectStatus(404, () => o.repos.listDeploymentStatuses({ ...R, deployment_id: 1 }));
    await expectStatus(422, () => o.repos.deleteDeployment({ ...R, deployment_id: id }));
    await expectStatus(201, () => o.repos.createDeploymentStatus({ ...R, deployment_id: id, state: "inactive" }));
    await expectStatus(204, () => o.repos.deleteDeployment({ ...R, deployment_id: id }));

    // comments
    await expectStatus(201, () => o.issues.createComment({ ...R, issue_number: 4812, body: "Deployed PR4812 to staging" }));
    await expectStatus(422, () => o.issues.createComment({ ...R, issue_number: 4812, body: "" }));
    await expectStatus(404, () => o.issues.createComment({ ...R, issue_number: 9, body: "x" }));
    await expectStatus(200, () => o.issues.listComments({ ...R, issue_number: 4812 }));
    const comment = (await o.issues.createComment({ ...R, issue_number: 4812, body: "Review lab is coming up" })).data.id;
    await expectStatus(200, () => o.issues.updateComment({ ...R, comment_id: comment, body: "Review lab is ready" }));
    await expectStatus(422, () => o.issues.updateComment({ ...R, comment_id: comment, body: "" }));
    await expectStatus(404, () => o.issues.updateComment({ ...R, comment_id: 1, body: "x" }));

    // contents: files, directories, the root, 404s
    for (const path of ["README.md", "config/kubernetes/production/unicorn.yaml", "config/kubernetes/review-lab/configmap.yaml"]) {
      await expectStatus(200, () => o.repos.getContent({ ...R, path, ref: SHAS.pr4812 }));
    }
    for (const path of ["", "config", "config/kubernetes/staging"]) await expectStatus(200, () => o.repos.getContent({ ...R, path }));
    await expectStatus(404, () => o.repos.getContent({ ...R, path: "missing.yaml" }));
    await expectStatus(404, () => o.repos.getContent({ ...R, path: "README.md", ref: "missing" }));

    // injected faults answer like GitHub's errors too
    h.sb.faults.add({ pathPattern: /\/pulls\/4812$/, status: 502, count: 1 });
    await expectStatus(200, () => t.pulls.get({ ...R, pull_number: 4812 }));

    verdicts = h.exchanges.map((x) => ({ x, v: checkExchange(x) }));
  });

  it("every response validates against its operation's schema", function () {
    const bad = verdicts.filter(({ v }) => v.errors.length);
    const text = bad.map(({ x, v }) => `${v.operation}\n    request: ${x.method} ${x.path}\n    ${v.errors.join("\n    ")}`).join("\n");
    expect(bad, `responses that don't match GitHub's OpenAPI description:\n${text}`).to.deep.equal([]);
  });

  it("covers every endpoint with its success and error statuses", function () {
    const seen = new Set(verdicts.map(({ x, v }) => `${x.method} ${v.template} ${x.status}`));
    const missing = REQUIRED.flatMap(([m, tpl, statuses]) => statuses.map((s) => `${m} ${tpl} ${s}`)).filter((k) => !seen.has(k));
    expect(missing, "operations/statuses the sweep did not exercise").to.deep.equal([]);
  });

  it("covers both shapes of the contents API (file and directory)", function () {
    const contents = verdicts.filter(({ x, v }) => v.template === "/repos/{owner}/{repo}/contents/{path}" && x.status === 200);
    expect(contents.some(({ x }) => Array.isArray(x.responseBody))).to.equal(true);
    expect(contents.some(({ x }) => (x.responseBody as { type?: string }).type === "file")).to.equal(true);
  });

  it("maps requests to operations the way GitHub's paths read (encoded slashes, greedy paths)", function () {
    expect(matchOperation("GET", "/repos/octo/github/branches/feature%2Ffaster-unicorn")?.template).to.equal("/repos/{owner}/{repo}/branches/{branch}");
    expect(matchOperation("GET", "/repos/octo/github/contents/")?.template).to.equal("/repos/{owner}/{repo}/contents/{path}");
    expect(matchOperation("GET", "/repos/octo/github/commits/abc/status")?.template).to.equal("/repos/{owner}/{repo}/commits/{ref}/status");
    expect(matchOperation("GET", "/repos/octo/github")?.template).to.equal("/repos/{owner}/{repo}");
  });

  it("is not vacuous: a body missing required fields or with a wrong enum fails", function () {
    const good = verdicts.find(({ x, v }) => v.operationId === "repos/get-combined-status-for-ref" && x.status === 200)!.x;
    const broken: Record<string, unknown> = { ...(good.responseBody as Record<string, unknown>), state: "green" };
    delete broken.sha;
    const v = checkExchange({ ...good, responseBody: broken });
    expect(v.errors.join("\n")).to.match(/sha/);
    const status = verdicts.find(({ x, v }) => v.operationId === "repos/create-deployment-status" && x.status === 201)!.x;
    const wrongEnum = checkExchange({ ...status, responseBody: { ...(status.responseBody as object), state: "done" } });
    expect(wrongEnum.errors.join("\n")).to.match(/\/state must be equal to one of the allowed values/);
    const undocumented = checkExchange({ ...good, status: 418 });
    expect(undocumented.errors.join("\n")).to.match(/not documented/);
  });

  describe("OpenAPI fidelity", function () {
    it("answers as GitHub's OpenAPI description says (per-test check)", function () {
      h.assertFidelity();
    });
  });
});
