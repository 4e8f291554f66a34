import type { Block, Reply } from "../../core/reply.js";
import { cutForChat } from "../../domain/format/cut-for-chat.js";

// paged-get.ts reads the limits from here.
export { cutForChat, MAX_CHARS, MAX_LINES, type Beyond, type Cut } from "../../domain/format/cut-for-chat.js";

// Data replies for /kube (and others that show command output): a code block cut to the chat limits
// (cut-for-chat.ts), with the whole text attached when anything was left out.

export interface DataOutput {
  summary: string;
  /** Small print above the data, e.g. "cluster: production · namespace: github-production". */
  context: string;
  text: string;
  /** Word for what is left out: "rows" for tables, "lines" for logs and YAML. */
  unit: "rows" | "lines";
  /** Lines that are not rows (table headers, blank separators), by index, so "more rows" counts rows only. */
  nonRowLines?: Set<number>;
  filename: string;
  language?: string;
}

export function dataReply(out: DataOutput): Reply {
  const cut = cutForChat(out.text, out.unit, out.nonRowLines);
  const code: Block = { type: "code", text: cut.inline };
  if (out.language) code.language = out.language;
  const reply: Reply = {
    summary: out.summary,
    tone: "success",
    blocks: [{ type: "context", text: out.context }, code],
  };
  if (cut.omitted > 0) {
    reply.attachment = { filename: out.filename, title: out.summary, content: out.text.endsWith("\n") ? out.text : out.text + "\n" };
  }
  return reply;
}

/** A reply with no data: just the context line and one sentence (e.g. "No resources found in x namespace."). */
export function noteReply(summary: string, context: string, note: string): Reply {
  return { summary, tone: "success", blocks: [{ type: "context", text: context }, { type: "text", text: note }] };
}
