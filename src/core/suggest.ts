// "Did you mean …": the nearest names by edit distance, plus names that start with what was typed
// (pod names carry generated suffixes, so `unicorn` should point at `unicorn-7d9f8b6c5d-x2x4q`; `prod` at
// `production`). Used for commands, environments, namespaces and kube types.

export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length]!;
}

export function nearest(wanted: string, candidates: Iterable<string>, max = 3): string[] {
  const w = wanted.toLowerCase();
  const limit = Math.max(2, Math.floor(w.length / 3));
  const scored: Array<{ name: string; score: number }> = [];
  const seen = new Set<string>();
  for (const c of candidates) {
    if (seen.has(c)) continue;
    seen.add(c);
    const lc = c.toLowerCase();
    let score: number | undefined;
    if (lc.startsWith(w) && w.length >= 3) score = 0.5 + (lc.length - w.length) / 1000;
    else {
      const d = editDistance(w, lc);
      if (d <= limit) score = d;
    }
    if (score !== undefined) scored.push({ name: c, score });
  }
  scored.sort((a, b) => a.score - b.score || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return scored.slice(0, max).map((s) => s.name);
}

/** `` Did you mean `x`?`` or `` Did you mean `x`, `y` or `z`?``, or "" when nothing is close. `show` dresses a name (`/kube`). */
export function didYouMean(wanted: string, candidates: Iterable<string>, show: (name: string) => string = (name) => name): string {
  return suggestionOf(nearest(wanted, candidates).map(show));
}

/** The sentence for names already chosen (nearest() and then filtered, say). */
export function suggestionOf(names: string[]): string {
  if (names.length === 0) return "";
  const quoted = names.map((x) => `\`${x}\``);
  const list = quoted.length === 1 ? quoted[0] : `${quoted.slice(0, -1).join(", ")} or ${quoted[quoted.length - 1]}`;
  return ` Did you mean ${list}?`;
}
