import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";

// How the image runs node, read from the Dockerfile's runtime stage so that tests and benchmarks use exactly that:
// its ENV lines (NODE_OPTIONS, MALLOC_ARENA_MAX, ...) and the node flags of its ENTRYPOINT.

const ROOT = resolve(import.meta.dirname, "../..");

export interface ImageRuntime {
  /** The runtime stage's ENV, e.g. { NODE_OPTIONS: "--max-old-space-size=256", MALLOC_ARENA_MAX: "2" }. */
  env: Record<string, string>;
  /** What the ENTRYPOINT gives node before the script, e.g. ["--no-wasm-tier-up"]. */
  nodeArgs: string[];
  /** The script the ENTRYPOINT runs ("dist/main.js"). */
  script: string;
}

export function imageRuntime(dockerfile = join(ROOT, "Dockerfile")): ImageRuntime {
  const runtime = readFileSync(dockerfile, "utf8").split(/^FROM /m).at(-1)!;
  const env: Record<string, string> = {};
  for (const [, name, quoted, bare] of runtime.matchAll(/^ENV[ \t]+([A-Z_][A-Z0-9_]*)=(?:"([^"]*)"|(\S+))[ \t]*$/gm)) env[name!] = quoted ?? bare!;
  const entry = /^ENTRYPOINT[ \t]+(\[.*\])[ \t]*$/m.exec(runtime);
  if (!entry) throw new Error("the Dockerfile's runtime stage has no ENTRYPOINT in exec form");
  const argv = JSON.parse(entry[1]!) as string[];
  if (argv[0] !== "node" || argv.length < 2) throw new Error(`the ENTRYPOINT does not run node: ${entry[1]}`);
  // Drop the variables that only say where things are (TUGBOAT_CONFIG) or what mode (NODE_ENV): callers set those.
  delete env.TUGBOAT_CONFIG;
  delete env.NODE_ENV;
  return { env, nodeArgs: argv.slice(1, -1), script: argv.at(-1)! };
}
