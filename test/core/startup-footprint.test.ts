import { expect } from "chai";
import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { promisify } from "node:util";

// What the bot's own thread loads at start is most of its idle memory (docs/benchmarks.md, Memory): every module's
// source stays in the heap. This walks the imports from src/main.ts (type-only imports and lazy import()s of
// packages, such as the sandbox's, left out) and checks that packages only some paths need are not among them.

const ROOT = resolve(import.meta.dirname, "../..");
const exec = promisify(execFile);

function staticImports(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const specs: string[] = [];
  for (const m of text.matchAll(/^\s*(?:import|export)\s+(?!type\b)(?:[^'";]*?\s+from\s+)?["']([^"']+)["']/gm)) specs.push(m[1]!);
  // Tugboat's own modules loaded lazily count too (main.ts imports the Slack adapter in Slack mode).
  for (const m of text.matchAll(/\bimport\(\s*["'](\.[^"']+)["']\s*\)/g)) specs.push(m[1]!);
  return specs;
}

/** Bare package names reached from `entry` through static imports of Tugboat's own files. */
function packagesReached(entry: string): Map<string, string> {
  const seen = new Set<string>();
  const packages = new Map<string, string>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const spec of staticImports(file)) {
      if (spec.startsWith(".")) {
        const target = join(dirname(file), spec).replace(/\.js$/, ".ts");
        if (existsSync(target)) queue.push(target);
      } else if (!spec.startsWith("node:")) {
        const name = spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0]!;
        if (!packages.has(name)) packages.set(name, file.slice(ROOT.length + 1));
      }
    }
  }
  return packages;
}

describe("startup footprint: what the bot's thread loads", () => {
  const reached = packagesReached(join(ROOT, "src/main.ts"));

  it("reaches the packages it needs (the walk works)", () => {
    for (const name of ["@slack/bolt", "node-fetch", "yaml", "zod"]) expect(reached.has(name), name).to.equal(true);
  });

  it("does not load Handlebars: templates render in the worker (src/domain/render/render-templates.ts)", () => {
    expect(reached.get("handlebars"), "imported (first) from this file").to.equal(undefined);
  });
});

describe("startup footprint: client-node's KubeConfig", function () {
  this.timeout(30_000);

  it("loads without the generated API clients and without a module hook (a thread for the life of the process on Node 20)", async () => {
    const script = `
      const { KubeConfig } = await import("./src/gateways/kubernetes/client-node.ts");
      const kc = new KubeConfig();
      kc.loadFromString("apiVersion: v1\\nclusters:\\n- cluster: {server: 'https://10.0.0.1'}\\n  name: c\\ncontexts:\\n- context: {cluster: c, user: u}\\n  name: x\\ncurrent-context: x\\nusers:\\n- name: u\\n  user: {token: t0k}\\n");
      const opts = await kc.applyToFetchOptions({});
      const { createRequire } = await import("node:module");
      const cache = Object.keys(createRequire(import.meta.url).cache);
      console.log(JSON.stringify({ server: kc.getCurrentCluster().server, auth: opts.headers.get("authorization"), gen: cache.filter((f) => f.includes("client-node/dist/gen/")).length }));
    `;
    const { stdout } = await exec(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { cwd: ROOT, encoding: "utf8" });
    expect(JSON.parse(stdout.trim().split("\n").at(-1)!)).to.deep.equal({ server: "https://10.0.0.1", auth: "Bearer t0k", gen: 0 });
    const sources = readdirSync(join(ROOT, "src"), { recursive: true, encoding: "utf8" }).filter((f) => /\.(ts|mjs)$/.test(f));
    const hooks = sources.filter((f) => /\bregister\s*\(/.test(readFileSync(join(ROOT, "src", f), "utf8")) && /from "node:module"/.test(readFileSync(join(ROOT, "src", f), "utf8")));
    expect(hooks).to.deep.equal([]);
  });
});
