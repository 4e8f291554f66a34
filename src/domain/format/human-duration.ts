// kubectl's age formatting (apimachinery's duration.HumanDuration): 45s, 5m12s, 14m, 3h20m, 9h, 3d4h, 12d, 2y30d.
// The one duration format of Tugboat's replies: /kube, /nodes, /deploy, /canary and /reviewlab ages, expiries and
// lock times all use it. (the sandbox package keeps its own copy: the sandbox plays the API server and imports nothing of Tugboat.)

/** Formats a duration in milliseconds the way kubectl prints ages. */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < -1) return "<invalid>";
  if (seconds < 0) return "0s";
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.trunc(seconds / 60);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.trunc(minutes / 60);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.trunc(hours / 24)}d` : `${Math.trunc(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const dy = Math.trunc(hours / 24) % 365;
    const y = Math.trunc(hours / 24 / 365);
    return dy === 0 ? `${y}y` : `${y}y${dy}d`;
  }
  return `${Math.trunc(hours / 24 / 365)}y`;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** kubectl's translateTimestampSince: "<unknown>" for a missing time, else the human age. */
export function ageSince(timestamp: string | undefined | null, now: Date): string {
  if (!timestamp) return "<unknown>";
  const t = Date.parse(timestamp);
  if (Number.isNaN(t)) return "<unknown>";
  return humanDuration(now.getTime() - t);
}

/** True for an RFC 3339 timestamp such as 2024-05-01T10:00:00Z. */
export function isTimestamp(value: unknown): value is string {
  return typeof value === "string" && RFC3339.test(value) && !Number.isNaN(Date.parse(value));
}

/** An instant to the minute, for deadlines in replies: "2026-01-01 01:00 UTC". */
export function utcMinute(at: Date | string): string {
  return new Date(at).toISOString().slice(0, 16).replace("T", " ") + " UTC";
}
