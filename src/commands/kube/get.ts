import type { CommandContext } from "../../core/command.js";
import type { Reply } from "../../core/reply.js";
import { isGatewayError, type ApiResource, type KObject, type KubeTable } from "../../gateways/types.js";
import { dataReply, noteReply } from "./chat-output.js";
import { pagedGet, printTables, type PagedText, type PagedType } from "./paged-get.js";
import { compareValues, evaluatePath, type FieldPath } from "./jsonpath.js";
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
  for (const r of resolved) await q.authorize(r.res, namespace);
  ctx.audit({ namespace: namespace ?? "*", types: resolved.map((r) => r.res.plural) });

  const anyNamespaced = resolved.some((r) => r.res.namespaced);
  const context = contextLine(q.cluster, anyNamespaced ? (namespace ?? "all") : undefined);
  const typeLabel = args.requests.map((r) => r.type).join(",");
  const summaryBase = `get ${typeLabel}${namespace && anyNamespaced ? ` -n ${namespace}` : args.allNamespaces ? " -A" : ""} on ${q.cluster}`;
  const now = ctx.services.clock.now();
  let reply: Reply;

  if (args.output === "yaml" || args.output === "json") {
    const objects: KObject[] = [];
    for (const r of resolved) {
      const objs = await fetchObjects(q, r, namespace, args);
      if (args.sortBy) sortObjects(objs, args.sortBy);
      objects.push(...objs);
    }
    const single = !multiType && resolved.length === 1 && resolved[0]!.names.length === 1;
    const doc = single ? objects[0]! : asList(objects);
    const text = args.output === "json" ? toKubectlJson(doc) : toKubectlYaml(doc);
    reply = dataReply({
      summary: `${summaryBase}: ${objects.length} object${objects.length === 1 ? "" : "s"}`,
      context,
      text,
      unit: "lines",
      filename: `kube-get-${fileSafe(typeLabel)}.${args.output}`,
      language: args.output,
    });
    return ctx.reply.send(reply);
  }

  const filename = `kube-get-${fileSafe(typeLabel)}.txt`;
  const printOf = (r: Resolved): PagedType["print"] =>
    args.output === "name" ? "name" : { wide: args.output === "wide", withNamespace: args.allNamespaces && r.res.namespaced, kindPrefix: multiType ? kindPrefix(r.res) : undefined, now };
  let printed: PagedText | undefined;
  if (!named && !args.sortBy) {
    // Lists page (kubectl's chunking); pagedGet replies itself when the list is longer than the chat shows.
    const types = resolved.map((r): PagedType => ({ res: r.res, print: printOf(r), namespace, labelSelector: args.selector, fieldSelector: args.fieldSelector }));
    printed = await pagedGet(ctx, q, types, { summaryBase, context, filename });
    if (!printed) return;
  } else {
    // Names, or --sort-by: kubectl asks for everything at once then (chunking off), and so does Tugboat.
    const tables = await Promise.all(resolved.map((r) => fetchTable(q, r, namespace, args)));
    if (args.sortBy) {
      for (let i = 0; i < tables.length; i++) await sortTable(q, resolved[i]!, tables[i]!, namespace, args, args.sortBy);
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

async function fetchTable(q: KubeQuery, r: Resolved, namespace: string | undefined, args: GetArgs): Promise<KubeTable> {
  const ns = r.res.namespaced ? namespace : undefined;
  if (r.names.length === 0) {
    return q.call((c) => c.table(r.res, { namespace: ns, labelSelector: args.selector, fieldSelector: args.fieldSelector }));
  }
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

async function fetchObjects(q: KubeQuery, r: Resolved, namespace: string | undefined, args: GetArgs): Promise<KObject[]> {
  const ns = r.res.namespaced ? namespace : undefined;
  const typed = (o: KObject): KObject => forDisplay({ ...o, apiVersion: o.apiVersion ?? r.res.groupVersion, kind: o.kind ?? r.res.kind });
  if (r.names.length === 0) {
    const { items } = await q.call((c) => c.list(r.res, { namespace: ns, labelSelector: args.selector, fieldSelector: args.fieldSelector }));
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

function stableSort<T>(items: T[], key: (t: T) => unknown): void {
  const decorated = items.map((item, i) => ({ item, i, k: key(item) }));
  decorated.sort((a, b) => compareValues(a.k, b.k) || a.i - b.i);
  decorated.forEach((d, i) => (items[i] = d.item));
}

function sortObjects(objs: KObject[], path: FieldPath): void {
  stableSort(objs, (o) => evaluatePath(o, path));
}

/** --sort-by on a Table: metadata paths use the rows' own metadata; other paths fetch the objects once. */
async function sortTable(q: KubeQuery, r: Resolved, table: KubeTable, namespace: string | undefined, args: GetArgs, path: FieldPath): Promise<void> {
  if (table.rows.length < 2) return;
  let lookup: (row: KubeTable["rows"][number]) => KObject | undefined = (row) => row.object;
  const metadataOnly = path.steps[0] === "metadata" && table.rows.every((row) => row.object?.metadata);
  if (!metadataOnly) {
    try {
      const objs = await fetchObjects(q, r, namespace, args);
      const byKey = new Map(objs.map((o) => [objectKey(o), o]));
      lookup = (row) => byKey.get(objectKey(row.object)) ?? row.object;
    } catch (err) {
      if (!isGatewayError(err)) throw err;
    }
  }
  stableSort(table.rows, (row) => evaluatePath(lookup(row), path));
}
