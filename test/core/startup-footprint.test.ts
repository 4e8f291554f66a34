import { expect } from "chai";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

// What the bot's own thread loads at start is most of its idle memory (docs/benchmarks.md, Memory): every module's
// source stays in the heap. This walks the imports from src/main.ts (type-only imports and lazy import()s of
// packages, such as the sandbox's, left out) and checks that packages only some paths need are not among them.

const ROOT = resolve(import.meta.dirname, "../..");

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
