import type { CommandFamily } from "./command.js";
import type { Reply } from "./reply.js";

export function generalHelp(families: CommandFamily[]): Reply {
  const blocks: Reply["blocks"] = [{ type: "header", text: "Tugboat commands" }];
  for (const f of families) {
    blocks.push({ type: "text", text: `*/${f.name}*: ${f.summary}` });
    blocks.push({ type: "code", text: f.commands.map((c) => c.usage).join("\n") });
  }
  blocks.push({ type: "context", text: "Type `/<command> help` (or `help <command>`) for examples." });
  return { summary: "Tugboat commands", tone: "info", blocks };
}

export function familyHelp(f: CommandFamily): Reply {
  const blocks: Reply["blocks"] = [{ type: "header", text: `/${f.name}: ${f.summary}` }];
  for (const c of f.commands) {
    blocks.push({ type: "text", text: `*${c.usage}*\n${c.summary}` });
    if (c.examples.length > 0) blocks.push({ type: "code", text: c.examples.join("\n") });
  }
  return { summary: `/${f.name} usage`, tone: "info", blocks };
}
