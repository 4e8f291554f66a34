import { LogLevel, type Logger as BoltLogger } from "@slack/bolt";
import type { Logger } from "../../core/logger.js";

// Bolt and the WebClient log through this bridge into Tugboat's logger. Debug lines are dropped unless asked for
// (they carry request bodies), and every line is scrubbed of the tokens and the signing secret.

const TOKEN_SHAPE = /\b(xox[abposr]-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+)/g;
const ORDER: LogLevel[] = [LogLevel.DEBUG, LogLevel.INFO, LogLevel.WARN, LogLevel.ERROR];

export function createBoltLogger(log: Logger, secrets: Array<string | undefined>, level: LogLevel = LogLevel.INFO): BoltLogger {
  const known = secrets.filter((s): s is string => typeof s === "string" && s.length >= 4);
  let current = level;
  const scrub = (text: string) => {
    let out = text;
    for (const s of known) out = out.split(s).join("[redacted]");
    return out.replace(TOKEN_SHAPE, "[redacted]");
  };
  const line = (msg: unknown[]) =>
    scrub(
      msg
        .map((m) => (m instanceof Error ? m.message : typeof m === "string" ? m : safeJson(m)))
        .join(" ")
        .slice(0, 2000),
    );
  const enabled = (l: LogLevel) => ORDER.indexOf(l) >= ORDER.indexOf(current);
  const child = log.child({ component: "bolt" });
  return {
    debug: (...msg: unknown[]) => void (enabled(LogLevel.DEBUG) && child.debug(line(msg))),
    info: (...msg: unknown[]) => void (enabled(LogLevel.INFO) && child.info(line(msg))),
    warn: (...msg: unknown[]) => void (enabled(LogLevel.WARN) && child.warn(line(msg))),
    error: (...msg: unknown[]) => void (enabled(LogLevel.ERROR) && child.error(line(msg))),
    setLevel: (l: LogLevel) => void (current = l),
    getLevel: () => current,
    setName: () => {},
  };
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
}
