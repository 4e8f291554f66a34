import type { ApiResource, KubeTable } from "../../gateways/types.js";
import { humanDuration, isTimestamp } from "../../domain/format/human-duration.js";
import { formatLabels } from "./describe-writer.js";
import { tabwrite } from "./tabwriter.js";

// Prints a server-side Table (meta.k8s.io/v1) exactly as kubectl's HumanReadablePrinter does: upper-case
// headers, priority>0 columns only with -o wide, NAMESPACE first with -A, `kind.group/name` when several types
// are printed, cells cut at the first line break, no header when there are no rows. No per-type code.

export interface TablePrintOptions {
  wide: boolean;
  withNamespace: boolean;
  /** `deployment.apps` style prefix for the name column (kubectl's --show-kind, implied by multi-type gets). */
  kindPrefix?: string;
  /** kubectl's --show-labels: a last LABELS column from each row's metadata. */
  showLabels?: boolean;
  now: Date;
}


/** kubectl's lower-cased GroupKind: `pod`, `deployment.apps`, `machinedeployment.cluster.x-k8s.io`. */
export function kindPrefix(res: Pick<ApiResource, "kind" | "group">): string {
  return (res.group ? `${res.kind}.${res.group}` : res.kind).toLowerCase();
}

/** Go's fmt.Sprint for the JSON values a Table cell can hold. */
export function goSprint(value: unknown): string {
  if (value === null || value === undefined) return "<nil>";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return `[${value.map(goSprint).join(" ")}]`;
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `map[${entries.map(([k, v]) => `${k}:${goSprint(v)}`).join(" ")}]`;
  }
  return String(value);
}

/** kubectl's printers.EscapeTerminal. */
function escapeTerminal(s: string): string {
  return s.replace(/\x1b/g, "^[").replace(/\r/g, "\\r");
}

/**
 * An Age column holding a raw timestamp (a server or fallback table that did not format it) is printed as an
 * age with kubectl's HumanDuration rules. Other date columns (the CRD list's "Created At") stay as sent, as
 * kubectl leaves them.
 */
function isAgeColumn(col: { name: string; type: string }): boolean {
  return col.type === "date" && col.name.toLowerCase() === "age";
}

function cellText(value: unknown, ageColumn: boolean, now: Date): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") {
    if (ageColumn && isTimestamp(value)) return humanDuration(now.getTime() - Date.parse(value));
    const brk = value.search(/[\f\n\r]/);
    return brk >= 0 ? escapeTerminal(value.slice(0, brk)) + "..." : escapeTerminal(value);
  }
  return escapeTerminal(goSprint(value));
}

/** Header and row cells as kubectl would lay them out, before tab alignment. Empty when there are no rows. */
export function tableCells(table: KubeTable, opts: TablePrintOptions): string[][] {
  if (table.rows.length === 0) return [];
  const visible: number[] = [];
  table.columns.forEach((c, i) => {
    if (opts.wide || c.priority === 0) visible.push(i);
  });
  const nameColumn = opts.kindPrefix ? table.columns.findIndex((c) => c.format === "name" && c.type === "string") : -1;
  const header = visible.map((i) => table.columns[i]!.name.toUpperCase());
  if (opts.withNamespace) header.unshift("NAMESPACE");
  if (opts.showLabels) header.push("LABELS");
  const lines: string[][] = [header];
  for (const row of table.rows) {
    const cells: string[] = [];
    if (opts.withNamespace) cells.push(escapeTerminal(row.object?.metadata?.namespace ?? ""));
    for (const i of visible) {
      if (i >= row.cells.length) break;
      const col = table.columns[i]!;
      let text = cellText(row.cells[i], isAgeColumn(col), opts.now);
      if (i === nameColumn) text = `${opts.kindPrefix}/${text}`;
      cells.push(text);
    }
    if (opts.showLabels) cells.push(escapeTerminal(formatLabels(row.object?.metadata?.labels)));
    lines.push(cells);
  }
  return lines;
}

/** The table as kubectl prints it, without a final newline; "" when there are no rows. */
export function renderTable(table: KubeTable, opts: TablePrintOptions): string {
  const cells = tableCells(table, opts);
  return cells.length === 0 ? "" : tabwrite(cells);
}
