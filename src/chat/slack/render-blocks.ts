import type { types } from "@slack/bolt";
import { textParts, type Block, type CommandButton, type ProgressState, type Reply, type Text } from "../../core/reply.js";
import { formatCount } from "../../domain/format/count.js";
import { renderFullText } from "./render-full-text.js";

// Reply → Block Kit, inside Slack's limits. Whatever does not fit is cut at a line boundary with a line that says
// how much was left out, and the caller gets the full text back to upload next to the message.

export type SlackBlock = types.KnownBlock;

export interface RenderLimits {
  /** Slack refuses more than 50 blocks per message. */
  maxBlocks: number;
  /** A section's text (and a context element's) is at most 3,000 characters. */
  maxSectionChars: number;
  /** Slack has failed messages with ~13,000 characters of block text (msg_blocks_too_long): stay below. */
  maxTotalChars: number;
}

export const SLACK_LIMITS: RenderLimits = { maxBlocks: 50, maxSectionChars: 3000, maxTotalChars: 12000 };

export interface RenderOptions {
  limits?: RenderLimits;
  /** Blocks the caller will add after the rendered ones (confirm buttons, "ran by" line): kept within the limits. */
  reserveBlocks?: number;
  reserveChars?: number;
}

export interface RenderedReply {
  /** Notification and fallback text (the reply's summary). */
  text: string;
  blocks: SlackBlock[];
  /** True when something did not fit inline (each cut is announced in the blocks). */
  cut: boolean;
  /** The full output to upload next to the message: the reply's attachment, or the whole reply as text when cut. */
  upload?: { filename: string; title: string; content: string };
}

const PROGRESS_EMOJI: Record<ProgressState, string> = {
  pending: ":white_circle:",
  running: ":hourglass_flowing_sand:",
  done: ":white_check_mark:",
  failed: ":x:",
  skipped: ":heavy_minus_sign:",
};

const HEADER_MAX = 150;
const FIELD_MAX = 2000;
const FIELDS_PER_SECTION = 10;
/** Characters kept back for the cut notice at the end. */
const NOTICE_RESERVE = 200;

/** Slack reads &, < and > as markup (`<!channel>`, `<@U…>`, `<url|label>`), in code blocks too: plain text escapes them. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/**
 * Outside text (a PR title, a reason, a status) as mrkdwn that Slack shows literally. Slack documents escapes only
 * for &, < and > (which stop mentions and links); nothing escapes `*`, `_`, `~` or backticks, and an invisible
 * character next to them does not reliably break Slack's word-boundary rules. So each of them is written as a date
 * token whose format Slack cannot read (`<!date^00000000^{_}|*>`): Slack shows its fallback text, the character
 * itself, as plain text that no formatting can start from (the technique jsx-slack's <Escape> uses); copied, it is
 * the character again. A `>` that starts a line (a quote) gets a soft hyphen (U+00AD) before it.
 */
export function literalMrkdwn(text: string): string {
  return escapeMrkdwn(text)
    .replace(/[*_~`]/g, (c) => `<!date^00000000^{_}|${c}>`)
    .replace(/(^|\n)([ \t]*)&gt;/g, "$1$2\u00ad&gt;");
}

/**
 * A reply's text as Slack mrkdwn: plain parts escaped, outside text literal, Tugboat's mention and link nodes as markup. The ids and URLs
 * were checked when the nodes were built; they are checked again here because this is where markup is written.
 */
export function toMrkdwn(text: Text): string {
  return textParts(text)
    .map((part) => {
      if (typeof part === "string") return escapeMrkdwn(part);
      if (part.kind === "outside") return literalMrkdwn(part.text);
      if (part.kind === "mention") return /^[UW][A-Z0-9]{2,20}$/.test(part.userId) ? `<@${part.userId}>` : escapeMrkdwn(`@${part.userId}`);
      if (part.kind === "channel") return /^[CG][A-Z0-9]{2,20}$/.test(part.channelId) ? `<#${part.channelId}>` : escapeMrkdwn(`#${part.channelId}`);
      if (!/^https?:\/\//.test(part.url)) return escapeMrkdwn(part.label);
      // Inside <url|label> a "|" or ">" in the URL would end it early: percent-encode them (and escape & as Slack wants).
      const url = part.url.replace(/\|/g, "%7C").replace(/</g, "%3C").replace(/>/g, "%3E").replace(/&/g, "&amp;");
      return part.label === part.url ? `<${url}>` : `<${url}|${escapeMrkdwn(part.label)}>`;
    })
    .join("");
}

/**
 * Cuts rendered mrkdwn to at most `max` characters without leaving half an entity (`&am`) or half of Tugboat's own
 * markup (`<@U1`): escaped text holds no other "<", so an unclosed one is always the start of a node.
 */
export function cutMrkdwn(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, Math.max(0, max));
  const amp = cut.lastIndexOf("&");
  if (amp >= 0 && amp > cut.length - 6 && !cut.slice(amp).includes(";")) cut = cut.slice(0, amp);
  const open = cut.lastIndexOf("<");
  if (open >= 0 && !cut.slice(open).includes(">")) cut = cut.slice(0, open);
  return cut;
}

