// Plain text tables for code blocks: left-aligned columns separated by three spaces, as kubectl prints them,
// the last column unpadded and no trailing spaces. /kube prints server Tables with its exact port of Go's
// tabwriter (src/commands/kube/tabwriter.ts: minimum width 6, per-block columns, kubectl's trailing spaces);
// everything else uses this.

export function formatTable(header: string[], rows: string[][]): string {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? "").length)));
  return all.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join("   ").trimEnd()).join("\n");
}
