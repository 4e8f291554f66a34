import type { Attachment, Block } from "../../core/reply.js";
import { renderObjectDiff, type FieldChange, type ObjectDiff } from "./object-diff.js";
import { countActions, type PlanPreview } from "./preview-plan.js";
import { cutForChat } from "../format/cut-for-chat.js";

// The plan of a deploy as chat shows it: one line per object (created / changed, with the changed fields in
// brief / unchanged), then the full field-level diff inline when it fits, else attached as a file.

const MAX_FIELDS = 4;
const MAX_VALUE = 48;

/** `registry/github:<40 hex>` → `registry/github:eed486a`, so image lines stay short. */
function shortSha(text: string): string {
  return text.replace(/:([0-9a-f]{40})\b/g, (_m, sha: string) => `:${sha.slice(0, 7)}`);
}

function brief(value: unknown): string | undefined {
  if (value === null || typeof value === "object") return undefined;
  if (value === "") return '""';
  // A backtick in a value would end the code span around the path; values are shown without them.
  const text = shortSha(String(value)).replace(/`/g, "'");
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE - 1)}…` : text;
}

/** Pod template fields are the ones that change most: `containers[name=unicorn].image` reads better without the prefix. */
function shortPath(path: string): string {
  return path.replace(/^spec\.template\.spec\./, "");
}

function describeField(c: FieldChange): string {
  const path = `\`${shortPath(c.path)}\``;
  if (c.before === undefined) return brief(c.after) !== undefined ? `${path} = ${brief(c.after)} (added)` : `${path} added`;
  if (c.after === undefined) return `${path} removed`;
  const from = brief(c.before);
  const to = brief(c.after);
  return from !== undefined && to !== undefined ? `${path} ${from} → ${to}` : `${path} changed`;
}

const META_MAPS = [
  { prefix: "metadata.annotations", word: "annotations" },
  { prefix: "metadata.labels", word: "labels" },
];

const LIST_ITEM = /^(.*)\[[A-Za-z]+=([^\]]*)\]$/;

function listOfKeys(keys: string[]): string {
  return `${keys.slice(0, 3).join(", ")}${keys.length > 3 ? ` and ${keys.length - 3} more` : ""}`;
}

/**
 * The changed fields in brief: single fields first (`path from → to`), then list items added or removed under
 * one parent (`containers[name=unicorn].env +APP, +RACK_ENV`), then label and annotation keys.
 */
function describeChanges(changes: FieldChange[]): string {
  const fields: string[] = [];
  const items = new Map<string, string[]>();
  const meta = new Map<string, string[]>();
  const add = (m: Map<string, string[]>, k: string, v: string) => m.set(k, [...(m.get(k) ?? []), v]);
  for (const c of changes) {
    const map = META_MAPS.find((m) => c.path.startsWith(`${m.prefix}.`) || c.path.startsWith(`${m.prefix}[`));
    const item = LIST_ITEM.exec(c.path);
    if (map) add(meta, map.word, c.path.slice(map.prefix.length).replace(/^\./, "").replace(/^\["(.*)"\]$/, "$1"));
    else if (item && (c.before === undefined || c.after === undefined)) add(items, `\`${shortPath(item[1]!)}\``, `${c.before === undefined ? "+" : "-"}${item[2]}`);
    else fields.push(describeField(c));
  }
  for (const [parent, keys] of items) fields.push(`${parent} ${listOfKeys(keys)}`);
  for (const [word, keys] of meta) fields.push(`${word} ${listOfKeys(keys)}`);
  const shown = fields.slice(0, MAX_FIELDS);
  const rest = fields.length - shown.length;
  return shown.join("; ") + (rest > 0 ? `; and ${rest} more` : "");
}

export function describeObjectDiff(d: ObjectDiff): string {
  const what = `\`${d.kind} ${d.name}\``;
  if (d.action === "unchanged") return `${what}: unchanged`;
  if (d.action === "create") return `${what}: created`;
  if (d.secret || d.changes.length === 0) return `${what}: changed${d.secret ? " (a Secret: contents not shown)" : ""}`;
  return `${what}: changed: ${describeChanges(d.changes)}`;
}

export function fullDiffText(preview: PlanPreview): string {
  return preview.objects.map(renderObjectDiff).join("\n\n") + "\n";
}

/** The plan's blocks (summary list and diff) and, when the diff is too long for chat, the diff as a file. */
export function planDiffBlocks(preview: PlanPreview, filename: string, title: string): { blocks: Block[]; attachment?: Attachment } {
  if (preview.objects.length === 0) return { blocks: [{ type: "text", text: "The plan changes no objects." }] };
  const blocks: Block[] = [
    { type: "text", text: `*Objects:* ${countActions(preview)} (a server-side dry run against the live objects)` },
    { type: "list", items: preview.objects.map(describeObjectDiff) },
  ];
  const text = fullDiffText(preview);
  const cut = cutForChat(text.replace(/\n$/, ""), "lines");
  blocks.push({ type: "code", text: cut.inline, language: "diff" });
  return cut.omitted > 0 ? { blocks, attachment: { filename, title, content: text } } : { blocks };
}
