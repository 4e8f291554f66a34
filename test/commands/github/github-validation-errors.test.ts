import { expect } from "chai";
import { runThroughRouter, type RunOptions } from "../../helpers/harness.js";
import { useHarness } from "../../helpers/use-harness.js";
import { Router } from "../../../src/core/router.js";
import { githubFamily } from "../../../src/commands/github/index.js";
import { silentLogger } from "../../../src/core/logger.js";

// GitHub answers a refused write with 422 "Validation Failed" and says why in `errors`; Tugboat printed only
// "Validation Failed", so `/github open` of a branch that has a PR already, or nothing to merge, left a new user
// guessing. The reply now carries what GitHub said. Through the router against the sandbox's GitHub.

describe("/github: GitHub's validation errors say why", function () {
  this.timeout(60_000);
  const h = useHarness();
  const run = (text: string, opts: RunOptions = {}) => {
    // The family is registered against the sandbox only (main.ts); here it joins the harness's router.
    const app = { ...h.app, router: new Router([githubFamily], h.app.policy, h.app.services, silentLogger, { record: (e) => void h.audit.push(e) }) };
    return runThroughRouter(app, text, { channel: "CGITHUB", ...opts });
  };

  it("names the PR that already exists, and a branch with nothing to merge", async () => {
    const again = await run("/github open my-branch");
    expect(again.final?.tone, again.text).to.equal("error");
    expect(again.text).to.include("Validation Failed: A pull request already exists for octo:my-branch.");

    const pushed = await run("/github push idea notes.md first");
    expect(pushed.final?.tone, pushed.text).to.equal("success");
    const same = await run("/github open idea --base idea");
    expect(same.text).to.include("Validation Failed: No commits between idea and idea.");
  });
});
