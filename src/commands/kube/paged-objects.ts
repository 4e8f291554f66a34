import type { CommandContext } from "../../core/command.js";
import type { Reply } from "../../core/reply.js";
import { formatCount } from "../../domain/format/count.js";
import type { ApiResource, KObject } from "../../gateways/types.js";
import { cutForChat, MAX_LINES } from "./chat-output.js";
import type { KubeQuery } from "./kube-query.js";
import { attachmentSlot, ATTACHMENTS_AT_ONCE, ATTACHMENTS_WAITING } from "./paged-get.js";
import { forDisplay } from "./redact-secret.js";
import { asList, toKubectlJson, toKubectlYaml } from "./serialize.js";

// /kube get -o yaml|json on lists of every size, paged like kubectl's chunking (limit/continue, kube.chunkSize objects a
// request). Each page is printed into its list items' text at once and the objects dropped, so only text is held,
// never the pages' JSON. The chat needs the first lines: paging stops once they are in and the reply counts the rest
// from the server's remainingItemCount. The attachment then pages on up to kube.attachmentMaxBytes of text, cut at an
// object boundary (the document stays valid YAML/JSON) and saying so when it had to stop.

export type ObjectFormat = "yaml" | "json";

export interface ObjectType {
  res: ApiResource;
  namespace: string | undefined;
  labelSelector?: string;
  fieldSelector?: string;
}

/** kubectl's List document, written from its items' text: the same bytes as printing asList(items) whole. */
export function listDocument(format: ObjectFormat, items: string[]): string {
  const empty = format === "json" ? toKubectlJson(asList([])) : toKubectlYaml(asList([]));
  const marker = format === "json" ? `"items": [],` : "items: []";
  const at = empty.indexOf(marker);
  const head = empty.slice(0, at);
  const tail = empty.slice(at + marker.length);
  if (items.length === 0) return empty;
  return format === "json" ? `${head}"items": [\n${items.join(",\n")}\n    ],${tail}` : `${head}items:\n${items.join("\n")}${tail}`;
}

/** One object's text as an item of listDocument. */
export function listItem(format: ObjectFormat, obj: KObject): string {
  if (format === "yaml") return toKubectlYaml([obj]);
  return toKubectlJson(obj)
    .split("\n")
    .map((line) => `        ${line}`)
    .join("\n");
}

/**
 * One type's list, a page at a time, kept as its items' text. A page is printed only as far as needed: for the chat's
 * first lines one or two objects, not the page's 500, so the first reply does not wait for YAML the chat never shows.
 */
class ObjectStream {
  readonly items: string[] = [];
  lines = 0;
  bytes = 0;
  private cont: string | undefined;
  private started = false;
  /** The last page's objects, printed up to `next`. */
  private pending: KObject[] = [];
  private next = 0;
  /** Objects the server says are left after the last page; undefined when it did not count. */
  remaining: number | undefined;
  /** Objects fetched but not kept because the byte cap was reached. */
  dropped = 0;

  constructor(
    private readonly q: KubeQuery,
    private readonly type: ObjectType,
    private readonly format: ObjectFormat,
    private readonly chunkSize: number,
  ) {}

  /** Whether the server has more pages (or has not been asked yet). */
  get hasMore(): boolean {
    return !this.started || this.cont !== undefined;
  }

  /** Objects fetched and not printed yet. */
  get unprinted(): number {
    return this.pending.length - this.next;
  }

  /** Whether anything is left to print or to fetch. */
  get more(): boolean {
    return this.unprinted > 0 || this.hasMore;
  }

  /** The next page (call once the last one is printed). */
  async fetch(): Promise<void> {
    const t = this.type;
    const page = await this.q.call((c) =>
      c.listPage(t.res, { namespace: t.res.namespaced ? t.namespace : undefined, labelSelector: t.labelSelector, fieldSelector: t.fieldSelector, limit: this.chunkSize, continue: this.cont }),
    );
    this.started = true;
    this.cont = page.continue;
    this.remaining = page.continue ? page.remainingItemCount : 0;
    this.pending = page.items;
    this.next = 0;
  }

  /**
   * Prints fetched objects while the text has fewer than `untilLines` lines and stays within `maxBytes`; the object
   * that would pass `maxBytes` and all after it are dropped (counted, not kept).
   */
  print(maxBytes: number, untilLines = Infinity): void {
    const t = this.type;
    while (this.next < this.pending.length && this.lines < untilLines) {
      const obj = this.pending[this.next]!;
      const text = listItem(this.format, forDisplay({ ...obj, apiVersion: obj.apiVersion ?? t.res.groupVersion, kind: obj.kind ?? t.res.kind }));
      const size = Buffer.byteLength(text) + 1;
      if (this.bytes + size > maxBytes) {
        this.dropped += this.unprinted;
        this.next = this.pending.length;
        break;
      }
      this.next++;
      this.items.push(text);
      this.bytes += size;
      this.lines += text.split("\n").length;
    }
    if (this.next >= this.pending.length) {
      this.pending = [];
      this.next = 0;
    }
  }
}

export interface PagedObjectsOptions {
  summaryBase: string;
  context: string;
  filename: string;
  format: ObjectFormat;
}

/** What paging found: the document when everything came in the pages the chat needed, else undefined (replied). */
export interface PagedObjects {
  text: string;
  objects: number;
}

/**
 * Lists the types page by page. Returns the document when everything fitted in the pages the chat needed (the caller
 * replies as for other output); otherwise replies itself: the first lines at once, then the attachment.
 */
