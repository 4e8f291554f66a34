import { expect } from "chai";
import { execFile } from "node:child_process";
import { join } from "node:path";

// npm test runs mocha --parallel, where each worker runs file after file and never exits on its own: the leak check
// then fails the file that left something open, names it, and leaves the other files passing.
describe("the leak check under mocha --parallel", function () {
  this.timeout(60_000);

  it("fails the file that leaves a server listening, naming the server, and passes the file that closes its own", async () => {
    const fixtures = join("test", "fixtures", "leak-check");
    const run = await new Promise<{ code: number; output: string }>((resolve) => {
      execFile(
        process.execPath,
        [join("node_modules", "mocha", "bin", "mocha.js"), "--parallel", "--jobs", "2", join(fixtures, "leaves-a-server.ts"), join(fixtures, "closes-its-server.ts")],
        { env: { ...process.env, TUGBOAT_LEAK_GRACE_MS: "300" }, timeout: 50_000 },
        (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: unknown }).code ?? 1) : 0, output: `${stdout}${stderr}` }),
      );
    });
    expect(run.code, run.output).to.equal(1);
    expect(run.output).to.match(/test\/fixtures\/leak-check\/leaves-a-server\.ts left 1 handle\(s\) open 0\.3 s after its last test:\n\s+- Server \{"address":"127\.0\.0\.1"/);
    expect(run.output).not.to.contain("closes-its-server.ts left");
    expect(run.output).to.match(/\b2 passing/);
    expect(run.output).to.match(/\b1 failing/);
  });
});
