import { plainText, RichText, textParts, type Block, type Reply, type Text } from "../../core/reply.js";

// Plain-text rendering for the terminal: the whole output, nothing cut.

const PROGRESS_MARK: Record<string, string> = { pending: "·", running: "…", done: "✓", failed: "✗", skipped: "-" };

/**
 * A reply's text for the terminal: mentions as @U…, links as "label (url)", *bold* as bold. Strings are printed as
 * written (never read as markup), so `<!channel>` in a branch name is just text here too.
 */
export function plainInline(text: Text): string {
  // Outside text (a PR title, a reason) keeps its asterisks: only Tugboat's own *bold* is read as emphasis. Each
  // outside part stands as a private-use placeholder while the emphasis is read.
  const kept: string[] = [];
  const own = textParts(text)
    .map((p) => {
      if (typeof p !== "string" && p.kind === "outside") return `\ue000${kept.push(p.text) - 1}\ue001`;
      return typeof p === "string" ? p.replace(/[\ue000\ue001]/g, "") : plainText(RichText.of([p]));
    })
    .join("");
  return own.replace(/(^|[\s(])\*([^*\n]+)\*(?=[\s).,:;!?]|$)/g, "$1$2").replace(/\ue000(\d+)\ue001/g, (_, i: string) => kept[Number(i)]!);
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
    case "actions":
      return block.buttons.map((b) => `  ${b.label}: ${b.command}`).join("\n");
  }
}

export function renderText(reply: Reply): string {
  // The terminal has no size limit: when a reply carries the full output as an attachment, print that instead of the cut blocks.
  const blocks = reply.attachment ? reply.blocks.filter((b) => b.type !== "code") : reply.blocks;
  // A divider is an empty line between parts; other blocks that render to nothing leave no line.
  const parts = blocks.flatMap((b) => (b.type === "divider" ? [""] : [renderBlockText(b)].filter((s) => s !== "")));
  if (reply.attachment) parts.push(reply.attachment.content.replace(/\n$/, ""));
  return parts.join("\n");
}
