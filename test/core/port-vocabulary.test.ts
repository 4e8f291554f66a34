import { expect } from "chai";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

// Issue 12's rule, as a reviewer greps it: no file in src/domain or src/commands mentions a watch (waits go through
// cluster.informer), Date.now (time comes from services.clock), `any` (not even the word), the old retryTransient, or
// a timer; and no loop there sleeps between tries (the port retries, core/repeat-on-clock.ts runs periodic rounds).
// ESLint refuses the calls; this also covers comments, strings and type names.

const ROOTS = ["src/domain", "src/commands"];
/** The render worker's budget is real CPU time (eslint.config.js makes the same exception). */
const REAL_TIME = "src/domain/render/";

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : []));
}

const WORDS: Array<[string, RegExp]> = [
  ["watch", /watch/i],
  ["Date.now", /Date\.now/],
  ["any", /\bany\b/i],
  ["retryTransient", /retryTransient/i],
];

describe("issue 12's vocabulary in domain/ and commands/", () => {
  const files = ROOTS.flatMap(filesUnder);

  it("finds the files it checks", () => {
    expect(files.length).to.be.greaterThan(100);
  });

  for (const [word, pattern] of WORDS) {
    it(`no file mentions ${word}`, () => {
      const hits = files.flatMap((f) => readFileSync(f, "utf8").split("\n").flatMap((line, i) => (pattern.test(line) ? [`${f}:${i + 1}: ${line.trim()}`] : [])));
      expect(hits).to.deep.equal([]);
    });
  }

  it("no timers outside the render worker's budget", () => {
    const hits = files.filter((f) => !f.startsWith(REAL_TIME) && /\b(setTimeout|setInterval)\b/.test(readFileSync(f, "utf8")));
    expect(hits).to.deep.equal([]);
  });

  it("no loop sleeps between tries (a while/for/do whose body calls a sleep)", () => {
    const hits: string[] = [];
    for (const f of files) {
      const text = readFileSync(f, "utf8");
      for (const loop of text.matchAll(/^[ \t]*(?:while\b|for\s*\(|do\s*\{)/gm)) {
        if (/\bsleep\(/.test(loopBody(text, loop.index))) hits.push(`${f}:${text.slice(0, loop.index).split("\n").length}`);
      }
    }
    expect(hits).to.deep.equal([]);
  });

  it("the loop check sees a sleep in a loop's body, and not one after it", () => {
    const looping = "for (;;) {\n  await work();\n  await clock.sleep(1000);\n}\n";
    expect(/\bsleep\(/.test(loopBody(looping, 0))).to.equal(true);
    const after = "for (const x of xs) {\n  use(x);\n}\nclock.sleep(5).then(done);\n";
    expect(/\bsleep\(/.test(loopBody(after, 0))).to.equal(false);
  });
});

/** The text from a loop's keyword to the brace that closes its body (the loop's condition included). */
function loopBody(text: string, start: number): string {
  const open = text.indexOf("{", start);
  if (open < 0) return "";
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === "{") depth++;
    else if (text[i] === "}" && --depth === 0) return text.slice(start, i + 1);
  }
  return text.slice(start);
}
