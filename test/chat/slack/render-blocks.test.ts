import { expect } from "chai";
import { renderBlocks, SLACK_LIMITS, type RenderedReply } from "../../../src/chat/slack/render-blocks.js";
import { splitText } from "../../../src/chat/slack/upload-full-text.js";
import { REPLY_FIXTURES } from "../../fixtures/slack/replies.js";
import { readGolden, slackGoldenText } from "../../helpers/goldens.js";

// Golden files for the Block Kit renderer (test/golden/slack). After an intended change, rewrite them with
// `npm run golden:update` and review the diff; a missing one fails here.

function textOf(block: any): string[] {
  const out: string[] = [];
  if (block.text?.text) out.push(block.text.text);
  for (const f of block.fields ?? []) out.push(f.text);
  for (const e of block.elements ?? []) if (e.text && typeof e.text === "string") out.push(e.text);
  return out;
}

function checkLimits(r: RenderedReply): void {
  expect(r.blocks.length).to.be.at.most(SLACK_LIMITS.maxBlocks);
  let total = 0;
  for (const b of r.blocks as any[]) {
    for (const t of textOf(b)) {
      expect(t.length).to.be.at.most(SLACK_LIMITS.maxSectionChars);
      expect(t.length, "empty text object").to.be.above(0);
      total += t.length;
    }
    if (b.type === "header") expect(b.text.text.length).to.be.at.most(150);
    if (b.fields) expect(b.fields.length).to.be.at.most(10);
  }
  expect(total).to.be.at.most(SLACK_LIMITS.maxTotalChars);
}

describe("Slack Block Kit renderer", () => {
  for (const [name, reply] of Object.entries(REPLY_FIXTURES)) {
    it(`matches the golden file: ${name}`, () => {
      const rendered = renderBlocks(reply);
      checkLimits(rendered);
      expect(slackGoldenText(rendered)).to.equal(readGolden(`slack/${name}.json`));
    });
  }

  it("never cuts without saying so, and always offers the full text when it cut", () => {
    for (const [name, reply] of Object.entries(REPLY_FIXTURES)) {
      const r = renderBlocks(reply);
      const all = JSON.stringify(r.blocks);
      if (r.cut) {
        expect(all, name).to.match(/more (rows?|lines?|parts?)|cut\)/);
        expect(r.upload, name).to.not.equal(undefined);
      }
    }
  });

  it("counts the omitted rows of a long code block exactly", () => {
    const r = renderBlocks(REPLY_FIXTURES["long-code-cut-at-a-line"]!);
    const code = (r.blocks as any[]).find((b) => b.text?.text?.startsWith("```")).text.text as string;
    const shown = code.split("```")[1]!.trim().split("\n").length;
    const omitted = Number(/… ([\d,]+) more rows/.exec(code)![1]!.replace(/,/g, ""));
    expect(shown + omitted).to.equal(4813);
    expect(r.upload!.content.split("\n").filter((l) => l.startsWith("unicorn-"))).to.have.length(4812);
  });

  it("command buttons come last and are never cut off, however long the reply before them", () => {
    const long = { type: "code" as const, text: Array.from({ length: 5000 }, (_, i) => `line ${i} ${"x".repeat(60)}`).join("\n") };
    const prose = Array.from({ length: 80 }, (_, i) => ({ type: "text" as const, text: `paragraph ${i} ${"y".repeat(400)}` }));
    const buttons = { type: "actions" as const, buttons: [{ label: "Approve", command: "/deploy approve 1a2b3c4d", style: "primary" as const }, { label: "Reject", command: "/deploy reject 1a2b3c4d" }] };
    const r = renderBlocks({ summary: "card", tone: "info", blocks: [buttons, long, ...prose] });
    checkLimits(r);
    expect(r.cut).to.equal(true);
    const last = r.blocks.at(-1) as any;
    expect(last.type).to.equal("actions");
    expect(last.elements.map((e: any) => [e.action_id, e.value, e.text.text])).to.deep.equal([
      ["tugboat_command_0", "/deploy approve 1a2b3c4d", "Approve"],
      ["tugboat_command_1", "/deploy reject 1a2b3c4d", "Reject"],
    ]);
    expect(r.blocks.filter((b) => b.type === "actions")).to.have.length(1);
  });

  it("keeps within the limits whatever the sizes (random replies)", () => {
    let seed = 42;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    for (let round = 0; round < 200; round++) {
      const blocks = Array.from({ length: 1 + rand(70) }, () => {
        const size = rand(4) === 0 ? rand(9000) : rand(300);
        const text = Array.from({ length: Math.max(1, Math.floor(size / 40)) }, () => "w".repeat(1 + rand(80))).join("\n");
        switch (rand(5)) {
          case 0:
            return { type: "code" as const, text };
          case 1:
            return { type: "text" as const, text };
          case 2:
            return { type: "list" as const, items: text.split("\n") };
          case 3:
            return { type: "context" as const, text };
          default:
            return { type: "fields" as const, fields: text.split("\n").slice(0, 25).map((v, i) => ({ label: `f${i}`, value: v })) };
        }
      });
      const r = renderBlocks({ summary: `round ${round}`, tone: "info", blocks });
      checkLimits(r);
      if (r.cut) expect(r.upload).to.not.equal(undefined);
    }
  });

  it("leaves room for blocks the caller adds", () => {
    const r = renderBlocks(REPLY_FIXTURES["too-many-blocks"]!, { reserveBlocks: 2 });
    expect(r.blocks.length).to.be.at.most(48);
  });

  it("splits text for the fallback posts at line boundaries", () => {
    const text = Array.from({ length: 100 }, (_, i) => `line ${i} ${"z".repeat(50)}`).join("\n");
    const parts = splitText(text, 1000);
    expect(parts.join("\n")).to.equal(text);
    for (const p of parts) expect(p.length).to.be.at.most(1000);
    expect(splitText("a".repeat(2500), 1000).map((p) => p.length)).to.deep.equal([1000, 1000, 500]);
  });
});
