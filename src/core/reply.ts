// The platform-neutral reply model. Commands build these; each chat adapter renders them
// (Block Kit for Slack, plain text for the terminal). Nothing here knows about a platform.
//
// Text is plain: a string in a reply is shown as written, with light emphasis (*bold*, _italic_, `code`) but never
// as markup. Renderers escape it (Slack: &, <, > become entities), so a PR title, branch name, status description
// or lock reason that says `<!channel>` stays text. Mentions and links are the only markup, and only Tugboat builds
// them, as nodes (mention(), link(), rich``), never by writing `<@U…>` or `<url|label>` into a string.

export type Tone = "info" | "success" | "warning" | "error";

export type ProgressState = "pending" | "running" | "done" | "failed" | "skipped";

/**
 * Markup Tugboat builds on purpose. Renderers check it again (ids and URLs) before emitting it. `outside` is text
 * that came from outside Tugboat (a PR title, a commit message, a lock or freeze reason, a status description): shown
 * exactly as written, so not even light emphasis (`*`, `_`, `~`, backticks, a leading `>`) can start in it.
 */
export type Markup =
  | { kind: "mention"; userId: string }
  | { kind: "channel"; channelId: string }
  | { kind: "link"; url: string; label: string }
  | { kind: "outside"; text: string };

/** Plain text with Tugboat-made mentions and links in between. Interpolated into a string, it reads as plain text. */
export class RichText {
  private constructor(readonly parts: ReadonlyArray<string | Markup>) {}

  /** Only mention(), link(), rich`` and joinText() make RichText, so every Markup node was built by Tugboat. */
  static of(parts: ReadonlyArray<string | Markup>): RichText {
    return new RichText(parts.filter((p) => p !== ""));
  }

  toString(): string {
    return plainText(this);
  }
}

/** What a reply's prose holds: a plain string, or RichText with mentions and links. */
export type Text = string | RichText;

const USER_ID = /^[UW][A-Z0-9]{2,20}$/;

/** A mention of a Slack user id (U…/W…). Anything else is kept as plain text, so a forged id cannot become markup. */
export function mention(userId: string): RichText {
  return RichText.of([USER_ID.test(userId) ? { kind: "mention", userId } : userId]);
}

const CHANNEL_ID = /^[CG][A-Z0-9]{2,20}$/;

/** A link to a Slack channel (C…/G…). Anything else is kept as plain text. */
export function channelMention(channelId: string): RichText {
  return RichText.of([CHANNEL_ID.test(channelId) ? { kind: "channel", channelId } : channelId]);
}

/** A link to an http(s) URL, labelled (the label is plain text). Any other URL is shown as plain text. */
export function link(url: string, label = url): RichText {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.protocol !== "https:" && parsed.protocol !== "http:")) return RichText.of([label === url ? url : `${label} (${url})`]);
  return RichText.of([{ kind: "link", url: parsed.href, label: label === url ? parsed.href : label }]);
}

/**
 * Text from outside Tugboat, to be shown literally: Slack would read `*bold*`, `_it_`, `~strike~`, backticks and a
 * leading `>` in it as formatting (escaping &, < and > stops only mentions and links), so its renderer neutralises
 * them; the terminal and logs keep it as written.
 */
export function outside(text: string): RichText {
  return RichText.of(text === "" ? [] : [{ kind: "outside", text }]);
}

/** Template tag: literal parts and interpolated strings are plain text; interpolated RichText keeps its markup. */
export function rich(strings: TemplateStringsArray, ...values: Array<Text | number | undefined>): RichText {
  const parts: Array<string | Markup> = [];
  strings.forEach((s, i) => {
    parts.push(s);
    if (i < values.length) pushText(parts, values[i]);
  });
  return RichText.of(mergeStrings(parts));
}

/** Joins texts with a separator (plain), keeping markup. */
export function joinText(texts: ReadonlyArray<Text>, separator = ""): RichText {
  const parts: Array<string | Markup> = [];
  texts.forEach((t, i) => {
    if (i > 0) parts.push(separator);
    pushText(parts, t);
  });
  return RichText.of(mergeStrings(parts));
}

function pushText(parts: Array<string | Markup>, value: Text | number | undefined): void {
  if (value === undefined) return;
  if (value instanceof RichText) parts.push(...value.parts);
  else parts.push(String(value));
}

function mergeStrings(parts: Array<string | Markup>): Array<string | Markup> {
  const out: Array<string | Markup> = [];
  for (const p of parts) {
    const last = out[out.length - 1];
    if (typeof p === "string" && typeof last === "string") out[out.length - 1] = last + p;
    else out.push(p);
  }
  return out;
}

/** The parts of a text, for renderers. */
export function textParts(text: Text): ReadonlyArray<string | Markup> {
  return typeof text === "string" ? [text] : text.parts;
}

/** Text as a plain string: mentions as @U…, links as "label (url)" (or the url alone). For logs, audit, files. */
export function plainText(text: Text): string {
  return textParts(text)
    .map((p) => (typeof p === "string" ? p : p.kind === "outside" ? p.text : p.kind === "mention" ? `@${p.userId}` : p.kind === "channel" ? `#${p.channelId}` : p.label === p.url ? p.url : `${p.label} (${p.url})`))
    .join("");
}

export type Block =
  | { type: "header"; text: string }
  /** Prose with light emphasis: *bold*, `code`; mentions and links as RichText. */
  | { type: "text"; text: Text }
  /** Preformatted output (kubectl tables, YAML, logs). `omitted` says what was left out, if anything. */
  | { type: "code"; text: string; language?: string }
  | { type: "fields"; fields: Array<{ label: string; value: Text }> }
  | { type: "list"; items: Text[] }
  | { type: "progress"; items: Array<{ label: string; state: ProgressState; detail?: Text }> }
  /** Small print: timings, request ids, cluster names. */
  | { type: "context"; text: Text }
  | { type: "divider" }
  /**
   * Buttons that each run a command line as whoever presses them, through the router like the typed line (same
   * permission checks and audit); the terminal shows the lines to type.
   */
  | { type: "actions"; buttons: CommandButton[] };

export interface CommandButton {
  label: string;
  /** The command line a press runs, e.g. `/deploy approve 1a2b3c4d` (what the terminal shows). */
  command: string;
  style?: "primary" | "danger";
}

/** A whole text payload that a renderer may attach as a file when it does not fit inline. */
export interface Attachment {
  filename: string;
  title: string;
  content: string;
}

export interface Reply {
  /** One-line plain summary: notification text, terminal fallback, audit outcome. */
  summary: string;
  tone?: Tone;
  blocks: Block[];
  /** Full output a renderer must offer when it had to cut inline blocks. */
  attachment?: Attachment;
}

/** A reply whose summary (plain) is also its text when no blocks are given (then it may hold mentions and links). */
export function textReply(summary: Text, tone: Tone = "info", ...blocks: Block[]): Reply {
  return { summary: plainText(summary), tone, blocks: blocks.length > 0 ? blocks : [{ type: "text", text: summary }] };
}