/** A mrkdwn text object; verbatim, so Slack does not auto-link names in plain text (our markup still renders). */
export function mrkdwnObject(text: string): { type: "mrkdwn"; text: string; verbatim: true } {
  return { type: "mrkdwn", text, verbatim: true };
}

function moreRows(n: number): string {
  return `… ${formatCount(n)} more ${n === 1 ? "row" : "rows"}`;
}

function moreLines(n: number): string {
  return `… ${formatCount(n)} more ${n === 1 ? "line" : "lines"}`;
}

class Budget {
  blocks: SlackBlock[] = [];
  chars = 0;
  cut = false;
  /** Reply blocks (or parts) that did not fit at all. */
  droppedBlocks = 0;
  constructor(
    private readonly maxBlocks: number,
    private readonly maxChars: number,
  ) {}
  get charsLeft(): number {
    return Math.max(0, this.maxChars - this.chars);
  }
  get blocksLeft(): number {
    return Math.max(0, this.maxBlocks - this.blocks.length);
  }
  push(block: SlackBlock, chars: number): void {
    this.blocks.push(block);
    this.chars += chars;
  }
}

const section = (text: string): SlackBlock => ({ type: "section", text: mrkdwnObject(text) });

/**
 * Splits prose into section-sized chunks at line boundaries (a single over-long line is split by characters).
 * Returns the chunks that fit in `budget` characters and how many lines were left out.
 */
function chunkLines(lines: string[], perChunk: number, budget: Budget): { chunks: string[]; omittedLines: number } {
  const chunks: string[] = [];
  let current = "";
  let i = 0;
  const room = () => Math.min(perChunk, budget.charsLeft - NOTICE_RESERVE - chunks.reduce((n, c) => n + c.length, 0));
  for (; i < lines.length; i++) {
    let line = lines[i]!;
    const candidate = current === "" ? line : `${current}\n${line}`;
    if (candidate.length <= room()) {
      current = candidate;
      continue;
    }
    if (current !== "") {
      if (chunks.length + 1 >= budget.blocksLeft) break;
      chunks.push(current);
      current = "";
    }
    // A line longer than a whole chunk is split by characters, each piece on its own.
    while (line.length > room() && room() > 0 && chunks.length + 1 < budget.blocksLeft) {
      const piece = cutMrkdwn(line, room()) || line.slice(0, room());
      chunks.push(piece);
      line = line.slice(piece.length);
    }
    if (line.length <= room()) current = line;
    else break;
  }
  if (current !== "") chunks.push(current);
  return { chunks, omittedLines: lines.length - i };
}

function renderProse(text: string, budget: Budget, limits: RenderLimits): void {
  const lines = text.split("\n");
  const reserveForNote = 40;
  const { chunks, omittedLines } = chunkLines(lines, limits.maxSectionChars - reserveForNote, budget);
  if (omittedLines > 0) {
    budget.cut = true;
    if (chunks.length === 0) chunks.push("");
    chunks[chunks.length - 1] = `${chunks[chunks.length - 1]}\n_${moreLines(omittedLines)}_`.replace(/^\n/, "");
  }
  for (const c of chunks) budget.push(section(c), c.length);
}

