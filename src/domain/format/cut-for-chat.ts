import { formatCount } from "./count.js";

// Chat limits: a code block holds at most MAX_LINES lines and MAX_CHARS characters. Longer output shows its
// first lines, then "… 4,812 more rows", and the whole text goes in reply.attachment (Slack uploads it;
// the terminal prints it whole). Nothing is cut without saying so.

export const MAX_LINES = 40;
export const MAX_CHARS = 2800;

export interface Cut {
  inline: string;
  /** How many rows (or lines) were left out; 0 when everything fits. */
  omitted: number;
}

/** Rows that exist after the text but were not fetched (a paged list that stopped early), and what to say of them. */
export interface Beyond {
  rows: number;
  /** false when `rows` is only a lower bound (the server does not count what a selective list has left). */
  exact: boolean;
  /** Replaces "the whole output is attached". */
  note: string;
}

/** The first lines that fit the limits, with the count of what was left out (plus `beyond`, when given). */
export function cutForChat(text: string, unit: "rows" | "lines", nonRowLines?: Set<number>, beyond?: Beyond): Cut {
  const lines = text.split("\n");
  if (beyond && lines.length < MAX_LINES && text.length <= MAX_CHARS - 80) return { inline: `${text}\n${moreLine(beyond.rows, beyond, unit, beyond.note)}`, omitted: beyond.rows };
  if (!beyond && lines.length <= MAX_LINES && text.length <= MAX_CHARS) return { inline: text, omitted: 0 };
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
  omitted += beyond?.rows ?? 0;
  const note = `${partialFirst ? "(first line cut); " : ""}${beyond?.note ?? "the whole output is attached"}`;
  return { inline: `${kept.join("\n")}\n${moreLine(omitted, beyond, unit, note)}`, omitted };
}

function moreLine(omitted: number, beyond: Beyond | undefined, unit: "rows" | "lines", note: string): string {
  const uncounted = beyond !== undefined && !beyond.exact;
  const what = omitted === 1 && !uncounted ? unit.slice(0, -1) : unit;
  const count = uncounted ? `${formatCount(omitted)}+ more ${what} (the server does not count what a selective list has left)` : `${formatCount(omitted)} more ${what}`;
  return `… ${count}${note.startsWith("(") ? " " : "; "}${note}`;
}
