import { expect } from "chai";
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import ts from "typescript";
import { renderTemplates, type RenderBudget } from "../../src/domain/render/render-pool.js";

// Templates from pull requests render in a worker thread within a budget. A corpus named after failure modes:
// each template is refused, naming the file and why, well within a bounded time.

const VALUES = { image: "registry.example.com/github:abc", sha: "abc", shortSha: "abc", branch: "b", slug: "s", namespace: "n", host: "h", pr: "1", owner: "o", app: "a", service: "s", secretName: "x" };
const CM = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ok\n";
const BUDGET: RenderBudget = { timeoutMs: 1500, maxBytes: 1024 * 1024 };
/** The whole job, start-up of a fresh worker under tsx included, must end within this. */
const BOUND_MS = 8000;

const nest = (n: number, inner: string) => "{{#each @root}}".repeat(n) + inner + "{{/each}}".repeat(n);
const aliasBomb = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
  .concat(Array.from({ length: 8 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9).fill(`*${String.fromCharCode(97 + i)}`).join(",")}]`))
  .concat(["apiVersion: v1", "kind: ConfigMap", "metadata: { name: bomb }"])
  .join("\n");

const corpus: Array<[string, string, RegExp]> = [
  ["deep-nesting.yaml", nest(8, "x"), /nested more than 2 deep/],
  // Compiling 10,000 blocks is large as well as slow: which limit of the budget ends it first (time or the worker's
  // heap) depends on the machine; either way it is refused by name within the bound.
  ["slow-loop.yaml", nest(2, "{{#if this}}{{/if}}".repeat(10000)) + CM, /took longer than 1\.5 s to render|used more than 128 MB while rendering/],
  ["huge-output.yaml", nest(2, "x".repeat(20000)) + CM, /renders to \d+ bytes, more than the 1048576 allowed|used more than 128 MB/],
  ["memory-bomb.yaml", nest(2, "y".repeat(900_000)) + CM, /renders to \d+ bytes|used more than 128 MB|took longer than/],
  ["alias-bomb.yaml", aliasBomb, /aliases expand too much/],
  ["list-of-null.yaml", "apiVersion: v1\nkind: List\nitems: [null]\n", /List item 1 is not a Kubernetes object/],
  ["list-of-strings.yaml", "apiVersion: v1\nkind: List\nitems: [\"x\"]\n", /List item 1 is not a Kubernetes object/],
  ["list-in-list.yaml", "apiVersion: v1\nkind: List\nitems:\n  - { apiVersion: v1, kind: List, items: [] }\n", /List item 1 is itself a List/],
  ["prototype-constructor.yaml", "x: {{constructor}}\n", /"constructor" is not a value/],
  ["prototype-proto.yaml", "x: {{__proto__.polluted}}\n", /"__proto__" is not a value/],
  ["prototype-root.yaml", "x: {{@root.constructor.name}}\n", /"constructor" is not a value/],
  ["prototype-with.yaml", "{{#with sha.constructor}}x{{/with}}\n", /"constructor" is not a value/],
  ["lookup-constructor.yaml", '{{lookup this "constructor"}}\n', /helpers are not available/],
  ["lookup-subexpression.yaml", '{{#each (lookup @root "sha")}}x{{/each}}\n', /takes a value, not SubExpression/],
  ["lookup-bare.yaml", "{{lookup}}\n", /lookup helper is not available/],
  ["log-helper.yaml", '{{log "x"}}\n', /helpers are not available/],
  ["partial.yaml", "{{> evil}}\n", /partials/],
  ["partial-block.yaml", "{{#> layout}}x{{/layout}}\n", /partials/],
  ["decorator.yaml", "{{* inline}}\n", /decorators/],
  ["unknown-block-helper.yaml", "{{#blockHelperMissing sha}}x{{/blockHelperMissing}}\n", /only #if, #unless, #each and #with/],
  ["unknown-value.yaml", "x: {{nope}}\n", /cannot render the template/],
  ["broken-handlebars.yaml", "x: {{#if sha}}\n", /invalid template/],
  ["deep-yaml.yaml", "x: " + "[".repeat(20000) + "]".repeat(20000) + "\n", /.+/],
];

describe("rendering with a budget: a corpus of hostile templates", function () {
  this.timeout(60_000);
  for (const [file, text, why] of corpus) {
    it(`refuses ${file} naming the file and why, within ${BOUND_MS / 1000} s`, async () => {
      const started = performance.now();
      const res = await renderTemplates([{ path: file, text }], VALUES, BUDGET);
      const took = performance.now() - started;
      expect(res.objects, JSON.stringify(res.objects).slice(0, 200)).to.deep.equal([]);
      expect(res.failures).to.have.length(1);
      expect(res.failures[0]).to.match(new RegExp(`^${file.replace(".", "\\.")}: `)).and.match(why);
      expect(took).to.be.below(BOUND_MS);
    });
  }

  it("renders the good files of a set and refuses only the bad ones; the budget is shared by the set", async () => {
    const res = await renderTemplates(
      [
        { path: "a.yaml", text: CM.replace("ok", "{{app}}") },
        { path: "slow.yaml", text: nest(2, "{{#if this}}{{/if}}".repeat(10000)) + CM },
        { path: "later.yaml", text: CM },
      ],
      VALUES,
      { timeoutMs: 400, maxBytes: 1024 * 1024 },
    );
    expect(res.objects.map((o) => o.metadata?.name)).to.deep.equal(["a"]);
    expect(res.failures).to.deep.equal(["slow.yaml: took longer than 0.4 s to render (a runaway template?)", "later.yaml: not rendered (the 0.4 s rendering budget was spent)"]);
    // The pool starts a new worker after ending the runaway one.
    const again = await renderTemplates([{ path: "b.yaml", text: CM }], VALUES, BUDGET);
    expect(again).to.deep.include({ failures: [] });
    expect(again.objects).to.have.length(1);
  });

  it("a template that was refused leaves no damaged worker behind: the next jobs render", async () => {
    for (let round = 0; round < 3; round++) {
      const bomb = await renderTemplates([{ path: "memory-bomb.yaml", text: nest(2, "y".repeat(900_000)) + CM }], VALUES, BUDGET);
      expect(bomb.failures).to.have.length(1);
      for (let i = 0; i < 2; i++) {
        const next = await renderTemplates([{ path: "ok.yaml", text: CM }], VALUES, BUDGET);
        expect(next, `round ${round}, job ${i}`).to.deep.include({ failures: [] });
      }
    }
  });

  it("caps the output of the whole set, not only of one file", async () => {
    const big = `${CM}data:\n  x: "${"z".repeat(600)}"\n`;
    const res = await renderTemplates([{ path: "one.yaml", text: big }, { path: "two.yaml", text: big }], VALUES, { timeoutMs: 2000, maxBytes: 1000 });
    expect(res.objects).to.have.length(1);
    expect(res.failures[0]).to.match(/^two\.yaml: renders to \d+ bytes, more than the \d+ allowed/);
  });

  it("works from compiled JavaScript too (dist/ in production starts render-worker.js, not the tsx boot)", async () => {
    // Transpile the renderer's modules the way `npm run build` lays them out, into a folder under node_modules so that packages resolve.
    const out = join("node_modules", ".cache", `tugboat-render-build-${process.pid}`);
    rmSync(out, { recursive: true, force: true });
    const walk = (dir: string): string[] => readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? walk(join(dir, n)) : [join(dir, n)]));
    try {
      const graph = [...walk("src/domain/render"), ...walk("src/core"), "src/domain/render-manifests.ts"];
      for (const file of graph.filter((f) => f.endsWith(".ts"))) {
        const js = ts.transpileModule(readFileSync(file, "utf8"), { compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022, esModuleInterop: true } }).outputText;
        const dest = join(out, relative("src", file)).replace(/\.ts$/, ".js");
        mkdirSync(dirname(dest), { recursive: true });
        writeFileSync(dest, js);
      }
      const built = (await import(pathToFileURL(join(process.cwd(), out, "domain", "render", "render-pool.js")).href)) as typeof import("../../src/domain/render/render-pool.js");
      const ok = await built.renderTemplates([{ path: "a.yaml", text: CM }], VALUES, BUDGET);
      expect(ok).to.deep.include({ failures: [] });
      const slow = await built.renderTemplates([{ path: "slow.yaml", text: nest(2, "{{#if this}}{{/if}}".repeat(10000)) + CM }], VALUES, { timeoutMs: 300, maxBytes: 1 << 20 });
      expect(slow.failures).to.deep.equal(["slow.yaml: took longer than 0.3 s to render (a runaway template?)"]);
      built.stopRenderWorkers();
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