function renderCode(text: string, budget: Budget, limits: RenderLimits): void {
  // A fence inside the output would end the code block early: break it with zero-width spaces.
  const lines = text.replace(/\n+$/, "").split("\n").map((l) => escapeMrkdwn(l).replace(/```/g, "`\u200b`\u200b`"));
  const fence = "```";
  const whole = `${fence}\n${lines.join("\n")}\n${fence}`;
  if (whole.length <= Math.min(limits.maxSectionChars, budget.charsLeft - NOTICE_RESERVE)) {
    budget.push(section(whole), whole.length);
    return;
  }
  // Cut at a line boundary, leaving room for the fences and the "… N more rows" line.
  const notice = `_${moreRows(lines.length)} (full output in the thread)_`;
  const room = Math.min(limits.maxSectionChars, budget.charsLeft - NOTICE_RESERVE) - (fence.length * 2 + 2) - (notice.length + 30);
  const kept: string[] = [];
  let used = 0;
  for (const line of lines) {
    const add = (kept.length === 0 ? 0 : 1) + line.length;
    if (used + add > room) break;
    kept.push(line);
    used += add;
  }
  let firstLineCut = false;
  if (kept.length === 0 && room > 20) {
    // Even the first line is too long: show its beginning and say so.
    kept.push(`${lines[0]!.slice(0, room - 20)} … (line cut)`);
    firstLineCut = true;
  }
  const omitted = lines.length - kept.length;
  budget.cut = true;
  const what = firstLineCut ? (omitted > 0 ? `the first row is cut, ${moreRows(omitted)}` : "the row is cut") : moreRows(omitted);
  const note = `_${what} (full output in the thread)_`;
  const body = kept.length > 0 ? `${fence}\n${kept.join("\n")}\n${fence}\n${note}` : note;
  budget.push(section(body), body.length);
}

function renderFields(fields: Array<{ label: string; value: Text }>, budget: Budget): void {
  for (let i = 0; i < fields.length; i += FIELDS_PER_SECTION) {
    const group = fields.slice(i, i + FIELDS_PER_SECTION).map((f) => {
      let text = `*${escapeMrkdwn(f.label)}*\n${toMrkdwn(f.value)}`;
      if (text.length > FIELD_MAX) {
        text = `${cutMrkdwn(text, FIELD_MAX - 30)} … (value cut)`;
        budget.cut = true;
      }
      return text;
    });
    const chars = group.reduce((n, t) => n + t.length, 0);
    if (budget.blocksLeft <= 1 || chars > budget.charsLeft - NOTICE_RESERVE) {
      budget.cut = true;
      budget.droppedBlocks += 1;
      return;
    }
    budget.push({ type: "section", fields: group.map((text) => mrkdwnObject(text)) }, chars);
  }
}

function renderContext(text: string, budget: Budget, limits: RenderLimits): void {
  const lines = text.split("\n");
  const { chunks, omittedLines } = chunkLines(lines, limits.maxSectionChars - 40, budget);
  if (omittedLines > 0) {
    budget.cut = true;
    if (chunks.length === 0) chunks.push("");
    chunks[chunks.length - 1] = `${chunks[chunks.length - 1]}\n${moreLines(omittedLines)}`.replace(/^\n/, "");
  }
  for (const c of chunks) budget.push({ type: "context", elements: [mrkdwnObject(c)] }, c.length);
}

function renderBlock(block: Block, budget: Budget, limits: RenderLimits): void {
  switch (block.type) {
    case "header": {
      if (block.text.length <= HEADER_MAX) {
        // plain_text is shown as written (no mentions, links or entities are read from it): nothing to escape.
        budget.push({ type: "header", text: { type: "plain_text", text: block.text, emoji: true } }, block.text.length);
      } else {
        // Too long for a header block: show it whole as bold prose instead of cutting it.
        renderProse(`*${escapeMrkdwn(block.text.replace(/\*/g, ""))}*`, budget, limits);
      }
      return;
    }
    case "text":
      return renderProse(toMrkdwn(block.text), budget, limits);
    case "code":
      return renderCode(block.text, budget, limits);
    case "fields":
      return renderFields(block.fields, budget);
    case "list":
      return renderProse(block.items.map((i) => `• ${toMrkdwn(i)}`).join("\n"), budget, limits);
    case "progress":
      return renderProse(
        block.items.map((i) => `${PROGRESS_EMOJI[i.state] ?? ":white_circle:"} ${escapeMrkdwn(i.label)}${i.detail ? ` — ${toMrkdwn(i.detail)}` : ""}`).join("\n"),
        budget,
        limits,
      );
    case "context":
      return renderContext(toMrkdwn(block.text), budget, limits);
    case "divider":
      budget.push({ type: "divider" }, 0);
      return;
    case "actions":
      // Rendered last, in the room kept for them (renderBlocks), so a long plan never cuts its buttons off.
      return;
  }
}

/** The action id of a command button; the adapter runs the button's value (a command line) as the presser. */
export const COMMAND_BUTTON_ACTION = "tugboat_command";
/** Slack's limits: a button's text 75 characters, its value 2,000, an actions block 25 elements. */
const BUTTON_TEXT_MAX = 75;
const BUTTON_VALUE_MAX = 2000;
const BUTTONS_PER_BLOCK = 25;

function renderButtons(buttons: CommandButton[]): SlackBlock {
  return {
    type: "actions",
    elements: buttons
      .filter((b) => b.command.length <= BUTTON_VALUE_MAX)
      .slice(0, BUTTONS_PER_BLOCK)
      .map((b, i) => ({
        type: "button" as const,
        // Unique within the block; the adapter takes every tugboat_command_<n>.
        action_id: `${COMMAND_BUTTON_ACTION}_${i}`,
        text: { type: "plain_text" as const, text: b.label.slice(0, BUTTON_TEXT_MAX), emoji: true },
        value: b.command,
        ...(b.style ? { style: b.style } : {}),
      })),
  };
}

/** Renders a Reply as Block Kit within Slack's limits. */
export function renderBlocks(reply: Reply, opts: RenderOptions = {}): RenderedReply {
  const limits = opts.limits ?? SLACK_LIMITS;
  const actions = reply.blocks.flatMap((b) => (b.type === "actions" && b.buttons.length > 0 ? [renderButtons(b.buttons)] : []));
  const actionChars = JSON.stringify(actions).length;
  // One block is always kept back for the cut notice, and room for the buttons, which come last.
  const budget = new Budget(limits.maxBlocks - (opts.reserveBlocks ?? 0) - 1 - actions.length, limits.maxTotalChars - (opts.reserveChars ?? 0) - actionChars);
  const blocks = reply.blocks.length > 0 ? reply.blocks : [{ type: "text" as const, text: reply.summary }];
  for (let i = 0; i < blocks.length; i++) {
    if (budget.blocksLeft === 0 || budget.charsLeft <= NOTICE_RESERVE) {
      budget.cut = true;
      budget.droppedBlocks += blocks.length - i;
      break;
    }
    renderBlock(blocks[i]!, budget, limits);
  }
  if (budget.droppedBlocks > 0) {
    const n = budget.droppedBlocks;
    const text = `:scissors: ${formatCount(n)} more ${n === 1 ? "part" : "parts"} of this reply did not fit here; the full output is in the thread.`;
    budget.push({ type: "context", elements: [mrkdwnObject(text)] }, text.length);
  }
  budget.blocks.push(...actions);
  const rendered: RenderedReply = { text: fallbackText(reply.summary, limits), blocks: budget.blocks, cut: budget.cut };
  if (reply.attachment) {
    rendered.upload = { ...reply.attachment };
  } else if (budget.cut) {
    rendered.upload = { filename: "tugboat-output.txt", title: reply.summary.slice(0, 200) || "Full output", content: renderFullText(reply) };
  }
  return rendered;
}

/** The message's top-level `text` (notifications, screen readers): Slack parses it as mrkdwn too, so it is escaped. */
function fallbackText(summary: string, limits: RenderLimits): string {
  const line = escapeMrkdwn(summary.trim() === "" ? "Tugboat" : summary);
  return line.length <= limits.maxSectionChars ? line : `${cutMrkdwn(line, limits.maxSectionChars - 1)}…`;
}
