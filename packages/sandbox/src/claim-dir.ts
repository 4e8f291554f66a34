import { closeSync, mkdirSync, openSync, readFileSync, rmdirSync, rmSync, unlinkSync, writeSync } from "node:fs";
import { join, relative } from "node:path";

// Which running sandbox owns .sandbox/kubeconfig and .sandbox/env. Two sandboxes writing the same files leave one of
// them pointing at dead ports, so the first one to start writes `owner.json` (created exclusively) and later ones
// either refuse (`npm run sandbox`) or write their own files under .sandbox/embedded/<pid>/ (the embedded sandbox of
// `npm start`). An owner whose process has died no longer counts.

export const OWNER_FILE = "owner.json";

export interface SandboxOwner {
  pid: number;
  /** What runs it: "npm run sandbox", "npm start". */
  owner: string;
  started: string;
}

export class SandboxBusyError extends Error {
  constructor(
    readonly dir: string,
    readonly holder: SandboxOwner,
  ) {
    super(
      `${shown(dir)} belongs to a running sandbox (${holder.owner}, pid ${holder.pid}): stop that one first, or use it (\`. ${shown(join(dir, "env"))} && npm start\`). ` +
        `If no sandbox is running, delete ${shown(join(dir, OWNER_FILE))}.`,
    );
    this.name = "SandboxBusyError";
  }
}

export interface DirClaim {
  /** Where this sandbox writes its kubeconfig and env. */
  dir: string;
  /** Set when `dir` is not the one asked for, because that one belongs to another running sandbox. */
  busy?: { dir: string; holder: SandboxOwner };
  /** Gives the directory back: the owner file goes; a private directory goes entirely (its files point at nothing). */
  release(): void;
}

export function claimSandboxDir(outDir: string, owner: string, whenBusy: "refuse" | "own-dir"): DirClaim {
  const holder = tryClaim(outDir, owner);
  if (!holder) return { dir: outDir, release: () => releaseOwner(outDir) };
  if (whenBusy === "refuse") throw new SandboxBusyError(outDir, holder);
  const own = join(outDir, "embedded", String(process.pid));
  rmSync(own, { recursive: true, force: true });
  mkdirSync(own, { recursive: true });
  const release = () => {
    rmSync(own, { recursive: true, force: true });
    try {
      rmdirSync(join(outDir, "embedded"));
    } catch {
      // Another embedded sandbox still has its files there.
    }
  };
  return { dir: own, busy: { dir: outDir, holder }, release };
}

/** Claims `dir`; returns the live owner instead when there is one. */
function tryClaim(dir: string, owner: string): SandboxOwner | undefined {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, OWNER_FILE);
  const me: SandboxOwner = { pid: process.pid, owner, started: new Date().toISOString() };
  // Two attempts: the second after removing an owner file left by a process that died.
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, "wx");
      writeSync(fd, JSON.stringify(me) + "\n");
      closeSync(fd);
      return undefined;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    const current = readOwner(path);
    if (current && isAlive(current.pid)) return current;
    rmSync(path, { force: true });
  }
  return readOwner(path) ?? { pid: 0, owner: "unknown", started: "" };
}

function releaseOwner(dir: string): void {
  const path = join(dir, OWNER_FILE);
  if (readOwner(path)?.pid === process.pid) {
    try {
      unlinkSync(path);
    } catch {
      // Already gone.
    }
  }
}

export function readOwner(path: string): SandboxOwner | undefined {
  try {
    const parsed = JSON.parse(readFileSync(path, "utf8")) as Partial<SandboxOwner>;
    if (typeof parsed.pid !== "number" || !Number.isInteger(parsed.pid) || parsed.pid <= 0) return undefined;
    return { pid: parsed.pid, owner: typeof parsed.owner === "string" ? parsed.owner.slice(0, 40) : "a sandbox", started: String(parsed.started ?? "") };
  } catch {
    return undefined;
  }
}

/** Signal 0 checks that the process exists; EPERM means it does, under another user. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith("..") ? rel : path;
}
