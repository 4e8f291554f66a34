import { expect } from "chai";
import { runMain } from "./run-main.js";

// `npm start` on the embedded sandbox wires the sandbox's GitHub to the terminal bot: /github changes GitHub, GitHub
// delivers a signed webhook to the bot's POST /github/webhooks (a free loopback port), and the lab use case runs.
describe("src/main.ts: the sandbox's GitHub delivers webhooks to the terminal bot", function () {
  this.timeout(120_000);

  it("/github label PR4816 review-lab brings PR 4816's review lab up, said in the app's channel", async () => {
    let labelled = false;
    let done = false;
    const run = await runMain({
      env: { SANDBOX_SPEED: "test" },
      onOutput: (out, child) => {
        if (!labelled && out.includes("acting as")) {
          labelled = true;
          child.stdin!.write("/github label PR4816 review-lab\n");
        }
        if (!done && /Review lab for PR #4816 (is up|was applied|not changed)/.test(out)) {
          done = true;
          child.stdin!.end("/reviewlab list\n");
        }
      },
    });
    expect(run.code, run.err.slice(-2000)).to.equal(0);
    expect(run.out).to.contain('Labelled PR #4816 "review-lab" (labels now: review-lab).');
    expect(run.out).to.match(/\[#CDEPLOYS\] Review lab for PR #4816 is up at https:\/\/my-branch\.review-lab\.example\.com, at 663c692 \(pull_request labeled, by tugboat-bot on GitHub\)\./);
    expect(run.out).to.match(/my-branch\s+663c692\s+github:tugboat-bot/);
  });
});
