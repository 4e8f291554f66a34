import { execFile } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";

const ROOT = resolve(import.meta.dirname, "../..");
const exec = promisify(execFile);

/**
 * Runs an ES module script in a fresh node (under tsx, in the project's root) that first registers a resolve hook
 * noting every ES module file it resolves to the file `LOG` (a const the script can read); returns the JSON of the
 * last line the script prints. The hook is the test's, after tsx's own: what is measured adds no thread of its own.
 */
export async function inFreshNode(script: string): Promise<unknown> {
  const log = join(tmpdir(), `tugboat-fresh-node-${process.pid}-${Math.random().toString(36).slice(2)}.log`);
  writeFileSync(log, "");
  const hook = `import { appendFileSync } from "node:fs"; export async function resolve(s, c, n) { const r = await n(s, c); if (r.url.startsWith("file:")) appendFileSync(${JSON.stringify(log)}, r.url + "\\n"); return r; }`;
  const prelude = `import { register as registerLogHook } from "node:module"; registerLogHook("data:text/javascript," + encodeURIComponent(${JSON.stringify(hook)})); const LOG = ${JSON.stringify(log)};\n`;
  try {
    const { stdout } = await exec(process.execPath, ["--import", "tsx", "--input-type=module", "-e", prelude + script], { cwd: ROOT, encoding: "utf8" });
    return JSON.parse(stdout.trim().split("\n").at(-1)!);
  } finally {
    rmSync(log, { force: true });
  }
}
