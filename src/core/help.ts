import type { CommandFamily, CommandSpec } from "./command.js";
import type { Block, Reply } from "./reply.js";

// Help as Reply data, so the terminal and Slack lay it out alike. `help` shows every family in its own block with
// its usage lines and an example per command; `/deploy help` shows, per command, usage, description and examples
// apart, with a divider between commands.

function examplesText(examples: string[]): string {
  return `Examples:\n${examples.map((e) => `  ${e}`).join("\n")}`;
}

export function generalHelp(families: CommandFamily[]): Reply {
  const blocks: Block[] = [{ type: "header", text: "Tugboat commands" }];
  families.forEach((f, i) => {
    if (i > 0) blocks.push({ type: "divider" });
    const examples = f.commands.flatMap((c) => c.examples.slice(0, 1));
    const usage = f.commands.map((c) => c.usage).join("\n");
    blocks.push({ type: "text", text: `*/${f.name}*: ${f.summary}` });
    blocks.push({ type: "code", text: examples.length > 0 ? `${usage}\n\n${examplesText(examples)}` : usage });
  });
  blocks.push({ type: "context", text: "Type `/<command> help` (or `help <command>`) for what each command does and more examples. Mentions work too: `@tugboat deploy PR4812 to staging`." });
  return { summary: "Tugboat commands", tone: "info", blocks };
}

function commandBlocks(c: CommandSpec): Block[] {
  const blocks: Block[] = [
    { type: "code", text: `Usage: ${c.usage}` },
    { type: "text", text: c.summary },
  ];
  if (c.examples.length > 0) blocks.push({ type: "code", text: examplesText(c.examples) });
  return blocks;
}

export function familyHelp(f: CommandFamily): Reply {
  const blocks: Block[] = [{ type: "header", text: `/${f.name}: ${f.summary}` }];
  f.commands.forEach((c, i) => {
    if (i > 0) blocks.push({ type: "divider" });
    blocks.push(...commandBlocks(c));
  });
  return { summary: `/${f.name} usage`, tone: "info", blocks };
}
