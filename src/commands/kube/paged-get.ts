import type { CommandContext } from "../../core/command.js";
import type { Reply } from "../../core/reply.js";
import { formatCount } from "../../domain/format/count.js";
import type { ApiResource, KubeTable, KubeTablePage } from "../../gateways/types.js";
import { cutForChat, MAX_LINES, type Beyond } from "./chat-output.js";
import type { KubeQuery } from "./kube-query.js";
import { kindPrefix, tableCells, type TablePrintOptions } from "./render-table.js";
import { tabwrite } from "./tabwriter.js";

// /kube get on lists of every size, paged like kubectl's chunking (limit/continue, kube.chunkSize rows a request).
// The chat needs only the first rows and a count: paging stops once the first MAX_LINES rows are in, and the reply
// says "… 99,964 more rows" from the server's remainingItemCount. The attachment then pages on, keeping only the
// printed cells (never the pages' JSON), up to kube.attachmentMaxRows rows, and says so when it had to stop.

export interface PagedType {
  res: ApiResource;
  /** Table print options, or "name" for -o name. */
  print: TablePrintOptions | "name";
  namespace: string | undefined;
  labelSelector?: string;
  fieldSelector?: string;
}

export interface PagedText {
  /** The kubectl text (tables separated by a blank line), and which of its lines are not rows. */
  text: string;
  nonRowLines: Set<number>;
  rows: number;
}

/** One type's printed rows: kubectl's header and cells, or for -o name one `kind/name` cell and no header. */
interface Section {
  header: string[] | undefined;
  rows: string[][];
}

/** Adds a page's (or a whole Table's) rows to a section, printed as kubectl prints them. */
function addRows(section: Section, table: KubeTable, res: ApiResource, print: PagedType["print"]): void {
  if (print === "name") {
    const prefix = kindPrefix(res);
    const nameAt = Math.max(0, table.columns.findIndex((c) => c.format === "name"));
    for (const row of table.rows) section.rows.push([`${prefix}/${row.object?.metadata?.name || String(row.cells[nameAt] ?? "")}`]);
    return;
  }
  const cells = tableCells(table, print);
  if (cells.length === 0) return;
  section.header ??= cells[0];
  for (let i = 1; i < cells.length; i++) section.rows.push(cells[i]!);
}

/** One type's list, a page at a time; rows are kept as printed cells, never as the pages' JSON. */
class TableStream implements Section {
  header: string[] | undefined;
  readonly rows: string[][] = [];
  private cont: string | undefined;
  private started = false;
  /** Rows the server says are left after the last page; undefined when it did not count. */
  remaining: number | undefined;

  constructor(
    private readonly q: KubeQuery,
    readonly type: PagedType,
    private readonly chunkSize: number,
  ) {}

  get hasMore(): boolean {
    return !this.started || this.cont !== undefined;
  }

  async fetch(): Promise<void> {
    const t = this.type;
    const page: KubeTablePage = await this.q.call((c) =>
      c.tablePage(t.res, { namespace: t.res.namespaced ? t.namespace : undefined, labelSelector: t.labelSelector, fieldSelector: t.fieldSelector, limit: this.chunkSize, continue: this.cont }),
    );
    this.started = true;
    this.cont = page.continue;
    this.remaining = page.continue ? page.remainingItemCount : 0;
    addRows(this, page, t.res, t.print);
  }
}

/**
 * The sections as kubectl prints them: one table per type with a blank line between, none for empty ones; -o name
 * lines run on. At most `maxRows` rows.
 */
function printSections(sections: Section[], maxRows = Infinity): PagedText {
  const parts: string[] = [];
  const nonRowLines = new Set<number>();
  let lineNo = 0;
  let rows = 0;
  for (const s of sections) {
    const take = s.rows.length <= maxRows - rows ? s.rows : s.rows.slice(0, Math.max(0, maxRows - rows));
    if (take.length === 0) continue;
    rows += take.length;
    if (s.header) {
      if (parts.length > 0) {
        parts.push("");
        nonRowLines.add(lineNo++);
      }
      nonRowLines.add(lineNo++);
      parts.push(tabwrite([s.header, ...take]));
    } else {
      parts.push(take.map((c) => c[0]).join("\n"));
    }
    lineNo += take.length;
  }
  return { text: parts.join("\n"), nonRowLines, rows };
}

/** Tables fetched whole (named objects, --sort-by), printed like the paged ones. */
export function printTables(tables: Array<{ table: KubeTable; res: ApiResource; print: PagedType["print"] }>): PagedText {
  return printSections(
    tables.map(({ table, res, print }) => {
      const section: Section = { header: undefined, rows: [] };
      addRows(section, table, res, print);
      return section;
    }),
  );
}

/**
 * Attachments being paged at once, in this process. Each holds up to kube.attachmentMaxRows rows of cells, so a burst
 * of big lists would otherwise hold that many times over; the chat replies do not wait for this, only the files.
 */
export const ATTACHMENTS_AT_ONCE = 2;
/** Attachments that may wait for a slot; beyond that a list gets its chat answer but no attachment. */
export const ATTACHMENTS_WAITING = 8;
let attachmentsRunning = 0;
const attachmentQueue: Array<() => void> = [];

/**
 * Waits for a free slot; call the returned function to give it back. Undefined when ATTACHMENTS_WAITING lists wait
 * already: waiting ones hold their first page each, so the queue is bounded too. Exported for its test.
 */
