import { expect } from "chai";
import { PassThrough } from "node:stream";
import { TerminalAdapter } from "../../../src/chat/terminal/terminal-adapter.js";
import { type Harness } from "../../helpers/harness.js";
import { useHarness } from "../../helpers/use-harness.js";

// The terminal prints progress as one `… summary` line per step and the final reply in full; the progress
// block of an intermediate state (`  … resolve target`) never reaches the output, not even around a confirmation.

async function drive(h: Harness, input: string): Promise<string> {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  let out = "";
  stdout.on("data", (c) => (out += c));
  const adapter = new TerminalAdapter(h.app.router, { input: stdin, output: stdout, actor: { id: "UADMIN" }, channelId: "CDEPLOYS", assumeYes: true, interactive: false });
  const done = adapter.run();
  stdin.end(input);
  await done;
  return out;
}

describe("terminal output of deploys that ask for confirmation", function () {
  this.timeout(30000);
  const h = useHarness({}, { each: true });

  it("/canary promote and /deploy rollback print no stray progress lines", async () => {
    const out = await drive(h, "/deploy PR4812 to canary\n/canary promote\n/deploy rollback github production\n");
    expect(out).to.include("Deployed PR #4812 (eed486a) to github production");
    expect(out).to.include("Rolled back github production to the previous revision");
    expect(out).to.not.match(/^\s+… (resolve target|read revisions)/m);
  });
});
