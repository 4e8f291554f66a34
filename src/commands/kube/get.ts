import type { CommandContext } from "../../core/command.js";
import type { Reply } from "../../core/reply.js";
import { isGatewayError, type ApiResource, type KObject, type KubeTable } from "../../gateways/types.js";
import { dataReply, noteReply } from "./chat-output.js";
import { compareValues, evaluatePath, type FieldPath } from "./jsonpath.js";
import { KubeQuery, contextLine } from "./kube-query.js";
import type { GetArgs } from "./parse-kube-args.js";
import { forDisplay } from "./redact-secret.js";
import { kindPrefix, renderTable, tableCells } from "./render-table.js";
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

  const tables = await Promise.all(resolved.map((r) => fetchTable(q, r, namespace, args)));
  if (args.sortBy) {
    for (let i = 0; i < tables.length; i++) await sortTable(q, resolved[i]!, tables[i]!, namespace, args, args.sortBy);
  }
  const total = tables.reduce((n, t) => n + t.rows.length, 0);

  if (total === 0) {
    if (!named && namespace !== undefined && anyNamespaced) await q.requireNamespace(namespace);
    const allNamespaced = !args.allNamespaces && resolved.every((r) => r.res.namespaced);
    const note = allNamespaced ? `No resources found in ${namespace} namespace.` : "No resources found";
    return ctx.reply.send(noteReply(`${summaryBase}: none`, context, note));
  }

  if (args.output === "name") {
    const lines: string[] = [];
    resolved.forEach((r, i) => {
      const prefix = kindPrefix(r.res);
      for (const row of tables[i]!.rows) lines.push(`${prefix}/${rowName(tables[i]!, row)}`);
    });
    reply = dataReply({
      summary: `${summaryBase}: ${total} name${total === 1 ? "" : "s"}`,
      context,
      text: lines.join("\n"),
      unit: "rows",
      filename: `kube-get-${fileSafe(typeLabel)}.txt`,
    });
    return ctx.reply.send(reply);
  }

  // Tables, one per type, separated by a blank line as kubectl does; empty ones print nothing.
  const parts: string[] = [];
  const nonRows = new Set<number>();
  let lineNo = 0;
  resolved.forEach((r, i) => {
    const opts = {
      wide: args.output === "wide",
      withNamespace: args.allNamespaces && r.res.namespaced,
      kindPrefix: multiType ? kindPrefix(r.res) : undefined,
      now,
    };
    const cells = tableCells(tables[i]!, opts);
    if (cells.length === 0) return;
    if (parts.length > 0) nonRows.add(lineNo++); // the blank separator line
    nonRows.add(lineNo); // header
    lineNo += cells.length;
    parts.push(tabwrite(cells));
  });
  reply = dataReply({
    summary: `${summaryBase}: ${total} row${total === 1 ? "" : "s"}`,
    context,
    text: parts.join("\n\n"),
    unit: "rows",
    nonRowLines: nonRows,
    filename: `kube-get-${fileSafe(typeLabel)}.txt`,
  });
  await ctx.reply.send(reply);
}

/** Exported for the benchmark and tests: the kubectl text for tables already fetched. */
export { renderTable };

function fileSafe(s: string): string {
  return s.replace(/[^A-Za-z0-9.-]+/g, "-").slice(0, 60);
}

function rowName(table: KubeTable, row: KubeTable["rows"][number]): string {
  const fromObject = row.object?.metadata?.name;
  if (fromObject) return fromObject;
  const i = table.columns.findIndex((c) => c.format === "name");
  return String(row.cells[i >= 0 ? i : 0] ?? "");
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
