import { expect } from "chai";
import { PassThrough } from "node:stream";
import { TerminalAdapter } from "../../../src/chat/terminal/terminal-adapter.js";
import { startHarness, type Harness } from "../../helpers/harness.js";
import { eventually } from "../../helpers/manual-clock.js";

// Approvals in the terminal: the card prints the lines to type, and the terminal takes the next line while the
// deploy waits on other people, so the asker can type (and be refused) `/deploy approve ID`. The approver is another
// terminal on the same sandbox (another Tugboat process: `. .sandbox/env && TUGBOAT_USER=UAPPROVER npm start`).

function terminal(h: Harness, user: string) {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const seen = { out: "" };
  stdout.on("data", (c) => (seen.out += c));
  // The terminal's own channel ("terminal"), as `npm start` has it.
  const adapter = new TerminalAdapter(h.app.router, { input: stdin, output: stdout, actor: { id: user }, assumeYes: true, interactive: false });
  return { stdin, seen, done: adapter.run() };
}

describe("approvals in the terminal", function () {
  this.timeout(60_000);
  let h: Harness;
  let other: Harness;
  before(async () => {
    h = await startHarness({ approvals: true });
    other = await startHarness({ approvals: true, sandbox: h.sandbox, instanceId: "second-terminal" });
  });
  after(async () => {
    await other.stop();
    await h.stop();
  });

  it("done when (terminal): UADMIN's deploy waits, UADMIN's own `/deploy approve` is refused, UAPPROVER's (another terminal) deploys it", async () => {
    const admin = terminal(h, "UADMIN");
    admin.stdin.write("/deploy PR4812 to production\n");
    await eventually("the approval card", () => /Approve: \/deploy approve [0-9a-f]{8}/.test(admin.seen.out), 20_000);
    const id = /Approve: \/deploy approve ([0-9a-f]{8})/.exec(admin.seen.out)![1]!;
    expect(admin.seen.out).to.include(`Reject: /deploy reject ${id}`);
    expect(admin.seen.out).to.match(/Who may approve: roles admin or approver \(@UADMIN2, @UAPPROVER\); not the asker/);

    // The same terminal takes the next line while the deploy waits.
    admin.stdin.write(`/deploy approve ${id}\n`);
    await eventually("the refusal", () => admin.seen.out.includes("Denied: you asked for this deploy"), 10_000);
    expect(admin.seen.out).not.to.include("Deployed PR #4812");

    const approver = terminal(other, "UAPPROVER");
    approver.stdin.end(`/deploy approve ${id}\n`);
    await approver.done;
    expect(approver.seen.out).to.match(/@UAPPROVER approved the deploy of PR #4812 \(eed486a\) to github production \(asked by @UADMIN\): 1 of 1, so it starts now/);

    admin.stdin.end();
    await admin.done;
    expect(admin.seen.out).to.include("Deployed PR #4812 (eed486a) to github production");
    // The refusal came before the deploy's end: the terminal did not wait for the deploy to read it.
    expect(admin.seen.out.indexOf("Denied: you asked")).to.be.below(admin.seen.out.indexOf("Deployed PR #4812"));
  });
});