export async function pagedObjects(ctx: CommandContext, q: KubeQuery, types: ObjectType[], opts: PagedObjectsOptions): Promise<PagedObjects | undefined> {
  const { chunkSize, attachmentMaxBytes } = ctx.services.config.kube;
  const streams = types.map((t) => new ObjectStream(q, t, opts.format, chunkSize));
  const heldBytes = () => streams.reduce((n, s) => n + s.bytes, 0);
  const capReached = () => streams.some((s) => s.dropped > 0);
  // Prints a stream's fetched objects (fetching its next page when all are printed) within what is left of the cap.
  const advance = async (s: ObjectStream, untilLines = Infinity) => {
    if (s.unprinted === 0) await s.fetch();
    s.print(attachmentMaxBytes - heldBytes() + s.bytes, untilLines);
  };
  // What the server has not sent or Tugboat has not printed: by the server's count, when it counts.
  const notShown = (s: ObjectStream) => s.unprinted + s.dropped + (s.hasMore ? (s.remaining ?? 0) : 0);
  // The chat shows the first MAX_LINES lines, in type order: print (and fetch) only while they are short of that.
  let need = MAX_LINES;
  for (const s of streams) {
    while (s.lines < need && s.more && !capReached()) await advance(s, need);
    need -= s.lines;
    if (need <= 0) break;
  }
  const itemsOf = () => streams.flatMap((s) => s.items);
  if (streams.every((s) => !s.more) && !capReached()) return { text: listDocument(opts.format, itemsOf()), objects: streams.reduce((n, s) => n + s.items.length, 0) };

  const firstText = listDocument(opts.format, itemsOf());
  const shown = streams.reduce((n, s) => n + s.items.length, 0);
  // A type not started yet has told nothing of its size: the count is then a lower bound.
  const counted = streams.every((s) => !s.hasMore || s.remaining !== undefined);
  const total = shown + streams.reduce((n, s) => n + notShown(s), 0);
  const totalText = objectCount(total, counted);
  await ctx.reply.send(objectsReply(opts, `${opts.summaryBase}: ${totalText}`, firstText, `${totalText} in all; the full list follows as an attachment`, true));

  const release = await attachmentSlot();
  if (!release) {
    const busy = `${totalText} in all; no attachment: ${ATTACHMENTS_AT_ONCE + ATTACHMENTS_WAITING} other long lists are being prepared by this bot; ask again in a moment`;
    await ctx.reply.send(objectsReply(opts, `${opts.summaryBase}: ${totalText}`, firstText, busy, false));
    return undefined;
  }
  let reply: Reply;
  try {
    let stoppedBy: string | undefined;
    try {
      for (const s of streams) {
        while (s.more && !capReached()) await advance(s);
      }
    } catch (err) {
      stoppedBy = err instanceof Error ? err.message : String(err);
    }
    const kept = streams.reduce((n, s) => n + s.items.length, 0);
    const left = streams.reduce((n, s) => n + notShown(s), 0);
    const exact = streams.every((s) => !s.hasMore || s.remaining !== undefined);
    const complete = !stoppedBy && left === 0 && streams.every((s) => !s.more);
    const finalText = objectCount(kept + left, exact || complete);
    const why = stoppedBy ? `paging stopped: ${stoppedBy}` : `kube.attachmentMaxBytes is ${formatBytes(attachmentMaxBytes)}`;
    const note = complete ? `${finalText} in all; the whole output is attached` : `${finalText} in all; the first ${formatCount(kept)} are attached (${why})`;
    let content = listDocument(opts.format, itemsOf());
    // YAML can say it was cut inside the file; JSON has no comments, so the file stays the valid list of what came.
    if (!complete && opts.format === "yaml") content += `\n# … ${exact ? "" : "at least "}${formatCount(left)} more objects not included (${why})`;
    reply = objectsReply(opts, `${opts.summaryBase}: ${finalText}`, firstText, note, false);
    reply.attachment = { filename: opts.filename, title: `${opts.summaryBase}: ${finalText}`, content: `${content}\n` };
  } finally {
    // The text is in the reply by now: drop the items before the send, which may wait for Slack's update pacing.
    for (const s of streams) s.items.length = 0;
    release();
  }
  await ctx.reply.send(reply);
  return undefined;
}

function objectCount(n: number, exact: boolean): string {
  return `${exact ? "" : "at least "}${formatCount(n)} object${n === 1 ? "" : "s"}`;
}

/** 8 MiB, 512 KiB, 300 bytes. */
export function formatBytes(n: number): string {
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${formatCount(n / (1024 * 1024))} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${formatCount(n / 1024)} KiB`;
  return `${formatCount(n)} bytes`;
}

/** The document's first lines and one line saying how many objects there are and where the rest is. */
function objectsReply(opts: PagedObjectsOptions, summary: string, firstText: string, note: string, fetching: boolean): Reply {
  const cut = cutForChat(firstText, "lines");
  const shown = cut.omitted > 0 ? cut.inline.slice(0, cut.inline.lastIndexOf("\n")) : cut.inline;
  const reply: Reply = {
    summary,
    tone: fetching ? "info" : "success",
    blocks: [
      { type: "context", text: opts.context },
      { type: "code", text: `${shown}\n… ${note}`, language: opts.format },
    ],
  };
  // A progress item marks this state as intermediate for the adapters (the terminal prints the final state only).
  if (fetching) reply.blocks.push({ type: "progress", items: [{ label: "attachment", state: "running", detail: "fetching the remaining objects" }] });
  return reply;
}
