import type { CommandContext } from "../../core/command.js";
import type { Reply } from "../../core/reply.js";
import { isGatewayError, type ApiResource, type KObject, type KubeTable } from "../../gateways/types.js";
import { dataReply, noteReply } from "./chat-output.js";
import { pagedGet, printTables, type PagedText, type PagedType } from "./paged-get.js";
import { pagedObjects, type ObjectType } from "./paged-objects.js";
import { boundedList, sortedObjects, sortedTable, stableSortBy, wholeTable, type SortLimits } from "./sorted-lists.js";
import { evaluatePath, type FieldPath } from "./jsonpath.js";
import { KubeQuery, contextLine } from "./kube-query.js";
import type { GetArgs } from "./parse-kube-args.js";
import { forDisplay } from "./redact-secret.js";
import { kindPrefix, renderTable } from "./render-table.js";
import { asList, toKubectlJson, toKubectlYaml } from "./serialize.js";
import { tabwrite } from "./tabwriter.js";

// /kube get: one server-side Table request per type (warm discovery), printed as kubectl prints it.

interface Resolved {
  res: ApiResource;
  names: string[];
}

export async function runGet(args: GetArgs, ctx: CommandContext): Promise<void> {
  const q = KubeQuery.open(ctx, { cluster: args.cluster, namespace: args.namespace });
  const namespace = args.allNamespaces ? undefined : q.namespaceOr(args.namespace);
  const named = args.requests.some((r) => r.names.length > 0);

  const resolved: Resolved[] = [];
  let multiType = args.multiType;
  for (const r of args.requests) {
    const { resources, category } = await q.resolveTypes(r.type, r.names.length > 0 ? "get" : "list");
    if (category) multiType = true;
    for (const res of resources) {
      const dup = resolved.find((x) => x.res.plural === res.plural && x.res.group === res.group);
      if (dup) dup.names.push(...r.names.filter((n) => !dup.names.includes(n)));
      else resolved.push({ res, names: [...new Set(r.names)] });
    }
  }
  for (const r of resolved) {
    await q.authorize(r.res, namespace);
    await q.authorizeNames(r.res, r.names);
  }
  ctx.audit({ namespace: namespace ?? "*", types: resolved.map((r) => r.res.plural) });

  const anyNamespaced = resolved.some((r) => r.res.namespaced);
  const context = contextLine(q.cluster, anyNamespaced ? (namespace ?? "all") : undefined);
  const typeLabel = args.requests.map((r) => r.type).join(",");
  const summaryBase = `get ${typeLabel}${namespace && anyNamespaced ? ` -n ${namespace}` : args.allNamespaces ? " -A" : ""} on ${q.cluster}`;
  const now = ctx.services.clock.now();
  let reply: Reply;

  if (args.output === "yaml" || args.output === "json") {
    const format = args.output;
    const filename = `kube-get-${fileSafe(typeLabel)}.${format}`;
    let text: string;
    let count: number;
    if (!named && !args.sortBy) {
      // Lists page; pagedObjects replies itself when the list is longer than the chat shows.
      const types = resolved.map((r): ObjectType => ({ res: r.res, namespace, labelSelector: args.selector, fieldSelector: args.fieldSelector }));
      const paged = await pagedObjects(ctx, q, types, { summaryBase, context, filename, format });
      if (!paged) return;
      if (paged.objects === 0 && namespace !== undefined && anyNamespaced) await q.requireNamespace(namespace);
      ({ text, objects: count } = paged);
    } else if (!named && args.sortBy) {
      const types = resolved.map((r): ObjectType => ({ res: r.res, namespace, labelSelector: args.selector, fieldSelector: args.fieldSelector }));
      const sorted = await sortedObjects(q, types, args.sortBy, format, sortLimits(ctx));
      if (sorted.objects === 0 && namespace !== undefined && anyNamespaced) await q.requireNamespace(namespace);
      ({ text, objects: count } = sorted);
    } else {
      const objects: KObject[] = [];
      for (const r of resolved) {
        const objs = await fetchObjects(q, r, namespace, args, sortLimits(ctx));
        if (args.sortBy) sortObjects(objs, args.sortBy);
        objects.push(...objs);
      }
      const single = !multiType && resolved.length === 1 && resolved[0]!.names.length === 1;
      const doc = single ? objects[0]! : asList(objects);
      text = format === "json" ? toKubectlJson(doc) : toKubectlYaml(doc);
      count = objects.length;
    }
    reply = dataReply({
      summary: `${summaryBase}: ${count} object${count === 1 ? "" : "s"}`,
      context,
      text,
      unit: "lines",
      filename,
      language: format,
    });
    return ctx.reply.send(reply);
  }

  const filename = `kube-get-${fileSafe(typeLabel)}.txt`;
  const printOf = (r: Resolved): PagedType["print"] =>
    args.output === "name" ? "name" : { wide: args.output === "wide", withNamespace: args.allNamespaces && r.res.namespaced, kindPrefix: multiType ? kindPrefix(r.res) : undefined, showLabels: args.showLabels, now };
  let printed: PagedText | undefined;
  if (!named && !args.sortBy) {
    // Lists page (kubectl's chunking); pagedGet replies itself when the list is longer than the chat shows.
    const types = resolved.map((r): PagedType => ({ res: r.res, print: printOf(r), namespace, labelSelector: args.selector, fieldSelector: args.fieldSelector }));
    printed = await pagedGet(ctx, q, types, { summaryBase, context, filename });
    if (!printed) return;
  } else if (!named && args.sortBy) {
    // --sort-by needs every row: kubectl turns chunking off; Tugboat pages within bounds (sorted-lists.ts).
    const path = args.sortBy;
    const tables = await Promise.all(resolved.map((r) => sortedTable(q, { res: r.res, namespace, labelSelector: args.selector, fieldSelector: args.fieldSelector }, path, sortLimits(ctx))));
    printed = printTables(resolved.map((r, i) => ({ table: tables[i]!, res: r.res, print: printOf(r) })));
  } else {
    // Names: one request each, as kubectl does.
    const tables = await Promise.all(resolved.map((r) => fetchTable(q, r, namespace, args, sortLimits(ctx))));
    if (args.sortBy) {
      for (let i = 0; i < tables.length; i++) await sortTable(q, resolved[i]!, tables[i]!, namespace, args, args.sortBy, sortLimits(ctx));
    }
    printed = printTables(resolved.map((r, i) => ({ table: tables[i]!, res: r.res, print: printOf(r) })));
  }

  if (printed.rows === 0) {
    if (!named && namespace !== undefined && anyNamespaced) await q.requireNamespace(namespace);
    const allNamespaced = !args.allNamespaces && resolved.every((r) => r.res.namespaced);
    const note = allNamespaced ? `No resources found in ${namespace} namespace.` : "No resources found";
    return ctx.reply.send(noteReply(`${summaryBase}: none`, context, note));
  }
  const noun = args.output === "name" ? "name" : "row";
  reply = dataReply({
    summary: `${summaryBase}: ${printed.rows} ${noun}${printed.rows === 1 ? "" : "s"}`,
    context,
    text: printed.text,
    unit: "rows",
    nonRowLines: printed.nonRowLines,
    filename,
  });
  await ctx.reply.send(reply);
}

