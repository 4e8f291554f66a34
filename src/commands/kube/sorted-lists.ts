import { UserError } from "../../core/errors.js";
import { formatCount } from "../../domain/format/count.js";
import type { ApiResource, KObject, KubeTable } from "../../gateways/types.js";
import { compareValues, evaluatePath, type FieldPath } from "./jsonpath.js";
import { qualified, type KubeQuery } from "./kube-query.js";
import { formatBytes, listDocument, listItem, type ObjectFormat, type ObjectType } from "./paged-objects.js";
import { forDisplay } from "./redact-secret.js";

// --sort-by on lists: kubectl turns chunking off and sorts everything; Tugboat needs everything too, but pages
// (kube.chunkSize) and keeps only what it prints (cells, or the objects' text) and each item's sort key, and refuses
// a list past its bounds (kube.attachmentMaxRows rows, kube.attachmentMaxBytes of text) with a line saying how to
// narrow it, rather than holding a whole cluster's pods to sort them.

export interface SortLimits {
  chunkSize: number;
  maxRows: number;
  maxBytes: number;
}

function tooLong(q: KubeQuery, res: ApiResource, bound: string): UserError {
  return new UserError(`--sort-by sorts the whole list, and ${qualified(res)} on cluster ${q.cluster} has more than ${bound}: narrow it with -n, -l or --field-selector.`);
}

function objectKey(o: KObject | undefined): string {
  return `${o?.metadata?.namespace ?? ""}/${o?.metadata?.name ?? ""}`;
}

/** Sorts in place by the keys, keeping the list's order among equal keys (kubectl sorts stably). */
export function stableSortBy<T>(items: T[], key: (t: T, i: number) => unknown): void {
  const decorated = items.map((item, i) => ({ item, i, k: key(item, i) }));
  decorated.sort((a, b) => compareValues(a.k, b.k) || a.i - b.i);
  decorated.forEach((d, i) => (items[i] = d.item));
}

/** Every page of one type's Table, refused past `maxRows` rows. */
export async function wholeTable(q: KubeQuery, t: ObjectType, limits: SortLimits): Promise<KubeTable> {
  const table: KubeTable = { columns: [], rows: [], serverTable: true };
  let cont: string | undefined;
  do {
    const page = await q.call((c) => c.tablePage(t.res, { namespace: t.res.namespaced ? t.namespace : undefined, labelSelector: t.labelSelector, fieldSelector: t.fieldSelector, limit: limits.chunkSize, continue: cont }));
    if (table.rows.length === 0) Object.assign(table, { columns: page.columns, serverTable: page.serverTable });
    table.rows.push(...page.rows);
    if (table.rows.length > limits.maxRows) throw tooLong(q, t.res, `${formatCount(limits.maxRows)} rows (kube.attachmentMaxRows)`);
    cont = page.continue;
  } while (cont);
  return table;
}

/** Every object of one type's list, refused past `maxRows` objects (named gets only reach this without names). */
export async function boundedList(q: KubeQuery, t: ObjectType, limits: SortLimits): Promise<KObject[]> {
  const { items } = await q.call((c) => c.list(t.res, { namespace: t.res.namespaced ? t.namespace : undefined, labelSelector: t.labelSelector, fieldSelector: t.fieldSelector, limit: limits.chunkSize, maxItems: limits.maxRows + 1 }));
  if (items.length > limits.maxRows) throw tooLong(q, t.res, `${formatCount(limits.maxRows)} objects (kube.attachmentMaxRows)`);
  return items;
}

/**
 * Each object's sort key, by namespace/name, from pages of the list (for paths a Table row's metadata does not
 * hold). Undefined when the list cannot be read: the rows then sort by their own metadata, as before.
 */
async function sortKeysOf(q: KubeQuery, t: ObjectType, path: FieldPath, limits: SortLimits): Promise<Map<string, unknown> | undefined> {
  const keys = new Map<string, unknown>();
  let cont: string | undefined;
  try {
    do {
      const page = await q.call((c) => c.listPage(t.res, { namespace: t.res.namespaced ? t.namespace : undefined, labelSelector: t.labelSelector, fieldSelector: t.fieldSelector, limit: limits.chunkSize, continue: cont }));
      for (const o of page.items) keys.set(objectKey(o), evaluatePath(o, path));
      if (keys.size > limits.maxRows) return undefined;
      cont = page.continue;
    } while (cont);
  } catch {
    return undefined;
  }
  return keys;
}

/** One type's Table, sorted by the path: metadata paths use the rows' own metadata; others read the list's keys. */
export async function sortedTable(q: KubeQuery, t: ObjectType, path: FieldPath, limits: SortLimits): Promise<KubeTable> {
  const table = await wholeTable(q, t, limits);
  if (table.rows.length < 2) return table;
  const metadataOnly = path.steps[0] === "metadata" && table.rows.every((row) => row.object?.metadata);
  const keys = metadataOnly ? undefined : await sortKeysOf(q, t, path, limits);
  stableSortBy(table.rows, (row) => (keys?.has(objectKey(row.object)) ? keys.get(objectKey(row.object)) : evaluatePath(row.object, path)));
  return table;
}

/**
 * The types' objects as one List document sorted by the path within each type (kubectl's order), paged and held as
 * text, refused past `maxBytes` of text.
 */
export async function sortedObjects(q: KubeQuery, types: ObjectType[], path: FieldPath, format: ObjectFormat, limits: SortLimits): Promise<{ text: string; objects: number }> {
  const items: string[] = [];
  let bytes = 0;
  for (const t of types) {
    const sorted: Array<{ key: unknown; text: string }> = [];
    let cont: string | undefined;
    do {
      const page = await q.call((c) => c.listPage(t.res, { namespace: t.res.namespaced ? t.namespace : undefined, labelSelector: t.labelSelector, fieldSelector: t.fieldSelector, limit: limits.chunkSize, continue: cont }));
      for (const o of page.items) {
        const text = listItem(format, forDisplay({ ...o, apiVersion: o.apiVersion ?? t.res.groupVersion, kind: o.kind ?? t.res.kind }));
        bytes += Buffer.byteLength(text) + 1;
        if (bytes > limits.maxBytes) throw tooLong(q, t.res, `${formatBytes(limits.maxBytes)} of ${format.toUpperCase()} (kube.attachmentMaxBytes)`);
        sorted.push({ key: evaluatePath(o, path), text });
      }
      cont = page.continue;
    } while (cont);
    stableSortBy(sorted, (s) => s.key);
    items.push(...sorted.map((s) => s.text));
  }
  return { text: listDocument(format, items), objects: items.length };
}
