import { expect } from "chai";
import { startHarness, type Harness } from "../../helpers/harness.js";
import { renderText } from "../../../src/chat/terminal/render-text.js";
import { eventually } from "../../helpers/manual-clock.js";
import type { Reply } from "../../../src/core/reply.js";
import { SHAS } from "./helpers.js";

// What changed: every plan and final message lists the commits between what runs and the target (GitHub's compare
// against the sandbox's history), and a deploy that goes backwards or leaves the default branch is warned about.

describe("/deploy: what changed", function () {
  this.timeout(20000);
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.stop();
  });

  it("lists the commits between the running sha and the target on the result, and warns that a PR is not on main", async () => {
    // Staging runs 4e2b69b; PR #4812 (eed486a) sits on main's 0c6121e.
    const t = await h.run("/deploy PR4812 to staging", { user: "UDEPLOYER", channel: "CDEPLOYS" });
    expect(t.final?.tone, t.text).to.equal("success");
    const text = renderText(t.final!);
    expect(text).to.include("What changed: 2 new commits since 4e2b69b");
    expect(text).to.match(/`0c6121e` Merge pull request #4811 from octo\/cache-avatars \(hubot\)/);
    expect(text).to.match(/`eed486a` Make unicorn faster \(octocat\)/);
    expect(text).to.include("/compare/4e2b69b7257d0acef565ae51b930fda4288aa759...eed486a1e3c237947f6d05a688220f3d3d81f035");
    expect(text).to.include("PR #4812 is not merged: eed486a is not on main.");
    expect(text).not.to.include("goes backwards");
  });

  it("warns loudly on the plan when the target is older than what runs (a deploy that goes backwards)", async () => {
    // Production runs main (0c6121e); 4e2b69b is its parent.
    const t = await h.run(`/deploy ${SHAS.staging} to production --dry-run`, { user: "UADMIN", channel: "CDEPLOYS" });
    const text = renderText(t.final!);
    expect(text, t.text).to.include("This deploy goes backwards: 4e2b69b is older than 0c6121e, which runs now; it takes out 1 commit.");
    expect(text).to.include("What changed: no new commits since 0c6121e (0c6121e...4e2b69b");
    expect(text).not.to.include("is not on main");
  });

  it("says nothing changed when the target already runs", async () => {
    const t = await h.run(`/deploy ${SHAS.main} to production --dry-run`, { user: "UADMIN", channel: "CDEPLOYS" });
    expect(renderText(t.final!), t.text).to.include("What changed: nothing; 0c6121e already runs");
  });

  it("bounds and flattens commit messages from GitHub (one line, at most 72 characters, emphasis kept as literal text)", async () => {
    const long = `*Bold* \`code\` ${"x".repeat(200)}\nsecond line <!channel>`;
    const sha = "9".repeat(40);
    h.sandbox.github.store.addCommit("octo/github", { sha, message: long, parents: [SHAS.main], author: "octocat" });
    h.sandbox.github.store.setBranch("octo/github", "main", sha);
    const t = await h.run(`/deploy ${sha} to production --dry-run --force`, { user: "UADMIN", channel: "CDEPLOYS" });
    const text = renderText(t.final!);
    expect(text, t.text).to.include("What changed: 1 new commit since 0c6121e");
    expect(text).to.match(/`9999999` \*Bold\* `code` x{57}… \(octocat\)/);
    expect(text).not.to.include("second line");
  });

  it("the approval card lists what changed too", async () => {
    await h.stop();
    h = await startHarness({ approvals: true });
    const sent: Reply[] = [];
    const asked = h.run("/deploy PR4812 to production", { user: "UADMIN", channel: "CDEPLOYS", onSend: (r) => sent.push(structuredClone(r)) });
    let card: Reply | undefined;
    await eventually("the approval card", () => (card = sent.find((r) => r.blocks.some((b) => b.type === "actions"))) !== undefined, 15_000);
    const text = renderText(card!);
    expect(text).to.include("What changed: 1 new commit since 0c6121e");
    expect(text).to.match(/`eed486a` Make unicorn faster \(octocat\)/);
    const id = card!.blocks.flatMap((b) => (b.type === "actions" ? b.buttons : []))[0]!.command.split(" ").at(-1);
    await h.run(`/deploy reject ${id}`, { user: "UADMIN", channel: "CDEPLOYS" });
    await asked;
  });
});
