// Kubernetes resource quantities, enough for kubectl describe node's sums and percentages: parse to a
// milli-unit count, add, and print in the canonical form of the first operand's format (DecimalSI or BinarySI).

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

export interface Quantity {
  /** Value in thousandths of the unit (kubectl rounds up to milli-units). */
  milli: number;
  binary: boolean;
}

export const ZERO: Quantity = { milli: 0, binary: false };

const QUANTITY = /^([+-]?[0-9.]+)(?:(Ki|Mi|Gi|Ti|Pi|Ei)|(?:[eE]([+-]?\d+))|(n|u|m|k|M|G|T|P|E))?$/;

/** Whether the text reads as a quantity ("10", "1.5", "512Mi", "100m"): kubectl sorts such values by amount. */
export function isQuantity(s: string): boolean {
  return QUANTITY.test(s.trim()) && !Number.isNaN(Number(s.trim().match(QUANTITY)![1]));
}

export function parseQuantity(s: string | number | undefined | null): Quantity {
  if (s === undefined || s === null) return ZERO;
  const m = String(s).trim().match(QUANTITY);
  if (!m) return ZERO;
  const n = Number(m[1]);
  if (m[2]) return { milli: Math.ceil(n * BINARY[m[2]]! * 1000), binary: true };
  if (m[3]) return { milli: Math.ceil(n * 10 ** Number(m[3]) * 1000), binary: false };
  return { milli: Math.ceil(n * DECIMAL[m[4] ?? ""]! * 1000), binary: false };
}

export function addQuantities(a: Quantity, b: Quantity): Quantity {
  if (a.milli === 0 && !a.binary) return b.milli === 0 ? a : { milli: b.milli, binary: b.binary };
  return { milli: a.milli + b.milli, binary: a.binary };
}

/** Quantity.String(): canonical form. */
export function formatQuantity(q: Quantity): string {
  if (q.milli === 0) return "0";
  const neg = q.milli < 0 ? "-" : "";
  const milli = Math.abs(q.milli);
  if (q.binary && milli % 1000 === 0 && milli >= 1024 * 1000) {
    let v = milli / 1000;
    let i = 0;
    const suffixes = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"];
    while (v % 1024 === 0 && i < suffixes.length - 1) {
      v /= 1024;
      i++;
    }
    return `${neg}${v}${suffixes[i]}`;
  }
  if (milli % 1000 !== 0) return `${neg}${milli}m`;
  let v = milli / 1000;
  let i = 0;
  const suffixes = ["", "k", "M", "G", "T", "P", "E"];
  while (v % 1000 === 0 && i < suffixes.length - 1) {
    v /= 1000;
    i++;
  }
  return `${neg}${v}${suffixes[i]}`;
}

/** Value(): whole units, rounded up. */
export function quantityValue(q: Quantity): number {
  return Math.ceil(q.milli / 1000);
}
