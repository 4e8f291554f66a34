import { expect } from "chai";
import { Octokit } from "@octokit/rest";
import { until } from "../commands/reviewlab/helpers.js";
import type { Harness } from "../helpers/harness.js";
import { R, startWebhookHarness, type WebhookHarness } from "./helpers.js";

// Deploy on merge trusts only who may vouch for an image (apps.<app>.imageTrust: the sandbox's CI App): a green
// ci/image status set by someone else reaches Tugboat as a signed status delivery, deploys nothing, and the channel
// hears whose status was ignored; CI's own success then deploys the merge.

const REPO = "octo/github";

describe("deploy on merge ignores an image status from someone it does not trust", function () {
  this.timeout(60_000);
  let w: WebhookHarness;
  let h: Harness;
  beforeEach(async () => {
    w = await startWebhookHarness({ configure: (c) => void (c.apps.github!.autoDeploy = { branch: "main", environments: ["staging"], imageTimeoutMinutes: 60, duringFreeze: "refuse" }) });
    h = w.h;
    // CI reports pending at once and never finishes by itself here.
    h.sandbox.github.ci!.delayMs = 600_000;
  });
  afterEach(async () => w.stop());

  const asUser = (login: string) => {
    h.sandbox.github.store.addToken(`token-of-${login}`, login);
    return new Octokit({ baseUrl: h.sandbox.github.url, auth: `token-of-${login}` });
  };
  const stagingDeploys = (sha: string) => h.sandbox.github.store.deployments(REPO).filter((d) => d.environment === "staging" && d.sha === sha);

  it("mallory's success on the merge commit is ignored and named in the channel; the CI App's success deploys it", async () => {
    const main = h.sandbox.github.store.repo(REPO).branches.get("main")!;
    await w.octokit.git.createRef({ ...R, ref: "refs/heads/untrusted", sha: main });
    await w.octokit.repos.createOrUpdateFileContents({ ...R, path: "untrusted.txt", branch: "untrusted", message: "Add", content: Buffer.from("x").toString("base64") });
    const pr = (await w.octokit.pulls.create({ ...R, head: "untrusted", base: "main", title: "Ship it" })).data.number;
    const merged = (await w.octokit.pulls.merge({ ...R, pull_number: pr })).data.sha;
    await w.settled();

    await asUser("mallory").repos.createCommitStatus({ ...R, sha: merged, state: "success", context: "ci/image", description: "looks good to me" });
    await w.settled();
    expect(stagingDeploys(merged)).to.deep.equal([]);
    const said = h.notices.map((n) => `${n.channel} ${n.reply.summary}`);
    expect(said.filter((s) => s.includes("waits for its image"))).to.deep.equal([
      `CDEPLOYS Auto-deploy of github ${merged.slice(0, 7)} waits for its image: \`ci/image\` is pending (Building the image (sandbox CI)); ignored success by mallory: not trusted (apps.github.imageTrust).`,
    ]);

    await new Octokit({ baseUrl: h.sandbox.github.url, auth: "sandbox-ci-app-token" }).repos.createCommitStatus({ ...R, sha: merged, state: "success", context: "ci/image" });
    await until("the staging deploy of the merge", () => stagingDeploys(merged).length === 1, 30_000);
    await w.settled();
  });
});
