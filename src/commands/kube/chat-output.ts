import type { Block, Reply } from "../../core/reply.js";
import { formatCount } from "../../domain/format/count.js";

// Chat limits: a code block holds at most MAX_LINES lines and MAX_CHARS characters. Longer output shows its
// first lines, then "… 4,812 more rows", and the whole text goes in reply.attachment (Slack uploads it;
// the terminal prints it whole). Nothing is cut without saying so.

export const MAX_LINES = 40;
export const MAX_CHARS = 2800;

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

export interface Cut {
  inline: string;
  /** How many rows (or lines) were left out; 0 when everything fits. */
  omitted: number;
}

/** The first lines that fit the limits, with the count of what was left out. */
export function cutForChat(text: string, unit: "rows" | "lines", nonRowLines?: Set<number>): Cut {
  const lines = text.split("\n");
  if (lines.length <= MAX_LINES && text.length <= MAX_CHARS) return { inline: text, omitted: 0 };
  const budget = MAX_CHARS - 80; // room for the "… N more rows" line
  const kept: string[] = [];
  let chars = 0;
  for (const line of lines) {
    if (kept.length >= MAX_LINES - 1 || chars + line.length + 1 > budget) break;
    kept.push(line);
    chars += line.length + 1;
  }
  let partialFirst = false;
  if (kept.length === 0) {
    // One enormous first line: show its start rather than nothing.
    kept.push(lines[0]!.slice(0, budget - 1) + "…");
    partialFirst = true;
  }
  let omitted = 0;
  for (let i = kept.length - (partialFirst ? 1 : 0); i < lines.length; i++) {
    if (partialFirst && i === 0) continue;
    if (unit === "rows" && (nonRowLines?.has(i) || lines[i] === "")) continue;
    omitted++;
  }
  if (partialFirst) omitted = Math.max(omitted, 1);
  const what = omitted === 1 ? unit.slice(0, -1) : unit;
  return { inline: `${kept.join("\n")}\n… ${formatCount(omitted)} more ${what}${partialFirst ? " (first line cut)" : ""}; the whole output is attached`, omitted };
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