/** Exported for the benchmark and tests: the kubectl text for tables already fetched. */
export { renderTable };

function fileSafe(s: string): string {
  return s.replace(/[^A-Za-z0-9.-]+/g, "-").slice(0, 60);
}

async function fetchTable(q: KubeQuery, r: Resolved, namespace: string | undefined, args: GetArgs, limits: SortLimits): Promise<KubeTable> {
  const ns = r.res.namespaced ? namespace : undefined;
  if (r.names.length === 0) return wholeTable(q, { res: r.res, namespace, labelSelector: args.selector, fieldSelector: args.fieldSelector }, limits);
  const tables = await Promise.all(
    r.names.map(async (name) => {
      const t = await q.callOr((c) => c.table(r.res, { namespace: ns, name }), "not-found");
      if (!t) return q.notFound(r.res, name, ns);
      return t;
    }),
  );
  const first = tables[0]!;
  return { columns: first.columns, serverTable: first.serverTable, rows: tables.flatMap((t) => t.rows) };
}

async function fetchObjects(q: KubeQuery, r: Resolved, namespace: string | undefined, args: GetArgs, limits: SortLimits): Promise<KObject[]> {
  const ns = r.res.namespaced ? namespace : undefined;
  const typed = (o: KObject): KObject => forDisplay({ ...o, apiVersion: o.apiVersion ?? r.res.groupVersion, kind: o.kind ?? r.res.kind });
  if (r.names.length === 0) {
    const items = await boundedList(q, { res: r.res, namespace, labelSelector: args.selector, fieldSelector: args.fieldSelector }, limits);
    if (items.length === 0 && ns !== undefined) await q.requireNamespace(ns);
    return items.map(typed);
  }
  return Promise.all(
    r.names.map(async (name) => {
      const o = await q.callOr((c) => c.get(r.res, name, ns), "not-found");
      if (!o) return q.notFound(r.res, name, ns);
      return typed(o);
    }),
  );
}

function objectKey(o: KObject | undefined): string {
  return `${o?.metadata?.namespace ?? ""}/${o?.metadata?.name ?? ""}`;
}

function sortObjects(objs: KObject[], path: FieldPath): void {
  stableSortBy(objs, (o) => evaluatePath(o, path));
}

function sortLimits(ctx: CommandContext): SortLimits {
  const { chunkSize, attachmentMaxRows, attachmentMaxBytes } = ctx.services.config.kube;
  return { chunkSize, maxRows: attachmentMaxRows, maxBytes: attachmentMaxBytes };
}

/** --sort-by on named objects' Table: metadata paths use the rows' own metadata; other paths fetch the objects once. */
async function sortTable(q: KubeQuery, r: Resolved, table: KubeTable, namespace: string | undefined, args: GetArgs, path: FieldPath, limits: SortLimits): Promise<void> {
  if (table.rows.length < 2) return;
  let lookup: (row: KubeTable["rows"][number]) => KObject | undefined = (row) => row.object;
  const metadataOnly = path.steps[0] === "metadata" && table.rows.every((row) => row.object?.metadata);
  if (!metadataOnly) {
    try {
      const objs = await fetchObjects(q, r, namespace, args, limits);
      const byKey = new Map(objs.map((o) => [objectKey(o), o]));
      lookup = (row) => byKey.get(objectKey(row.object)) ?? row.object;
    } catch (err) {
      if (!isGatewayError(err)) throw err;
    }
  }
  stableSortBy(table.rows, (row) => evaluatePath(lookup(row), path));
}
