import winston from "winston";

// The terminal's view of the log: a warning or error from outside any command (the review-lab reaper, the canary
// watcher) as one human line on stderr. Lines about a command (they carry a requestId) stay in the log file: the
// command's own reply already tells the person what happened.

const LINE_MAX = 400;
/** winston's (triple-beam's) key for the formatted line a transport writes. */
const MESSAGE = Symbol.for("message");
const NOT_SHOWN = new Set(["level", "message", "timestamp", "service", "task", "stack"]);

/** One line: `tugboat warning: <message> (key: value, …)`, control characters escaped, at most LINE_MAX characters. */
export function noticeLine(info: Record<string, unknown>): string {
  const facts = Object.entries(info)
    .filter(([k, v]) => !NOT_SHOWN.has(k) && v !== undefined)
    .map(([k, v]) => `${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`);
  const level = info.level === "error" ? "error" : "warning";
  const line = `tugboat ${level}: ${String(info.message)}${facts.length > 0 ? ` (${facts.join(", ")})` : ""}`;
  const safe = line.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu, " ");
  return safe.length > LINE_MAX ? `${safe.slice(0, LINE_MAX - 1)}…` : safe;
}

const backgroundOnly = winston.format((info) => {
  if (info.requestId !== undefined) return false;
  (info as unknown as Record<symbol, unknown>)[MESSAGE] = noticeLine(info as unknown as Record<string, unknown>);
  return info;
});

/** Warnings and errors only; the logger's redaction has already run on every field. */
export function noticeTransport(stream: NodeJS.WritableStream): winston.transport {
  return new winston.transports.Stream({ stream, level: "warn", format: backgroundOnly() });
}
