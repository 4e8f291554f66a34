import { randomBytes, randomUUID } from "node:crypto";

export function clone<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

export function deepEqual(a: any, b: any): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  const ka = Object.keys(a).filter((k) => a[k] !== undefined);
  const kb = Object.keys(b).filter((k) => b[k] !== undefined);
  if (ka.length !== kb.length) return false;
  for (const k of ka) if (!deepEqual(a[k], b[k])) return false;
  return true;
}

export function isPlainObject(v: unknown): v is Record<string, any> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function uid(): string {
  return randomUUID();
}

let randPool = Buffer.alloc(0);
let randPos = 0;

/** `randomBytes(n).toString("hex")` served from a pooled buffer (one syscall per 4 KiB, not per call) */
export function randomHex(n: number): string {
  if (randPos + n > randPool.length) {
    randPool = randomBytes(Math.max(4096, n));
    randPos = 0;
  }
  const s = randPool.toString("hex", randPos, randPos + n);
  randPos += n;
  return s;
}

const SAFE = "bcdfghjklmnpqrstvwxz2456789";

/** like k8s.io/apimachinery/pkg/util/rand.String */
export function randSuffix(n = 5): string {
  let s = "";
  for (let i = 0; i < n; i++) s += SAFE[Math.floor(Math.random() * SAFE.length)];
  return s;
}

/** like rand.SafeEncodeString */
export function safeEncode(s: string): string {
  let out = "";
  for (const ch of s) out += SAFE[ch.charCodeAt(0) % SAFE.length];
  return out;
}

/** FNV-1a 32 bit */
export function fnv32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** stable JSON (sorted keys) */
export function stableStringify(v: any): string {
  if (v === null || typeof v !== "object") return JSON.stringify(v);
  if (Array.isArray(v)) return "[" + v.map(stableStringify).join(",") + "]";
  return "{" + Object.keys(v).filter((k) => v[k] !== undefined).sort().map((k) => JSON.stringify(k) + ":" + stableStringify(v[k])).join(",") + "}";
}

let isoSec = NaN;
let isoStr = "";

export function isoNow(at: number = Date.now()): string {
  const sec = Math.floor(at / 1000);
  if (sec !== isoSec) {
    isoStr = new Date(sec * 1000).toISOString().replace(".000Z", "Z");
    isoSec = sec;
  }
  return isoStr;
}

export function isoMicro(at: number = Date.now()): string {
  return new Date(at).toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}

/** k8s.io/apimachinery/pkg/util/duration.HumanDuration */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return "<invalid>";
  if (seconds < 0) return "0s";
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const dy = Math.floor(hours / 24) % 365;
    return dy === 0 ? `${Math.floor(hours / 24 / 365)}y` : `${Math.floor(hours / 24 / 365)}y${dy}d`;
  }
  return `${Math.floor(hours / 24 / 365)}y`;
}

export function ageOf(ts: string | undefined, now = Date.now()): string {
  if (!ts) return "<unknown>";
  const t = Date.parse(ts);
  if (Number.isNaN(t)) return "<unknown>";
  return humanDuration(now - t);
}

export function getPath(obj: any, path: string): any {
  let cur = obj;
  for (const p of path.split(".").filter(Boolean)) {
    if (cur === null || cur === undefined) return undefined;
    cur = cur[p];
  }
  return cur;
}

/** resolve an IntOrString percentage against a total */
export function intOrPercent(v: any, total: number, roundUp: boolean): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === "number") return v;
  const s = String(v);
  if (s.endsWith("%")) {
    const p = parseInt(s.slice(0, -1), 10);
    const x = (p * total) / 100;
    return roundUp ? Math.ceil(x) : Math.floor(x);
  }
  return parseInt(s, 10) || 0;
}

/** glob match supporting "*" and "?" */
export function globMatch(pattern: string, s: string): boolean {
  if (!pattern.includes("*") && !pattern.includes("?")) return pattern === s;
  const re = new RegExp("^" + pattern.split("").map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\]/g, "\\$&"))).join("") + "$");
  return re.test(s);
}

/** typed Kubernetes objects treat JSON null as "unset": drop nulls recursively (keeps nulls inside arrays) */
export function dropNulls(v: any): any {
  if (Array.isArray(v)) return v.map(dropNulls);
  if (!isPlainObject(v)) return v;
  const out: any = {};
  for (const [k, x] of Object.entries(v)) {
    if (x === null || x === undefined) continue;
    out[k] = dropNulls(x);
  }
  return out;
}
