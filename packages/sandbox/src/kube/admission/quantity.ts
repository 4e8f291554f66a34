// resource.Quantity parsing and printing, enough for quota arithmetic (cpu in millicores, memory in bytes).

const SUFFIX: Record<string, number> = {
  "": 1, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

/** the quantity's value in base units (cores, bytes, counts); NaN when it does not parse */
export function parseQuantity(q: unknown): number {
  if (typeof q === "number") return q;
  const m = /^([+-]?[0-9.]+)(?:([eE][-+]?[0-9]+)|([a-zA-Z]*))$/.exec(String(q ?? ""));
  if (!m) return NaN;
  if (m[2]) return parseFloat(m[1] + m[2]);
  const f = SUFFIX[m[3] ?? ""];
  return f === undefined ? NaN : parseFloat(m[1]) * f;
}

/** canonical-looking form: cpu as cores or millicores, memory in binary units when exact, counts bare */
export function formatQuantity(resource: string, v: number): string {
  if (/cpu$/.test(resource)) {
    const milli = Math.round(v * 1000);
    return milli % 1000 === 0 ? String(milli / 1000) : `${milli}m`;
  }
  if (/memory$|storage$/.test(resource)) {
    for (const [s, f] of [["Gi", 2 ** 30], ["Mi", 2 ** 20], ["Ki", 2 ** 10]] as const) if (v >= f && v % f === 0) return `${v / f}${s}`;
    return String(Math.round(v));
  }
  return String(Math.round(v));
}
