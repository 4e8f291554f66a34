import { expect } from "chai";
import { checkLine, parseDuration, parseFlags, parseWholeNumber, tokenize } from "../../src/core/args.js";
import { UsageError } from "../../src/core/errors.js";

describe("tokenize", () => {
  const cases: Array<[string, string[]]> = [
    ["get pods -n x", ["get", "pods", "-n", "x"]],
    ["  spaced   out  ", ["spaced", "out"]],
    ['lock github production "deploy freeze"', ["lock", "github", "production", "deploy freeze"]],
    ["it's 'quoted here'", ["its quoted", "here'"]],
    ["lock github production don't deploy", ["lock", "github", "production", "don't", "deploy"]],
    ['say "unclosed', ["say", '"unclosed']],
    ['a\\ b "c\\"d"', ["a b", 'c"d']],
    ['""', [""]],
    ["", []],
  ];
  for (const [line, want] of cases) it(`splits ${JSON.stringify(line)}`, () => expect(tokenize(line)).to.deep.equal(want));
});

describe("checkLine", () => {
  it("accepts tabs and ordinary text", () => expect(() => checkLine("get\tpods")).not.to.throw());
  for (const [name, line] of [
    ["NUL", "get\u0000pods"],
    ["newline", "get pods\n-n x"],
    ["escape", "get \u001b[31mpods"],
    ["bidi override", "deploy \u202eevil"],
    ["DEL", "get\u007f"],
  ]) {
    it(`refuses a control character: ${name}`, () => expect(() => checkLine(line!)).to.throw(UsageError, /control character/));
  }
  it("refuses a very long line", () => expect(() => checkLine("x".repeat(2000))).to.throw(UsageError, /too long/));
});

describe("parseFlags", () => {
  const specs = { namespace: { kind: "string" as const, short: "n" }, all: { kind: "boolean" as const, short: "A" }, tail: { kind: "int" as const, min: 1, max: 500 } };
  it("parses long, short, inline and boolean flags", () => {
    const r = parseFlags(["pods", "-n", "x", "--tail=5", "-A", "extra"], specs);
    expect(r.positionals).to.deep.equal(["pods", "extra"]);
    expect(r.flags).to.deep.equal({ namespace: "x", tail: 5, all: true });
  });
  it("parses -nvalue", () => expect(parseFlags(["-nfoo"], specs).flags.namespace).to.equal("foo"));
  it("refuses unknown flags by name", () => expect(() => parseFlags(["--bogus"], specs)).to.throw(UsageError, /unknown flag --bogus/));
  it("refuses unknown short flags", () => expect(() => parseFlags(["-z"], specs)).to.throw(UsageError, /unknown flag -z/));
  it("refuses a missing value", () => expect(() => parseFlags(["-n"], specs)).to.throw(UsageError, /--namespace needs a value/));
  it("refuses a flag as a value", () => expect(() => parseFlags(["-n", "-A"], specs)).to.throw(UsageError, /needs a value/));
  it("refuses out-of-range numbers with the range", () => expect(() => parseFlags(["--tail", "501"], specs)).to.throw(UsageError, /from 1 to 500/));
  it("refuses rejected flags with their own reason", () =>
    expect(() => parseFlags(["--as=admin"], specs, undefined, { as: "--as is not allowed: it would change who Tugboat acts as" })).to.throw(UsageError, /--as is not allowed/));
  it("keeps negative numbers as positionals", () => expect(parseFlags(["-1"], specs).positionals).to.deep.equal(["-1"]));
});

describe("parseWholeNumber", () => {
  for (const bad of ["0", "-1", "3.5", "1e3", "ten", "", "11", "0x5", " 3"]) {
    it(`refuses ${JSON.stringify(bad)} and states the range`, () => expect(() => parseWholeNumber(bad, "N", 1, 10)).to.throw(UsageError, /from 1 to 10/));
  }
  it("accepts 7", () => expect(parseWholeNumber("7", "N", 1, 10)).to.equal(7));
});

describe("parseDuration", () => {
  it("reads 2d, 12h, 1h30m, 45s", () => {
    expect(parseDuration("2d")).to.equal(172800);
    expect(parseDuration("12h")).to.equal(43200);
    expect(parseDuration("1h30m")).to.equal(5400);
    expect(parseDuration("45s")).to.equal(45);
  });
  for (const bad of ["", "5x", "h", "1.5h", "-2d"]) it(`refuses ${JSON.stringify(bad)}`, () => expect(() => parseDuration(bad)).to.throw(UsageError));
});
