import { expect } from "chai";
import { startHarness, runThroughRouter, type Harness, type RunOptions } from "../../helpers/harness.js";
import { Router } from "../../../src/core/router.js";
import { githubFamily } from "../../../src/commands/github/index.js";
import type { App } from "../../../src/app.js";
import { silentLogger } from "../../../src/core/logger.js";

// /github drives the sandbox's GitHub through the GitHub gateway as a person would on github.com; every change is
// checked in the sandbox's store, and refusals leave it as it was.

describe("/github (the sandbox's github.com, from chat)", function () {
  this.timeout(60_000);
  let h: Harness;
  let app: App;
  const repo = "octo/github";

  beforeEach(async () => {
    h = await startHarness();
    // The family is registered against the sandbox only (main.ts); here it joins the harness's router.
    app = { ...h.app, router: new Router([githubFamily], h.app.policy, h.app.services, silentLogger, { record: (e) => void h.audit.push(e) }) };
  });
  afterEach(async () => h.stop());
  const run = (text: string, opts: RunOptions = {}) => runThroughRouter(app, text, { channel: "CGITHUB", ...opts });

  it("pushes a file to a new branch, opens a PR, labels it, sets its image status and merges it", async () => {
    const store = h.sandbox.github.store;
    const mainBefore = store.repo(repo).branches.get("main")!;

    const pushed = await run("/github push try-chat docs/chat.md hello from chat --message 'Say hello'");
    expect(pushed.final?.tone, pushed.text).to.equal("success");
    const head = store.repo(repo).branches.get("try-chat")!;
    expect(store.repo(repo).commits.get(head)!).to.deep.include({ message: "Say hello", parents: [mainBefore] });
    expect(store.filesAt(repo, head).get("docs/chat.md")).to.equal("hello from chat\n");
    expect(pushed.text).to.include(`Pushed ${head.slice(0, 7)} to try-chat (new branch from main at ${mainBefore.slice(0, 7)})`);

    const opened = await run("/github open try-chat");
    expect(opened.final?.tone, opened.text).to.equal("success");
    const pr = [...store.repo(repo).pulls.values()].find((p) => p.head === "try-chat")!;
    expect(pr).to.deep.include({ title: "Say hello", base: "main", state: "open", sha: head });
    expect(opened.text).to.include(`Opened PR #${pr.number} "Say hello"`);

    expect((await run(`/github label PR${pr.number} review-lab`)).text).to.include("labels now: review-lab");
    expect(pr.labels).to.deep.equal(["review-lab"]);
    expect((await run(`/github unlabel #${pr.number} review-lab`)).text).to.include("labels now: none");
    expect(pr.labels).to.deep.equal([]);

    expect((await run(`/github status PR${pr.number} ci/image success`)).final?.tone).to.equal("success");
    expect(store.latestStatuses(repo, head).find((s) => s.context === "ci/image")?.state).to.equal("success");

    const merged = await run(`/github merge PR${pr.number}`);
    expect(merged.final?.tone, merged.text).to.equal("success");
    const mainAfter = store.repo(repo).branches.get("main")!;
    expect(mainAfter).to.not.equal(mainBefore);
    expect(pr).to.deep.include({ state: "closed", merged: true, merge_commit_sha: mainAfter });
    expect(store.filesAt(repo, mainAfter).get("docs/chat.md")).to.equal("hello from chat\n");
    expect(merged.text).to.include(`Merged PR #${pr.number} "Say hello" into main as ${mainAfter.slice(0, 7)}`);
    expect(h.audit.filter((e) => e.command?.startsWith("/github") && e.outcome === "success")).to.have.length(6);
  });

  it("closes and reopens a PR, and says in one line why GitHub refused a merge", async () => {
    const pr = h.sandbox.github.store.repo(repo).pulls.get(4816)!;
    expect((await run("/github close PR4816")).text).to.include("Closed PR #4816");
    expect(pr.state).to.equal("closed");
    const refused = await run("/github merge PR4816");
    expect(refused.final?.tone).to.equal("error");
    expect(refused.text).to.match(/^Could not merge PR #4816: merging PR #4816: Pull Request is not mergeable\.$/m);
    expect(pr.merged).to.equal(false);
    expect((await run("/github reopen PR4816")).text).to.include("Reopened PR #4816");
    expect(pr.state).to.equal("open");
  });

  it("needs github:write: a viewer is denied and nothing changes", async () => {
    const pr = h.sandbox.github.store.repo(repo).pulls.get(4812)!;
    const denied = await run("/github label PR4812 review-lab", { user: "UVIEWER" });
    expect(denied.text).to.match(/github:write/);
    expect(denied.final).to.equal(undefined);
    expect(pr.labels).to.not.include("review-lab");
  });

  it("bad input gets one line and the usage", async () => {
    for (const [line, says] of [
      ["/github push main ../etc/passwd x", /not a path inside the repository/],
      ["/github push main", /name the file to write/],
      ["/github merge banana", /"banana" is not a pull request/],
      ["/github label PR4812", /name the label/],
      ["/github status main ci/image great", /the state is one of pending, success, failure, error/],
      ["/github merge PR4812 --squash --rebase", /cannot go together/],
      ["/github open 'bad..branch'", /not a branch name git allows/],
    ] as const) {
      const t = await run(line);
      expect(t.final, line).to.equal(undefined);
      expect(t.whispers.length, line).to.equal(1);
      expect(t.text, line).to.match(says);
      expect(t.text, line).to.include("Usage: /github");
    }
  });
});
