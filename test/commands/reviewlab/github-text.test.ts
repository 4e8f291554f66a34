import { expect } from "chai";
import { code, deploymentDescription, linkMarkdown, md, plainMarkdown } from "../../../src/core/github-markdown.js";
import { useHarness } from "../../helpers/use-harness.js";
import { pushCommit, REPO } from "./helpers.js";

// What Tugboat writes to GitHub keeps outside text as text: PR comments cannot mention a team or carry a link from
// a branch name, and deployment descriptions carry &, < and > as entities.

/** A branch name git allows that tries a team mention, a markdown link, HTML, an autolink and a backtick break-out. */
const EVIL_BRANCH = "fix-`@octo/admins`-[Approve](www.evil.example)-<img src=x>-&-<!channel>";

describe("GitHub text: comments and deployment descriptions", () => {
  describe("building blocks", () => {
    it("plainMarkdown shows the text and renders nothing of it", () => {
      const out = plainMarkdown("ping @octo/admins see #12 [Approve](http://evil.example) <b>x</b> & *bold* www.evil.example").markdown;
      expect(out).not.to.match(/@\w|#\w|(^|[^\\])\[|<|:\/\/|www\./);
      expect(out).to.include("@\u2060octo/admins").and.include("\\[Approve\\]\\(").and.include("&lt;b&gt;").and.include("&amp;");
      expect(plainMarkdown("a\nb").markdown).to.equal("a b");
    });

    it("code spans outgrow the backticks inside, so a value cannot close them", () => {
      expect(code("a`b").markdown).to.equal("``a`b``");
      expect(code("`x`").markdown).to.equal("`` `x` ``");
      expect(code("plain").markdown).to.equal("`plain`");
    });

    it("md`` escapes interpolated strings and keeps vouched markdown", () => {
      expect(md`lab ${code("b")} by ${"@octo/admins"} at ${linkMarkdown("https://x.example.com/a b")} #${4}`.markdown).to.equal(
        "lab `b` by @\u2060octo/admins at <https://x.example.com/a%20b> #4",
      );
      expect(linkMarkdown("javascript:alert(1)").markdown).not.to.include("<");
    });

    it("deployment descriptions: entities, at most 140 characters, no half entity", () => {
      expect(deploymentDescription("Review lab for <!channel> & co")).to.equal("Review lab for &lt;!channel&gt; &amp; co");
      const long = deploymentDescription(`${"x".repeat(135)}<<<<<`);
      expect(long.length).to.be.at.most(140);
      expect(long).to.match(/(x|&lt;)…$/);
    });
  });

  describe("through the router against the sandbox", function () {
    this.timeout(30_000);
    const h = useHarness();

    it("/reviewlab up of a PR with a hostile branch: the PR comment mentions nobody and links nowhere; the deployment description is escaped", async () => {
      const store = h.sandbox.github.store;
      const sha = pushCommit(h, EVIL_BRANCH, "evil");
      store.addPull(REPO, { number: 4960, title: "evil", head: EVIL_BRANCH, sha, user: "mallory" });
      const t = await h.run("/reviewlab up PR4960", { user: "UDEPLOYER" });
      expect(t.final?.tone, t.text).to.equal("success");
      const comments = store.issueComments(REPO, 4960);
      expect(comments).to.have.length(1);
      const body = comments[0]!.body;
      // The branch sits in a code span whose fence is longer than its backticks: nothing in it renders.
      expect(body).to.include(`\`\`${EVIL_BRANCH}\`\``);
      const outside = body.replace(`\`\`${EVIL_BRANCH}\`\``, "");
      expect(outside).not.to.match(/@\w|\[|<img|<!|www\./);
      expect(outside).to.match(/is ready: <https:\/\/[a-z0-9-]+\.review-lab\.example\.com\/?>$/);

      const deployment = store.deployments(REPO).find((d) => d.sha === sha)!;
      expect(deployment.description).to.equal(deploymentDescription(`Review lab for ${EVIL_BRANCH}`));
      expect(deployment.description).to.include("&lt;img src=x&gt;-&amp;-&lt;!channel&gt;");
      await h.run("/reviewlab down PR4960", { user: "UDEPLOYER" });
    });
  });
});
