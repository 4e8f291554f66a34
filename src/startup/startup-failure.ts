import { ConfigError } from "../config/load-config.js";
import { StartupError } from "../config/environment.js";

// A start that fails says, on one line, what is wrong and what to change: never a stack (LOG_LEVEL=debug adds it).

/** Thrown by a startup step that knows what the person should fix. */
export class FixableStartupError extends StartupError {}

/** Runs one startup step; a failure becomes a FixableStartupError whose message ends with `fix`. */
export async function startupStep<T>(step: () => Promise<T>, fix: (reason: string) => string): Promise<T> {
  try {
    return await step();
  } catch (err) {
    if (err instanceof StartupError || err instanceof ConfigError || listenFailure(err)) throw err;
    throw new FixableStartupError(fix(oneLine(err)));
  }
}

export function describeStartupFailure(err: unknown, opts: { debug: boolean }): string {
  // A config error lists one problem per line (README); the others are one line already.
  if (err instanceof StartupError || err instanceof ConfigError) return `tugboat: ${err.message}`;
  const listen = listenFailure(err);
  if (listen) {
    return `tugboat: cannot listen on port ${listen.port ?? "?"} (${listen.code === "EADDRINUSE" ? "already in use" : listen.code}): stop what uses it, or set PORT (SANDBOX_KUBE_PORT and SANDBOX_GITHUB_PORT for the sandbox) to a free port.`;
  }
  const line = `tugboat: failed to start: ${oneLine(err)}`;
  return opts.debug && err instanceof Error && err.stack ? `${line}\n${err.stack}` : `${line} (LOG_LEVEL=debug shows where)`;
}

function listenFailure(err: unknown): { code: string; port?: number } | undefined {
  const e = err as NodeJS.ErrnoException & { port?: number; syscall?: string };
  if (e && (e.code === "EADDRINUSE" || (e.code === "EACCES" && e.syscall === "listen"))) return { code: e.code, port: e.port };
  return undefined;
}

/** The message alone, its lines joined: a wrapped error's cause stays readable in one line. */
function oneLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.replace(/\s*\n\s*/g, " ").trim();
}
