import { expect } from "chai";
import { startHarness, type Harness } from "../helpers/harness.js";
import { renderBlocks } from "../../src/chat/slack/render-blocks.js";
import { buildFamilies } from "../../src/commands/index.js";
import type { Block } from "../../src/core/reply.js";

// README promises "every command with usage and examples": help shows them per family, /deploy help per command.
describe("help (through the router; terminal and Slack renderings of the same Reply)", function () {
  let h: Harness;
  before(async () => (h = await startHarness()));
  after(async () => h.stop());
  const families = buildFamilies();
  const codeBlocks = (blocks: Block[]) => blocks.filter((b): b is Extract<Block, { type: "code" }> => b.type === "code").map((b) => b.text);

  it("help: one block per family with its usage lines and an example of each command", async () => {
    const t = await h.run("help");
    const reply = t.whispers[0]!;
    const code = codeBlocks(reply.blocks);
    expect(code).to.have.length(families.length);
    families.forEach((f, i) => {
      for (const c of f.commands) expect(code[i]).to.contain(c.usage);
      expect(code[i]).to.contain("Examples:");
      for (const c of f.commands) if (c.examples[0]) expect(code[i]).to.contain(`  ${c.examples[0]}`);
    });
    expect(t.text).to.contain("Examples:\n  /deploy PR4812 to staging");
    // Families are apart: an empty line in the terminal, a divider in Slack.
    expect(t.text).to.match(/\n\n\/deploy: /);
    const slack = renderBlocks(reply).blocks;
    expect(slack.filter((b) => b.type === "divider")).to.have.length(families.length - 1);
  });

  it("/deploy help: usage, description and examples apart, command by command", async () => {
    const deploy = families.find((f) => f.name === "deploy")!;
    for (const line of ["/deploy help", "help deploy"]) {
      const reply = (await h.run(line)).whispers[0]!;
      const perCommand: Block[][] = [[]];
      for (const b of reply.blocks.slice(1)) (b.type === "divider" ? perCommand.push([]) : perCommand.at(-1)!.push(b));
      expect(perCommand, line).to.have.length(deploy.commands.length);
      deploy.commands.forEach((c, i) => {
        const [usage, description, examples] = perCommand[i]!;
        expect(usage).to.deep.equal({ type: "code", text: `Usage: ${c.usage}` });
        expect(description).to.deep.equal({ type: "text", text: c.summary });
        expect(examples).to.deep.equal({ type: "code", text: `Examples:\n${c.examples.map((e) => `  ${e}`).join("\n")}` });
      });
    }
    const t = await h.run("/deploy help");
    expect(t.text).to.contain("Usage: /deploy status [APP]\nWhat runs where");
    expect(t.text).to.contain("Examples:\n  /deploy status\n  /deploy status github\n\nUsage: /deploy history");
    const slack = renderBlocks(t.whispers[0]!).blocks;
    expect(slack.length).to.be.at.most(50);
    expect(JSON.stringify(slack)).to.contain("Usage: /deploy status [APP]");
  });
});
