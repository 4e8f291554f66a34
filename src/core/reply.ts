// The platform-neutral reply model. Commands build these; each chat adapter renders them
// (Block Kit for Slack, plain text for the terminal). Nothing here knows about a platform.

export type Tone = "info" | "success" | "warning" | "error";

export type ProgressState = "pending" | "running" | "done" | "failed" | "skipped";

export type Block =
  | { type: "header"; text: string }
  /** Prose with light markup: *bold*, `code`, <url|label> links. */
  | { type: "text"; text: string }
  /** Preformatted output (kubectl tables, YAML, logs). `omitted` says what was left out, if anything. */
  | { type: "code"; text: string; language?: string }
  | { type: "fields"; fields: Array<{ label: string; value: string }> }
  | { type: "list"; items: string[] }
  | { type: "progress"; items: Array<{ label: string; state: ProgressState; detail?: string }> }
  /** Small print: timings, request ids, cluster names. */
  | { type: "context"; text: string }
  | { type: "divider" };

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

export function textReply(summary: string, tone: Tone = "info", ...blocks: Block[]): Reply {
  return { summary, tone, blocks: blocks.length > 0 ? blocks : [{ type: "text", text: summary }] };
}
