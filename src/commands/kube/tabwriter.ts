// Go's text/tabwriter as kubectl configures it (printers.GetNewTabWriter): minwidth 6, padding 3, pad with
// spaces, cells terminated by tabs. The last cell of a line belongs to no column and is never padded, so
// lines carry no trailing spaces unless a padded cell is followed by an empty last cell (kubectl does the same).

export interface TabwriterSettings {
  minWidth: number;
  padding: number;
}

/** kubectl get's printers.GetNewTabWriter. */
export const KUBECTL_GET: TabwriterSettings = { minWidth: 6, padding: 3 };
/** kubectl describe's tabbedString. */
export const KUBECTL_DESCRIBE: TabwriterSettings = { minWidth: 0, padding: 2 };

/** Width as tabwriter counts it: runes (code points), not display columns. */
function runeCount(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/**
 * Lays out lines of cells. Each inner array is one line; every cell but the last is tab-terminated.
 * Column widths are computed per block of consecutive lines that have a cell in that column, as Go does.
 * Memory stays at the output plus one width per column block (a 50,000-row attachment is laid out here).
 */
export function tabwrite(lines: string[][], settings: TabwriterSettings = KUBECTL_GET): string {
  const maxCols = lines.reduce((m, cells) => Math.max(m, cells.length - 1), 0);
  // blocks[col]: [firstLine, endLine, width] runs of consecutive lines with a tab-terminated cell in `col`
  const blocks: Array<Array<[number, number, number]>> = [];
  for (let col = 0; col < maxCols; col++) {
    const runs: Array<[number, number, number]> = [];
    let line = 0;
    while (line < lines.length) {
      if (lines[line]!.length - 1 <= col) {
        line++;
        continue;
      }
      const start = line;
      let width = settings.minWidth;
      while (line < lines.length && lines[line]!.length - 1 > col) {
        width = Math.max(width, runeCount(lines[line]![col]!) + settings.padding);
        line++;
      }
      runs.push([start, line, width]);
    }
    blocks.push(runs);
  }
  const at = new Array<number>(maxCols).fill(0); // each column's current block, as lines advance
  const out: string[] = [];
  for (let l = 0; l < lines.length; l++) {
    const cells = lines[l]!;
    const parts: string[] = [];
    for (let c = 0; c < cells.length; c++) {
      parts.push(cells[c]!);
      if (c < cells.length - 1) {
        const runs = blocks[c]!;
        while (runs[at[c]!]![1] <= l) at[c]!++;
        parts.push(" ".repeat(runs[at[c]!]![2] - runeCount(cells[c]!)));
      }
    }
    // joined, not concatenated: one flat string per line instead of a rope of every cell and pad
    out.push(parts.join(""));
  }
  return out.join("\n");
}
