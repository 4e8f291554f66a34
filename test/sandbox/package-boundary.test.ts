// @tugboat/sandbox stands alone: every module it loads is its own, a Node built-in, or a dependency its own
// package.json declares. (eslint's boundaries rule holds the first part for the linted tree; this also catches a
// package it uses without declaring, which works only while Tugboat's root happens to install it.)
import { expect } from "chai";
import { readdirSync, readFileSync } from "node:fs";
import { isBuiltin } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";

const PACKAGE = resolve(import.meta.dirname, "../../packages/sandbox");

interface Outside {
  file: string;
  specifier: string;
  why: string;
}

/** Every import, re-export and import() of one file that leaves the package or names an undeclared dependency. */
function importsOutside(file: string, text: string, declared: Set<string>): Outside[] {
  const found = ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName);
  const outside: Outside[] = [];
  for (const specifier of found) {
    if (specifier.startsWith(".") || specifier.startsWith("/")) {
      const target = resolve(dirname(file), specifier);
      if (relative(PACKAGE, target).startsWith("..")) outside.push({ file, specifier, why: "outside packages/sandbox" });
    } else if (!isBuiltin(specifier)) {
      const name = specifier.startsWith("@") ? specifier.split("/").slice(0, 2).join("/") : specifier.split("/")[0]!;
      if (!declared.has(name)) outside.push({ file, specifier, why: "not in its package.json dependencies" });
    }
  }
  return outside;
}

function sources(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(".ts"))
    .map((e) => join(e.parentPath, e.name));
}

describe("@tugboat/sandbox imports nothing outside itself", () => {
  const manifest = JSON.parse(readFileSync(join(PACKAGE, "package.json"), "utf8")) as { dependencies?: Record<string, string> };
  const declared = new Set(Object.keys(manifest.dependencies ?? {}));

  it("every import of its sources is its own, a Node built-in or a declared dependency", () => {
    const files = sources(join(PACKAGE, "src"));
    expect(files.length, "the package's sources").to.be.greaterThan(50);
    const outside = files.flatMap((f) => importsOutside(f, readFileSync(f, "utf8"), declared));
    expect(outside.map((o) => `${relative(PACKAGE, o.file)}: ${o.specifier} (${o.why})`)).to.deep.equal([]);
  });

  // The check itself must bite, or the test above proves nothing.
  const file = join(PACKAGE, "src/kube/example.ts");
  const cases: Array<[string, string]> = [
    ["Tugboat's code", 'import { UserError } from "../../../../src/core/errors.js";'],
    ["a test helper, re-exported", 'export { startHarness } from "../../../../test/helpers/harness.js";'],
    ["a dynamic import of Tugboat's code", 'const m = await import("../../../../src/app.js");'],
    ["an undeclared package", 'import { Octokit } from "@octokit/rest";'],
    ["a deep import of an undeclared package", 'import x from "handlebars/runtime.js";'],
  ];
  for (const [what, line] of cases) {
    it(`finds ${what}`, () => {
      expect(importsOutside(file, line, declared)).to.have.length(1);
    });
  }
  it("passes its own files, built-ins and declared dependencies", () => {
    const fine = 'import { Store } from "../store.js";\nimport { createServer } from "node:http";\nimport { parse } from "yaml";\nimport type { z } from "zod";';
    expect(importsOutside(file, fine, declared)).to.deep.equal([]);
  });
});
