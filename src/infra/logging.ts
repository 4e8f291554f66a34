import winston from "winston";
import type { AuditEntry, AuditLog, Logger } from "../core/logger.js";
import { noticeTransport } from "./notice-transport.js";

// winston JSON logs. A redaction format runs on every line, so tokens and secret values never reach a log.

const SECRET_KEY = /(token|secret|password|passwd|authorization|private[_-]?key|signing|credential|cookie|^data$|^stringData$)/i;
const TOKEN_SHAPES = [
  /xox[abposr]-[A-Za-z0-9-]{6,}/g, // Slack bot/user tokens
  /xapp-[A-Za-z0-9-]{6,}/g, // Slack app tokens
  /gh[pousr]_[A-Za-z0-9]{16,}/g, // GitHub tokens
  /github_pat_[A-Za-z0-9_]{16,}/g,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
  /(Bearer|token)\s+[A-Za-z0-9._~+/-]{8,}=*/gi,
];

/** Values that must never be printed (tokens from the environment, Secret values read at run time). */
export class SecretRegistry {
  private readonly values = new Set<string>();
  add(value: string | undefined): void {
    if (value && value.length >= 4) this.values.add(value);
  }
  scrub(text: string): string {
    let out = text;
    for (const v of this.values) if (out.includes(v)) out = out.split(v).join("[redacted]");
    for (const re of TOKEN_SHAPES) out = out.replace(re, "[redacted]");
    return out;
  }
}

export function redact(value: unknown, secrets: SecretRegistry, depth = 0): unknown {
  if (typeof value === "string") return secrets.scrub(value);
  if (value === null || typeof value !== "object") return value;
  // Past this depth nothing is walked, so nothing is printed: an unwalked object could hold anything.
  if (depth > 8) return "[too deep]";
  if (Array.isArray(value)) return value.map((v) => redact(v, secrets, depth + 1));
  const out: Record<string, unknown> = {};
  // An Error's message and stack are not enumerable; keep them (scrubbed) next to its own fields.
  const entries: Array<[string, unknown]> =
    value instanceof Error ? [["name", value.name], ["message", value.message], ["stack", value.stack], ...Object.entries(value)] : Object.entries(value);
  for (const [k, v] of entries) {
    out[k] = SECRET_KEY.test(k) && v !== undefined && v !== null && typeof v !== "boolean" ? "[redacted]" : redact(v, secrets, depth + 1);
  }
  return out;
}

function redactFormat(secrets: SecretRegistry) {
  return winston.format((info) => {
    for (const key of Object.keys(info)) {
      const v = (info as Record<string, unknown>)[key];
      (info as Record<string, unknown>)[key] = SECRET_KEY.test(key) ? "[redacted]" : redact(v, secrets);
    }
    if (typeof info.message === "string") info.message = secrets.scrub(info.message);
    return info;
  })();
}

/**
 * Log calls after close() are dropped: the transports are ended, and a late line must not crash the exit. A line below
 * every transport's level is dropped before winston formats it: winston runs the formats (timestamp, the redaction's
 * walk, JSON) on every line and leaves the level to the transports, which cost each command its info lines at
 * LOG_LEVEL=warn.
 */
class WinstonLogger implements Logger {
  constructor(
    private readonly w: winston.Logger,
    private readonly state: { closed: boolean },
  ) {}
  debug(message: string, meta?: Record<string, unknown>) { if (this.writes("debug")) this.w.debug(message, meta); }
  info(message: string, meta?: Record<string, unknown>) { if (this.writes("info")) this.w.info(message, meta); }
  warn(message: string, meta?: Record<string, unknown>) { if (this.writes("warn")) this.w.warn(message, meta); }
  error(message: string, meta?: Record<string, unknown>) { if (this.writes("error")) this.w.error(message, meta); }
  private writes(level: string): boolean { return !this.state.closed && this.w.isLevelEnabled(level); }
  child(meta: Record<string, unknown>): Logger { return new WinstonLogger(this.w.child(meta), this.state); }
}

export interface LoggingOptions {
  level: string;
  secrets: SecretRegistry;
  /** Where operational logs go. Default: stderr (stdout is the terminal adapter's). */
  stream?: NodeJS.WritableStream;
  /** Operational logs go to this file instead of `stream` (the terminal: the conversation owns the screen). */
  logFile?: string;
  /** Warnings and errors from outside any command (background tasks) also print here, one human line each. */
  noticeStream?: NodeJS.WritableStream;
  /** Audit log file; default is a tagged stream on `auditStream` (stdout for Slack mode). */
  auditFile?: string;
  auditStream?: NodeJS.WritableStream;
}

export interface Logging {
  logger: Logger;
  audit: AuditLog;
  /** Hands every line written so far to the transports, ends them and waits until they finish (bounded). */
  close(timeoutMs?: number): Promise<void>;
}

export function createLogging(opts: LoggingOptions): Logging {
  const format = winston.format.combine(
    winston.format.timestamp(),
    winston.format.errors({ stack: true }),
    redactFormat(opts.secrets),
    winston.format.json(),
  );
  const transports: winston.transport[] = [
    opts.logFile ? new winston.transports.File({ filename: opts.logFile }) : new winston.transports.Stream({ stream: opts.stream ?? process.stderr }),
  ];
  if (opts.noticeStream) transports.push(noticeTransport(opts.noticeStream));
  const main = winston.createLogger({ level: opts.level, format, defaultMeta: { service: "tugboat" }, transports });
  // The audit trail has its own container and transport, so its destination is independent of the log level.
  const container = new winston.Container();
  const auditTransport = opts.auditFile
    ? new winston.transports.File({ filename: opts.auditFile })
    : new winston.transports.Stream({ stream: opts.auditStream ?? process.stdout });
  const audit = container.add("audit", {
    level: "info",
    format,
    defaultMeta: { log: "audit" },
    transports: [auditTransport],
  });
  const state = { closed: false };
  return {
    logger: new WinstonLogger(main, state),
    audit: {
      record: (entry: AuditEntry) => void (state.closed || audit.info("audit", { ...entry })),
      started: (entry: AuditEntry) => void (state.closed || audit.info("audit", { ...entry })),
    },
    close: async (timeoutMs = 5_000) => {
      if (state.closed) return;
      state.closed = true;
      const deadline = Date.now() + timeoutMs;
      await Promise.all([main, audit].map((l) => closeLogger(l, deadline)));
    },
  };
}

/**
 * winston's own logger.end() ends the transports while lines may still wait in the logger's buffers, and the pipe then
 * writes them into an ended File transport: "write after end", a crash at exit (winstonjs/winston#2219). So: wait until
 * the logger has handed every line to its transports, unpipe them, end each and wait for its 'finish'.
 */
async function closeLogger(l: winston.Logger, deadline: number): Promise<void> {
  while ((l.writableLength > 0 || l.readableLength > 0) && Date.now() < deadline) await pause(2);
  await Promise.all(
    l.transports.map((t) => {
      l.unpipe(t);
      return new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
        const done = () => (clearTimeout(timer), resolve());
        t.once("finish", done);
        t.once("error", done);
        t.end();
      });
    }),
  );
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
