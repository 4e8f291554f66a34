import { expect } from "chai";
import { execFile } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

// A fresh clone must install on Node 20 without warnings: every locked package accepts this Node, and every
// install script is covered by package.json's allowScripts. `npm ci --dry-run` reads only the two files, so this
// needs no network; --engine-strict turns an engine mismatch (EBADENGINE) into a failure.
describe("npm ci on a fresh clone", function () {
  this.timeout(60_000);
  it("installs on this Node without EBADENGINE or install-script warnings", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tugboat-install-"));
    try {
      for (const f of ["package.json", "package-lock.json"]) copyFileSync(f, join(dir, f));
      const run = promisify(execFile);
      const { stderr } = await run("npm", ["ci", "--dry-run", "--engine-strict", "--offline", "--no-audit", "--no-fund"], { cwd: dir }).catch((err: { stderr?: string }) => {
        throw new Error(`npm ci --dry-run failed:\n${err.stderr ?? String(err)}`);
      });
      expect(stderr.split("\n").filter((l) => l.startsWith("npm warn"))).to.deep.equal([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
