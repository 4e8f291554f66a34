import type { Block, Reply } from "../../core/reply.js";

// Plain-text rendering for the terminal: the whole output, nothing cut.

const PROGRESS_MARK: Record<string, string> = { pending: "·", running: "…", done: "✓", failed: "✗", skipped: "-" };

/** Slack-ish inline markup to plain text: <url|label> → label (url), *bold* → bold. */
export function plainInline(text: string): string {
  return text
    .replace(/<([^|>]+)\|([^>]+)>/g, "$2 ($1)")
    .replace(/<(https?:[^>]+)>/g, "$1")
    .replace(/<@([A-Z0-9]+)>/g, "@$1")
    .replace(/(^|[\s(])\*([^*\n]+)\*(?=[\s).,:;!?]|$)/g, "$1$2");
}

export function renderBlockText(block: Block): string {
  switch (block.type) {
    case "header":
      return block.text;
    case "text":
      return plainInline(block.text);
    case "code":
      return block.text;
    case "fields":
      return block.fields.map((f) => `${f.label}: ${plainInline(f.value)}`).join("\n");
    case "list":
      return block.items.map((i) => `  • ${plainInline(i)}`).join("\n");
    case "progress":
      return block.items.map((i) => `  ${PROGRESS_MARK[i.state] ?? "·"} ${i.label}${i.detail ? `  ${plainInline(i.detail)}` : ""}`).join("\n");
    case "context":
      return plainInline(block.text);
    case "divider":
      return "";
  }
}

export function renderText(reply: Reply): string {
  // The terminal has no size limit: when a reply carries the full output as an attachment, print that instead of the cut blocks.
  const blocks = reply.attachment ? reply.blocks.filter((b) => b.type !== "code") : reply.blocks;
  const parts = blocks.map(renderBlockText).filter((s) => s !== "");
  if (reply.attachment) parts.push(reply.attachment.content.replace(/\n$/, ""));
  return parts.join("\n");
}
