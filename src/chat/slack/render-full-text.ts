import { plainText, type Block, type Reply } from "../../core/reply.js";

// The whole reply as plain text, nothing cut: what Tugboat uploads (or posts in parts) when Block Kit had to cut.

const MARK: Record<string, string> = { pending: "·", running: "…", done: "✓", failed: "✗", skipped: "-" };

function blockText(block: Block): string {
  switch (block.type) {
    case "header":
    case "text":
    case "context":
    case "code":
      return plainText(block.text).replace(/\n+$/, "");
    case "fields":
      return block.fields.map((f) => `${f.label}: ${plainText(f.value)}`).join("\n");
    case "list":
      return block.items.map((i) => `  • ${plainText(i)}`).join("\n");
    case "progress":
      return block.items.map((i) => `  ${MARK[i.state] ?? "·"} ${i.label}${i.detail ? `  ${plainText(i.detail)}` : ""}`).join("\n");
    case "divider":
      return "";
    case "actions":
      return block.buttons.map((b) => `  ${b.label}: ${b.command}`).join("\n");
  }
}

export function renderFullText(reply: Reply): string {
  const parts = reply.blocks.map(blockText).filter((s) => s !== "");
  return (parts.length > 0 ? parts.join("\n") : reply.summary) + "\n";
}