export async function attachmentSlot(): Promise<(() => void) | undefined> {
  if (attachmentsRunning >= ATTACHMENTS_AT_ONCE) {
    if (attachmentQueue.length >= ATTACHMENTS_WAITING) return undefined;
    await new Promise<void>((resolve) => attachmentQueue.push(resolve));
  } else attachmentsRunning++;
  return () => {
    const next = attachmentQueue.shift();
    if (next) next();
    else attachmentsRunning--;
  };
}

export interface PagedGetOptions {
  summaryBase: string;
  context: string;
  filename: string;
}

/**
 * Lists the types page by page. Returns the printed text when everything fitted in the pages the chat needed
 * (the caller replies as for other output); otherwise replies itself: the first rows at once, then the attachment.
 */
export async function pagedGet(ctx: CommandContext, q: KubeQuery, types: PagedType[], opts: PagedGetOptions): Promise<PagedText | undefined> {
  const { chunkSize, attachmentMaxRows } = ctx.services.config.kube;
  const streams = types.map((t) => new TableStream(q, t, chunkSize));
  await Promise.all(streams.map((s) => s.fetch()));
  // The chat shows the first MAX_LINES rows, in type order: fetch further pages only while they are short of that.
  let need = MAX_LINES;
  for (const s of streams) {
    while (s.rows.length < need && s.hasMore) await s.fetch();
    need -= s.rows.length;
    if (need <= 0) break;
  }
  if (streams.every((s) => !s.hasMore)) return printSections(streams);

  const first = printSections(streams);
  const fetchedRows = first.rows;
  const counted = streams.every((s) => s.remaining !== undefined);
  const total = fetchedRows + streams.reduce((n, s) => n + (s.remaining ?? 0), 0);
  const totalText = `${counted ? "" : "at least "}${formatCount(total)} row${total === 1 ? "" : "s"}`;
  await ctx.reply.send(
    chatReply(opts, `${opts.summaryBase}: ${totalText}`, first, { rows: total - fetchedRows, exact: counted, note: "the full list follows as an attachment" }, true),
  );

  // The attachment: the remaining pages, up to the cap. A failure part way keeps what came and says why.
  let stoppedBy: string | undefined;
  let held = fetchedRows;
  let reply: Reply;
  const release = await attachmentSlot();
  if (!release) {
    for (const s of streams) s.rows.length = 0;
    const busy = `no attachment: ${ATTACHMENTS_AT_ONCE + ATTACHMENTS_WAITING} other long lists are being prepared by this bot; ask again in a moment`;
    await ctx.reply.send(chatReply(opts, `${opts.summaryBase}: ${totalText}`, first, { rows: total - fetchedRows, exact: counted, note: busy }, false));
    return undefined;
  }
  try {
    try {
      for (const s of streams) {
        while (s.hasMore && held < attachmentMaxRows) {
          const before = s.rows.length;
          await s.fetch();
          held += s.rows.length - before;
        }
      }
    } catch (err) {
      stoppedBy = err instanceof Error ? err.message : String(err);
    }
    reply = withAttachment(opts, streams, first, { held, stoppedBy, attachmentMaxRows });
  } finally {
    // The cells are printed into the reply's text by now: drop them before the send, which may wait for Slack's
    // update pacing, so that waiting holds only the text.
    for (const s of streams) s.rows.length = 0;
    release();
  }
  await ctx.reply.send(reply);
  return undefined;
}

/** The final state: the same first rows, the exact (or capped) count, and the attachment's text. */
function withAttachment(
  opts: PagedGetOptions,
  streams: TableStream[],
  first: PagedText,
  { held, stoppedBy, attachmentMaxRows }: { held: number; stoppedBy: string | undefined; attachmentMaxRows: number },
): Reply {
  const fetchedRows = first.rows;
  const all = printSections(streams, attachmentMaxRows);
  const left = streams.reduce((n, s) => n + (s.hasMore ? (s.remaining ?? 0) : 0), 0) + (held - all.rows);
  const complete = !stoppedBy && streams.every((s) => !s.hasMore) && all.rows === held;
  const exact = streams.every((s) => !s.hasMore || s.remaining !== undefined);
  const finalTotal = all.rows + left;
  const why = stoppedBy ? `paging stopped: ${stoppedBy}` : `kube.attachmentMaxRows is ${formatCount(attachmentMaxRows)}`;
  const note = complete ? "the whole output is attached" : `the first ${formatCount(all.rows)} are attached (${why})`;
  const content = complete ? all.text : `${all.text}\n… ${exact ? "" : "at least "}${formatCount(left)} more rows not included (${why})`;
  const summary = `${opts.summaryBase}: ${exact || complete ? "" : "at least "}${formatCount(finalTotal)} row${finalTotal === 1 ? "" : "s"}`;
  const reply = chatReply(opts, summary, first, { rows: finalTotal - fetchedRows, exact: exact || complete, note }, false);
  reply.attachment = { filename: opts.filename, title: summary, content: `${content}\n` };
  return reply;
}

/** The first rows and the "… N more rows" line; `fetching` marks the state before the attachment is ready. */
function chatReply(opts: PagedGetOptions, summary: string, first: PagedText, beyond: Beyond, fetching: boolean): Reply {
  const cut = cutForChat(first.text, "rows", first.nonRowLines, beyond);
  const reply: Reply = {
    summary,
    tone: fetching ? "info" : "success",
    blocks: [
      { type: "context", text: opts.context },
      { type: "code", text: cut.inline },
    ],
  };
  // A progress item marks this state as intermediate for the adapters (the terminal prints the final state only).
  if (fetching) reply.blocks.push({ type: "progress", items: [{ label: "attachment", state: "running", detail: "fetching the remaining rows" }] });
  return reply;
}
