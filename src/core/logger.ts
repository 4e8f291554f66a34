// The logging surface commands and core code see. The winston implementation lives in src/infra/.
export interface Logger {
  debug(message: string, meta?: Record<string, unknown>): void;
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  error(message: string, meta?: Record<string, unknown>): void;
  child(meta: Record<string, unknown>): Logger;
}

export interface AuditEntry {
  requestId: string;
  actor: string;
  channel: string;
  command: string;
  decision: "allowed" | "denied" | "invalid" | "cancelled";
  /** "rolled-back": the change failed and was undone; "interrupted": Tugboat stopped following it (shutdown, lost lock). */
  /** "started": the entry written when an allowed command begins (its final entry follows). */
  outcome: "started" | "success" | "failure" | "rolled-back" | "interrupted" | "error" | "denied" | "invalid" | "cancelled";
  durationMs: number;
  permission?: string;
  reason?: string;
  /** Command-specific facts: forced gate, before/after replicas, sha... Never secret values. */
  details?: Record<string, unknown>;
}

export interface AuditLog {
  record(entry: AuditEntry): void;
  /** A command passed the policy and starts: so a process that dies mid-command still leaves a trace. */
  started?(entry: AuditEntry): void;
}

/** A logger that drops everything: for code paths that were given no logger on purpose. */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child() {
    return silentLogger;
  },
};
