// The real @octokit/rest against the GitHub sandbox. Every response is also checked against GitHub's
// OpenAPI description (see helpers.ts).
import { expect } from "chai";
import { Octokit } from "@octokit/rest";
import { FULL, R, SHAS, quietLog, rejection, useGithubSandbox } from "./helpers.js";

describe("GitHub sandbox (Octokit end to end)", function () {
  const h = useGithubSandbox();

  describe("auth and headers", function () {
    it("rejects a wrong token with 401 Bad credentials", async function () {
      const bad = new Octokit({ baseUrl: h.sb.url, auth: "nope", log: quietLog });
      const e = await rejection(() => bad.repos.get(R));
      expect(e.status).to.equal(401);
      expect(e.response?.data).to.deep.include({ message: "Bad credentials" });
      expect((e.response?.data as { documentation_url: string }).documentation_url).to.match(/^https:\/\/docs\.github\.com/);
    });

    it("rejects a missing token with 401", async function () {
      const anon = new Octokit({ baseUrl: h.sb.url, log: quietLog });
      const e = await rejection(() => anon.users.getAuthenticated());
      expect(e.status).to.equal(401);
    });

    it("accepts `token X` and `Bearer X`", async function () {
      for (const scheme of ["token", "Bearer"]) {
        const res = await fetch(`${h.sb.url}/user`, { headers: { authorization: `${scheme} ${h.sb.token}` } });
        expect(res.status).to.equal(200);
        await res.arrayBuffer();
      }
    });

    it("sends GitHub's headers", async function () {
      const res = await h.octokit.repos.get(R);
      expect(res.headers["content-type"]).to.equal("application/json; charset=utf-8");
      expect(res.headers["x-github-request-id"]).to.be.a("string").and.not.empty;
      expect(Number(res.headers["x-ratelimit-limit"])).to.equal(5000);
      expect(Number(res.headers["x-ratelimit-remaining"])).to.be.below(5000);
      expect(Number(res.headers["x-ratelimit-reset"])).to.be.above(Date.now() / 1000);
    });

    it("answers unknown repos and paths with 404 Not Found", async function () {
      const e = await rejection(() => h.octokit.repos.get({ owner: "octo", repo: "nope" }));
      expect(e.status).to.equal(404);
      expect(e.response?.data).to.deep.include({ message: "Not Found" });
    });

    it("GET /user is the token's user, GET /rate_limit reports usage", async function () {
      const { data: me } = await h.octokit.users.getAuthenticated();
      expect(me.login).to.equal("tugboat-bot");
      const { data: rl } = await h.octokit.rateLimit.get();
      expect(rl.rate.limit).to.equal(5000);
      expect(rl.resources.core.used).to.be.above(0);
    });
  });

  describe("repository, pulls, branches, refs", function () {
    it("gets the repository with its default branch", async function () {
      const { data } = await h.octokit.repos.get(R);
      expect(data.full_name).to.equal(FULL);
      expect(data.default_branch).to.equal("main");
    });

    it("gets pull requests from the seed", async function () {
      const { data: pr } = await h.octokit.pulls.get({ ...R, pull_number: 4812 });
      expect(pr).to.deep.include({ number: 4812, state: "open", title: "Make unicorn faster", merged: false });
      expect(pr.user.login).to.equal("octocat");
      expect(pr.head).to.deep.include({ ref: "feature/faster-unicorn", sha: SHAS.pr4812 });
      expect(pr.base.ref).to.equal("main");
      const { data: closed } = await h.octokit.pulls.get({ ...R, pull_number: 4815 });
      expect(closed).to.deep.include({ state: "closed", merged: false });
      const { data: mine } = await h.octokit.pulls.get({ ...R, pull_number: 4816 });
      expect(mine.user.login).to.equal("hubot");
      expect(mine.head.sha).to.equal(SHAS.pr4816);
      expect((await rejection(() => h.octokit.pulls.get({ ...R, pull_number: 1 }))).status).to.equal(404);
    });

    it("lists pulls by state, head and base, newest first", async function () {
      const open = (await h.octokit.pulls.list({ ...R })).data.map((p) => p.number);
      expect(open).to.deep.equal([4817, 4816, 4814, 4813, 4812]);
      const closed = (await h.octokit.pulls.list({ ...R, state: "closed" })).data.map((p) => p.number);
      expect(closed).to.deep.equal([4815]);
      const all = (await h.octokit.pulls.list({ ...R, state: "all", sort: "created", direction: "asc" })).data.map((p) => p.number);
      expect(all).to.deep.equal([4815, 4812, 4813, 4814, 4816, 4817]);
      const byHead = (await h.octokit.pulls.list({ ...R, head: "octo:my-branch" })).data.map((p) => p.number);
      expect(byHead).to.deep.equal([4816]);
      expect((await h.octokit.pulls.list({ ...R, base: "other" })).data).to.deep.equal([]);
    });

    it("paginates pulls with Link headers that octokit.paginate follows", async function () {
      const first = await h.octokit.pulls.list({ ...R, state: "all", per_page: 4 });
      expect(first.data).to.have.length(4);
      expect(first.headers.link).to.match(/rel="next"/).and.match(/rel="last"/);
      const last = await h.octokit.pulls.list({ ...R, state: "all", per_page: 4, page: 2 });
      expect(last.data).to.have.length(2);
      expect(last.headers.link).to.match(/rel="prev"/).and.not.match(/rel="next"/);
      const everything = await h.octokit.paginate(h.octokit.pulls.list, { ...R, state: "all", per_page: 2 });
      expect(everything.map((p) => p.number).sort()).to.deep.equal([4812, 4813, 4814, 4815, 4816, 4817]);
    });

    it("gets branches, including names with a slash, and lists them", async function () {
      const { data: b } = await h.octokit.repos.getBranch({ ...R, branch: "feature/faster-unicorn" });
      expect(b.name).to.equal("feature/faster-unicorn");
      expect(b.commit.sha).to.equal(SHAS.pr4812);
      const names = (await h.octokit.paginate(h.octokit.repos.listBranches, { ...R, per_page: 4 })).map((x) => x.name);
      expect(names).to.include.members(["main", "feature/faster-unicorn", "my-branch", "broken-build", "pending-build", "old-idea"]);
      expect((await rejection(() => h.octokit.repos.getBranch({ ...R, branch: "nope" }))).status).to.equal(404);
    });

    it("gets git refs and matching refs", async function () {
      const { data: ref } = await h.octokit.git.getRef({ ...R, ref: "heads/my-branch" });
      expect(ref.ref).to.equal("refs/heads/my-branch");
      expect(ref.object).to.deep.include({ sha: SHAS.pr4816, type: "commit" });
      const { data: slashed } = await h.octokit.git.getRef({ ...R, ref: "heads/feature/faster-unicorn" });
      expect(slashed.object.sha).to.equal(SHAS.pr4812);
      const { data: matching } = await h.octokit.git.listMatchingRefs({ ...R, ref: "heads/feature" });
      expect(matching.map((r) => r.ref)).to.deep.equal(["refs/heads/feature/faster-unicorn"]);
      expect((await rejection(() => h.octokit.git.getRef({ ...R, ref: "heads/nope" }))).status).to.equal(404);
    });
  });

  describe("commits", function () {
    it("resolves full shas, unique short shas (≥ 4) and branch names", async function () {
      expect((await h.octokit.repos.getCommit({ ...R, ref: SHAS.main })).data.sha).to.equal(SHAS.main);
      expect((await h.octokit.repos.getCommit({ ...R, ref: "eed486a" })).data.sha).to.equal(SHAS.pr4812);
      expect((await h.octokit.repos.getCommit({ ...R, ref: "663c" })).data.sha).to.equal(SHAS.pr4816);
      const { data: main } = await h.octokit.repos.getCommit({ ...R, ref: "main" });
      expect(main.sha).to.equal(SHAS.main);
      expect(main.parents.map((p) => p.sha)).to.deep.equal([SHAS.staging]);
      expect((await h.octokit.repos.getCommit({ ...R, ref: "feature/faster-unicorn" })).data.sha).to.equal(SHAS.pr4812);
    });

    it("answers 422 No commit found for unknown, too short and ambiguous shas", async function () {
      h.sb.store.addCommit(FULL, { sha: "abcd000000000000000000000000000000000001", message: "one" });
      h.sb.store.addCommit(FULL, { sha: "abcd000000000000000000000000000000000002", message: "two" });
      for (const ref of ["deadbeef", "abc", "abcd", "no-such-branch"]) {
        const e = await rejection(() => h.octokit.repos.getCommit({ ...R, ref }));
        expect(e.status, ref).to.equal(422);
        expect((e.response?.data as { message: string }).message).to.equal(`No commit found for SHA: ${ref}`);
      }
      expect((await h.octokit.repos.getCommit({ ...R, ref: "abcd000000000000000000000000000000000002" })).data.commit.message).to.equal("two");
    });
  });

  describe("commit statuses and check runs", function () {
    it("combines statuses: success, failure, pending", async function () {
      expect((await h.octokit.repos.getCombinedStatusForRef({ ...R, ref: SHAS.pr4812 })).data.state).to.equal("success");
      expect((await h.octokit.repos.getCombinedStatusForRef({ ...R, ref: "broken-build" })).data.state).to.equal("failure");
      const { data: pending } = await h.octokit.repos.getCombinedStatusForRef({ ...R, ref: "5b6d0fb" });
      expect(pending.state).to.equal("pending");
      expect(pending.statuses.map((s) => [s.context, s.state])).to.deep.equal([["ci/image", "pending"]]);
    });

    it("reads an empty status list as pending (total_count 0)", async function () {
      const { data } = await h.octokit.repos.getCombinedStatusForRef({ ...R, ref: "1a2b3c4d" });
      expect(data).to.deep.include({ state: "pending", total_count: 0 });
      expect(data.statuses).to.deep.equal([]);
    });

    it("creates statuses; the newest per context wins; error counts as failure", async function () {
      const sha = "cafe000000000000000000000000000000000001";
      h.sb.store.addCommit(FULL, { sha, message: "statuses" });
      const { data: created, status } = await h.octokit.repos.createCommitStatus({ ...R, sha, state: "pending", context: "ci/image", description: "building" });
      expect(status).to.equal(201);
      expect(created).to.deep.include({ state: "pending", context: "ci/image", description: "building" });
      await h.octokit.repos.createCommitStatus({ ...R, sha, state: "success", context: "ci/image" });
      await h.octokit.repos.createCommitStatus({ ...R, sha, state: "success", context: "ci/test" });
      let combined = (await h.octokit.repos.getCombinedStatusForRef({ ...R, ref: sha })).data;
      expect(combined.state).to.equal("success");
      expect(combined.total_count).to.equal(2);
      await h.octokit.repos.createCommitStatus({ ...R, sha, state: "error", context: "ci/lint" });
      combined = (await h.octokit.repos.getCombinedStatusForRef({ ...R, ref: sha })).data;
      expect(combined.state).to.equal("failure");
      const { data: list } = await h.octokit.repos.listCommitStatusesForRef({ ...R, ref: sha });
      expect(list.map((s) => `${s.context}:${s.state}`)).to.deep.equal(["ci/lint:error", "ci/test:success", "ci/image:success", "ci/image:pending"]);
      const e = await rejection(() => h.octokit.repos.createCommitStatus({ ...R, sha, state: "bogus" as "success" }));
      expect(e.status).to.equal(422);
      expect((e.response?.data as { errors: unknown[] }).errors).to.be.an("array").that.is.not.empty;
    });

    it("404s statuses of an unknown ref", async function () {
      expect((await rejection(() => h.octokit.repos.getCombinedStatusForRef({ ...R, ref: "nope" }))).status).to.equal(404);
    });

    it("lists check runs with check_name and status filters", async function () {
      const { data } = await h.octokit.checks.listForRef({ ...R, ref: SHAS.pr4813 });
      expect(data.total_count).to.equal(1);
      expect(data.check_runs[0]).to.deep.include({ name: "test", status: "completed", conclusion: "failure" });
      const sha = "cafe000000000000000000000000000000000002";
      h.sb.store.addCommit(FULL, { sha, message: "checks" });
      h.sb.store.addCheckRun(FULL, sha, "test", "completed", "success");
      h.sb.store.addCheckRun(FULL, sha, "lint", "queued", null);
      const byName = (await h.octokit.checks.listForRef({ ...R, ref: sha, check_name: "lint" })).data;
      expect(byName.check_runs.map((c) => [c.name, c.status, c.conclusion])).to.deep.equal([["lint", "queued", null]]);
      const done = (await h.octokit.checks.listForRef({ ...R, ref: sha, status: "completed" })).data;
      expect(done.check_runs.map((c) => c.name)).to.deep.equal(["test"]);
      // check runs count as contexts for deployments: the queued "lint" blocks the default required_contexts
      const e = await rejection(() => h.octokit.repos.createDeployment({ ...R, ref: sha, auto_merge: false }));
      expect(e.status).to.equal(409);
      const pending = (await h.octokit.checks.listForRef({ ...R, ref: SHAS.pr4814 })).data;
      expect(pending.check_runs[0]).to.deep.include({ status: "in_progress", conclusion: null });
    });
  });

  describe("deployments", function () {
    // Each test its own environment, named in order (not at random), so a failure names the same one every run.
    let envs = 0;
    const env = (name: string) => `${name}-${++envs}`;

    it("creates a deployment with GitHub's defaults", async function () {
      const res = await h.octokit.repos.createDeployment({ ...R, ref: SHAS.pr4812, auto_merge: false });
      expect(res.status).to.equal(201);
      const d = res.data as Extract<typeof res.data, { id: number }>;
      expect(d).to.deep.include({
        sha: SHAS.pr4812, ref: SHAS.pr4812, task: "deploy", environment: "production", original_environment: "production",
        transient_environment: false, production_environment: true, description: "",
      });
      expect(d.payload).to.deep.equal({});
      expect(d.creator?.login).to.equal("tugboat-bot");
      const { data: again } = await h.octokit.repos.getDeployment({ ...R, deployment_id: d.id });
      expect(again.id).to.equal(d.id);
      expect(h.sb.store.deployments(FULL).map((x) => x.id)).to.include(d.id);
    });

    it("honours environment, task, payload (object or JSON string), description and flags", async function () {
      const e = env("review-lab");
      const res = await h.octokit.repos.createDeployment({
        ...R, ref: "my-branch", auto_merge: false, required_contexts: [], environment: e, task: "deploy:lab",
        payload: JSON.stringify({ pr: 4816 }), description: "lab", transient_environment: true,
      });
      const d = res.data as Extract<typeof res.data, { id: number }>;
      expect(d).to.deep.include({ environment: e, task: "deploy:lab", description: "lab", transient_environment: true, production_environment: false, sha: SHAS.pr4816, ref: "my-branch" });
      expect(d.payload).to.deep.equal({ pr: 4816 });
      const obj = await h.octokit.repos.createDeployment({ ...R, ref: SHAS.pr4812, auto_merge: false, environment: e, payload: { a: [1] } });
      expect((obj.data as { payload: unknown }).payload).to.deep.equal({ a: [1] });
    });

    it("checks every context by default: failure and pending give 409", async function () {
      for (const ref of ["broken-build", SHAS.pr4814]) {
        const e = await rejection(() => h.octokit.repos.createDeployment({ ...R, ref, auto_merge: false }));
        expect(e.status, ref).to.equal(409);
        expect((e.response?.data as { message: string }).message).to.equal(`Conflict: Commit status checks failed for ${ref}.`);
      }
    });

    it("checks only the listed contexts; a missing context fails; [] skips the check", async function () {
      const ok = await h.octokit.repos.createDeployment({ ...R, ref: SHAS.pr4812, auto_merge: false, required_contexts: ["ci/image"], environment: env("x") });
      expect(ok.status).to.equal(201);
      const missing = await rejection(() => h.octokit.repos.createDeployment({ ...R, ref: SHAS.pr4812, auto_merge: false, required_contexts: ["ci/other"] }));
      expect(missing.status).to.equal(409);
      const skipped = await h.octokit.repos.createDeployment({ ...R, ref: SHAS.pr4813, auto_merge: false, required_contexts: [], environment: env("x") });
      expect(skipped.status).to.equal(201);
      const failed = await rejection(() => h.octokit.repos.createDeployment({ ...R, ref: SHAS.pr4813, auto_merge: false, required_contexts: ["ci/image"] }));
      expect(failed.status).to.equal(409);
    });

    it("auto_merge (default true) merges the default branch into a branch that is behind: 202, no deployment", async function () {
      const before = h.sb.store.deployments(FULL).length;
      const res = await h.octokit.repos.createDeployment({ ...R, ref: "pending-build", required_contexts: [] });
      expect(res.status).to.equal(202);
      expect((res.data as { message: string }).message).to.equal("Auto-merged main into pending-build on deployment.");
      expect(h.sb.store.deployments(FULL)).to.have.length(before);
      const { data: branch } = await h.octokit.repos.getBranch({ ...R, branch: "pending-build" });
      expect(branch.commit.parents.map((p) => p.sha)).to.deep.equal([SHAS.pr4814, SHAS.main]);
      // up to date now: the next request deploys
      const again = await h.octokit.repos.createDeployment({ ...R, ref: "pending-build", required_contexts: [], environment: env("x") });
      expect(again.status).to.equal(201);
    });

    it("requires ref (422) and a known ref (422)", async function () {
      const noRef = await rejection(() => h.octokit.request("POST /repos/{owner}/{repo}/deployments", { ...R } as never));
      expect(noRef.status).to.equal(422);
      expect((noRef.response?.data as { errors: unknown[] }).errors).to.be.an("array").that.is.not.empty;
      const unknown = await rejection(() => h.octokit.repos.createDeployment({ ...R, ref: "nope", auto_merge: false }));
      expect(unknown.status).to.equal(422);
    });

    it("creates and lists deployment statuses; description ≤ 140; state validated", async function () {
      const e = env("staging");
      const d = (await h.octokit.repos.createDeployment({ ...R, ref: SHAS.pr4812, auto_merge: false, environment: e })).data as { id: number };
      const s1 = await h.octokit.repos.createDeploymentStatus({ ...R, deployment_id: d.id, state: "in_progress", log_url: "https://tugboat.example/logs/1" });
      expect(s1.status).to.equal(201);
      expect(s1.data).to.deep.include({ state: "in_progress", log_url: "https://tugboat.example/logs/1", target_url: "https://tugboat.example/logs/1", environment: e });
      await h.octokit.repos.createDeploymentStatus({ ...R, deployment_id: d.id, state: "success", environment_url: "https://staging.example", description: "done" });
      const { data: list } = await h.octokit.repos.listDeploymentStatuses({ ...R, deployment_id: d.id });
      expect(list.map((s) => s.state)).to.deep.equal(["success", "in_progress"]);
      expect(list[0]).to.deep.include({ environment_url: "https://staging.example", description: "done" });
      const long = await rejection(() => h.octokit.repos.createDeploymentStatus({ ...R, deployment_id: d.id, state: "failure", description: "x".repeat(141) }));
      expect(long.status).to.equal(422);
      const bad = await rejection(() => h.octokit.repos.createDeploymentStatus({ ...R, deployment_id: d.id, state: "done" as "success" }));
      expect(bad.status).to.equal(422);
      expect(h.sb.store.deploymentStatuses(FULL, d.id).map((s) => s.state)).to.deep.equal(["in_progress", "success"]);
      expect((await rejection(() => h.octokit.repos.listDeploymentStatuses({ ...R, deployment_id: 999 }))).status).to.equal(404);
    });

    it("auto_inactive: a new success marks older successful deployments of the environment inactive", async function () {
      const e = env("production-like");
      const mk = async () => ((await h.octokit.repos.createDeployment({ ...R, ref: SHAS.pr4812, auto_merge: false, environment: e })).data as { id: number }).id;
      const first = await mk();
      await h.octokit.repos.createDeploymentStatus({ ...R, deployment_id: first, state: "success" });
      const second = await mk();
      await h.octokit.repos.createDeploymentStatus({ ...R, deployment_id: second, state: "success" });
      expect(h.sb.store.deploymentState(FULL, first)).to.equal("inactive");
      expect(h.sb.store.deploymentState(FULL, second)).to.equal("success");
      const third = await mk();
      await h.octokit.repos.createDeploymentStatus({ ...R, deployment_id: third, state: "success", auto_inactive: false });
      expect(h.sb.store.deploymentState(FULL, second)).to.equal("success");
    });

    it("lists deployments newest first, filtered, paginated", async function () {
      const e = env("list");
      const ids: number[] = [];
      for (let i = 0; i < 3; i++) {
        ids.push(((await h.octokit.repos.createDeployment({ ...R, ref: "feature/faster-unicorn", auto_merge: false, environment: e, task: i === 2 ? "deploy:migrations" : "deploy" })).data as { id: number }).id);
      }
      const { data: all } = await h.octokit.repos.listDeployments({ ...R, environment: e });
      expect(all.map((d) => d.id)).to.deep.equal([...ids].reverse());
      expect((await h.octokit.repos.listDeployments({ ...R, environment: e, task: "deploy:migrations" })).data.map((d) => d.id)).to.deep.equal([ids[2]]);
      expect((await h.octokit.repos.listDeployments({ ...R, environment: e, ref: "main" })).data).to.deep.equal([]);
      expect((await h.octokit.repos.listDeployments({ ...R, sha: SHAS.pr4812, environment: e })).data).to.have.length(3);
      const page = await h.octokit.repos.listDeployments({ ...R, environment: e, per_page: 2 });
      expect(page.data).to.have.length(2);
      expect(page.headers.link).to.match(/rel="next"/);
      expect(await h.octokit.paginate(h.octokit.repos.listDeployments, { ...R, environment: e, per_page: 1 })).to.have.length(3);
    });

    it("deletes only inactive deployments (422 otherwise)", async function () {
      const d = ((await h.octokit.repos.createDeployment({ ...R, ref: SHAS.pr4812, auto_merge: false, environment: env("del") })).data as { id: number }).id;
      await h.octokit.repos.createDeploymentStatus({ ...R, deployment_id: d, state: "success" });
      const active = await rejection(() => h.octokit.repos.deleteDeployment({ ...R, deployment_id: d }));
      expect(active.status).to.equal(422);
      await h.octokit.repos.createDeploymentStatus({ ...R, deployment_id: d, state: "inactive" });
      expect((await h.octokit.repos.deleteDeployment({ ...R, deployment_id: d })).status).to.equal(204);
      expect((await rejection(() => h.octokit.repos.getDeployment({ ...R, deployment_id: d }))).status).to.equal(404);
    });
  });

  describe("issue comments", function () {
    it("creates and lists comments on a PR", async function () {
      const { data: c, status } = await h.octokit.issues.createComment({ ...R, issue_number: 4812, body: "Deploying PR4812 to canary" });
      expect(status).to.equal(201);
      expect(c.body).to.equal("Deploying PR4812 to canary");
      expect(c.user?.login).to.equal("tugboat-bot");
      await h.octokit.issues.createComment({ ...R, issue_number: 4812, body: "Done" });
      const { data: list } = await h.octokit.issues.listComments({ ...R, issue_number: 4812 });
      expect(list.map((x) => x.body)).to.deep.equal(["Deploying PR4812 to canary", "Done"]);
      expect(h.sb.store.issueComments(FULL, 4812)).to.have.length(2);
      expect((await h.octokit.pulls.get({ ...R, pull_number: 4812 })).data.comments).to.equal(2);
    });

    it("422 for an empty body, 404 for an unknown issue", async function () {
      expect((await rejection(() => h.octokit.issues.createComment({ ...R, issue_number: 4812, body: "" }))).status).to.equal(422);
      expect((await rejection(() => h.octokit.issues.createComment({ ...R, issue_number: 1, body: "x" }))).status).to.equal(404);
      expect((await rejection(() => h.octokit.issues.listComments({ ...R, issue_number: 1 }))).status).to.equal(404);
    });
  });

  describe("contents", function () {
    const text = (data: unknown): string => Buffer.from((data as { content: string }).content, "base64").toString("utf8");

    it("serves a file with base64 content, its blob sha and size", async function () {
      const { data } = await h.octokit.repos.getContent({ ...R, path: "config/kubernetes/production/unicorn.yaml", ref: SHAS.main });
      expect(data).to.deep.include({ type: "file", encoding: "base64", name: "unicorn.yaml", path: "config/kubernetes/production/unicorn.yaml" });
      const body = text(data);
      expect(body).to.include("image: {{image}}").and.include("replicas: 3").and.include("prom/statsd-exporter:v0.26.0");
      expect((data as { size: number }).size).to.equal(Buffer.byteLength(body));
      expect((data as { sha: string }).sha).to.match(/^[0-9a-f]{40}$/);
    });

    it("lists directories (and the root) as arrays", async function () {
      const { data } = await h.octokit.repos.getContent({ ...R, path: "config/kubernetes", ref: "my-branch" });
      expect((data as Array<{ name: string; type: string }>).map((e) => `${e.type}:${e.name}`)).to.deep.equal(["dir:production", "dir:review-lab", "dir:staging"]);
      const { data: lab } = await h.octokit.repos.getContent({ ...R, path: "config/kubernetes/review-lab", ref: SHAS.pr4816 });
      expect((lab as Array<{ name: string }>).map((e) => e.name)).to.deep.equal(["configmap.yaml", "unicorn-api.yaml", "unicorn.yaml"]);
      const { data: root } = await h.octokit.repos.getContent({ ...R, path: "" });
      expect((root as Array<{ name: string }>).map((e) => e.name)).to.deep.equal(["README.md", "config"]);
    });

    it("404s missing files, missing dirs and unknown refs", async function () {
      for (const [path, ref] of [["nope.yaml", "main"], ["config/kubernetes/canary", "main"], ["README.md", "no-such-ref"]] as const) {
        const e = await rejection(() => h.octokit.repos.getContent({ ...R, path, ref }));
        expect(e.status, path).to.equal(404);
      }
    });

    it("honours per-sha and \"*\" overrides and removals", async function () {
      const path = "config/kubernetes/staging/unicorn.yaml";
      h.sb.store.setFile(FULL, SHAS.pr4812, path, "kind: Broken\n");
      expect(text((await h.octokit.repos.getContent({ ...R, path, ref: "feature/faster-unicorn" })).data)).to.equal("kind: Broken\n");
      expect(text((await h.octokit.repos.getContent({ ...R, path, ref: SHAS.main })).data)).to.include("kind: Deployment");
      h.sb.store.setFile(FULL, "*", "config/kubernetes/canary/unicorn.yaml", "kind: Canary\n");
      const { data: dir } = await h.octokit.repos.getContent({ ...R, path: "config/kubernetes/canary", ref: SHAS.staging });
      expect((dir as unknown[]).length).to.equal(1);
      h.sb.store.removeFile(FULL, SHAS.pr4816, "config/kubernetes/review-lab/configmap.yaml");
      expect((await rejection(() => h.octokit.repos.getContent({ ...R, path: "config/kubernetes/review-lab/configmap.yaml", ref: "my-branch" }))).status).to.equal(404);
      expect((await h.octokit.repos.getContent({ ...R, path: "config/kubernetes/review-lab/configmap.yaml", ref: "main" })).status).to.equal(200);
      h.sb.store.removeFile(FULL, "*", "config/kubernetes/canary/unicorn.yaml");
    });

    it("serves raw content for the raw media type and at download_url", async function () {
      const path = "config/kubernetes/review-lab/configmap.yaml";
      const raw = await h.octokit.repos.getContent({ ...R, path, mediaType: { format: "raw" } });
      expect(String(raw.data)).to.include("BRANCH: {{branch}}");
      const { data } = await h.octokit.repos.getContent({ ...R, path });
      const dl = await fetch((data as { download_url: string }).download_url);
      expect(await dl.text()).to.equal(String(raw.data));
    });
  });

  describe("plugins, faults and the request log", function () {
    it("works with the throttling and retry plugins", async function () {
      const o = h.throttled();
      expect((await o.repos.get(R)).data.full_name).to.equal(FULL);
      expect((await o.pulls.get({ ...R, pull_number: 4813 })).data.head.sha).to.equal(SHAS.pr4813);
      const e = await rejection(() => new (Object.getPrototypeOf(o).constructor)({ baseUrl: h.sb.url, auth: "bad", log: quietLog, throttle: { onRateLimit: () => false, onSecondaryRateLimit: () => false } }).repos.get(R));
      expect(e.status).to.equal(401);
    });

    it("retries injected 502s (plugin-retry) and secondary rate limits (plugin-throttling)", async function () {
      const o = h.throttled();
      h.sb.requests.reset();
      h.sb.faults.add({ method: "GET", pathPattern: /\/pulls\/4812$/, status: 502, count: 2 });
      expect((await o.pulls.get({ ...R, pull_number: 4812 })).status).to.equal(200);
      expect(h.sb.requests.log.map((r) => r.status)).to.deep.equal([502, 502, 200]);
      h.sb.faults.add({ pathPattern: /\/branches\/feature\/faster-unicorn$/, status: 429, count: 1 });
      expect((await o.repos.getBranch({ ...R, branch: "feature/faster-unicorn" })).status).to.equal(200);
      expect(h.sb.requests.log.slice(3).map((r) => [r.path, r.status])).to.deep.equal([
        ["/repos/octo/github/branches/feature/faster-unicorn", 429], ["/repos/octo/github/branches/feature/faster-unicorn", 200],
      ]);
      h.sb.faults.add({ status: 500 });
      expect((await rejection(() => h.octokit.repos.get(R))).status).to.equal(500);
      h.sb.faults.clear();
      expect(h.sb.requests.total).to.equal(6);
    });
  });

  describe("OpenAPI fidelity", function () {
    it("answers every request above as GitHub's OpenAPI description says", function () {
      expect(h.exchanges.length).to.be.above(100);
      h.assertFidelity();
    });
  });
});
