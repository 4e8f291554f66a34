import { checkName, parseFlags, parseWholeNumber } from "../../core/args.js";
import { UsageError } from "../../core/errors.js";
import { parseTarget, type TargetSpec } from "../../domain/resolve-target.js";

// Grammar of the /deploy family. Parsing needs no configuration: names are checked for shape here and
// against the config when the command runs (unknown app or environment → usage error there).

export const DEPLOY_USAGE = "/deploy [APP] PR4812|#4812|BRANCH|SHA to ENV [--dry-run] [--force] [--queue [--auto]] [--break-glass REASON] [--reason REASON]";
export const STATUS_USAGE = "/deploy status [APP]";
export const HISTORY_USAGE = "/deploy history [APP] [ENV] [-n 10]";
export const LOCK_USAGE = "/deploy lock APP ENV [reason...]";
export const UNLOCK_USAGE = "/deploy unlock APP ENV";
export const WHERE_USAGE = "/deploy where [APP]";
export const ROLLBACK_USAGE = "/deploy rollback APP ENV";

export interface DeployArgs {
  app?: string;
  target: TargetSpec;
  targetText: string;
  env: string;
  dryRun: boolean;
  force: boolean;
  /** Join the environment's deploy queue when it is locked or busy, instead of being refused. */
  queue: boolean;
  /** With --queue: the queue starts the deploy when the turn comes. */
  auto: boolean;
  /** Deploy through a freeze, saying why (needs deploy:break-glass and an approval from someone else). */
  breakGlass?: string;
  /** Why (optional): goes to the GitHub deployment's description and the audit (givenReason). */
  reason?: string;
}

export function parseDeployArgs(words: string[]): DeployArgs {
  const u = DEPLOY_USAGE;
  const { positionals, flags } = parseFlags(
    words,
    { "dry-run": { kind: "boolean" }, force: { kind: "boolean" }, queue: { kind: "boolean" }, auto: { kind: "boolean" }, "break-glass": { kind: "string" }, reason: { kind: "string" } },
    u,
  );
  if (flags.auto === true && flags.queue !== true) throw new UsageError("--auto goes with --queue (the queue starts the deploy when your turn comes)", u);
  if (flags["dry-run"] === true && (flags.queue === true || flags["break-glass"] !== undefined)) throw new UsageError("a --dry-run changes nothing: leave out --queue and --break-glass", u);
  const breakGlass = typeof flags["break-glass"] === "string" ? flags["break-glass"].trim() : undefined;
  if (breakGlass !== undefined) {
    if (breakGlass === "") throw new UsageError("--break-glass needs a REASON (quote it when it has spaces)", u);
    checkLockReason(breakGlass, u);
  }
  const reason = typeof flags.reason === "string" ? flags.reason.trim() : undefined;
  if (reason !== undefined) {
    if (reason === "") throw new UsageError("--reason needs a REASON (quote it when it has spaces)", u);
    checkLockReason(reason, u);
  }
  const toAt = positionals.map((w) => w.toLowerCase()).lastIndexOf("to");
  if (positionals.length === 0) throw new UsageError("what should be deployed? Name a PR, branch or sha, and an environment", u);
  if (toAt < 0) {
    throw new UsageError(`missing \`to ENV\`: there is no default environment, so name one (e.g. \`/deploy ${positionals[0]} to staging\`)`, u);
  }
  const before = positionals.slice(0, toAt);
  const after = positionals.slice(toAt + 1);
  if (after.length === 0) throw new UsageError("missing the environment after `to`", u);
  if (after.length > 1) throw new UsageError(`unexpected words after the environment: ${after.slice(1).map((w) => `"${w}"`).join(" ")}`, u);
  if (before.length === 0) throw new UsageError("missing what to deploy before `to` (a PR such as PR4812, a branch or a sha)", u);
  if (before.length > 2) throw new UsageError(`too many words before \`to\`: ${before.map((w) => `"${w}"`).join(" ")} (expected [APP] TARGET)`, u);
  const app = before.length === 2 ? checkName(before[0]!, "app", u) : undefined;
  const targetText = before[before.length - 1]!;
  return {
    app,
    target: parseTarget(targetText, u),
    targetText,
    env: checkName(after[0]!, "environment", u),
    dryRun: flags["dry-run"] === true,
    force: flags.force === true,
    queue: flags.queue === true,
    auto: flags.auto === true,
    breakGlass,
    reason,
  };
}

function noFlags(words: string[], usage: string): string[] {
  return parseFlags(words, {}, usage).positionals;
}

export function parseStatusArgs(words: string[]): { app?: string } {
  const p = noFlags(words, STATUS_USAGE);
  if (p.length > 1) throw new UsageError(`unexpected words: ${p.slice(1).map((w) => `"${w}"`).join(" ")}`, STATUS_USAGE);
  return { app: p[0] !== undefined ? checkName(p[0], "app", STATUS_USAGE) : undefined };
}

export function parseWhereArgs(words: string[]): { app?: string } {
  const p = noFlags(words, WHERE_USAGE);
  if (p.length > 1) throw new UsageError(`unexpected words: ${p.slice(1).map((w) => `"${w}"`).join(" ")}`, WHERE_USAGE);
  return { app: p[0] !== undefined ? checkName(p[0], "app", WHERE_USAGE) : undefined };
}

export interface HistoryArgs {
  /** One or two names: [APP] [ENV]; which is which is decided against the config. */
  names: string[];
  limit: number;
}

export function parseHistoryArgs(words: string[]): HistoryArgs {
  const { positionals, flags } = parseFlags(words, { limit: { kind: "int", short: "n", min: 1, max: 100 } }, HISTORY_USAGE);
  if (positionals.length > 2) throw new UsageError(`unexpected words: ${positionals.slice(2).map((w) => `"${w}"`).join(" ")}`, HISTORY_USAGE);
  for (const w of positionals) checkName(w, "app", HISTORY_USAGE);
  return { names: positionals, limit: (flags.limit as number | undefined) ?? 10 };
}

export interface AppEnvArgs {
  app: string;
  env: string;
  reason?: string;
}

function appEnv(words: string[], usage: string, allowReason: boolean): AppEnvArgs {
  // Reasons are free text: flags are not parsed after APP ENV.
  const p = allowReason ? words : noFlags(words, usage);
  if (p.length < 2) throw new UsageError(p.length === 0 ? "missing APP and ENV" : "missing ENV (there is no default environment)", usage);
  if (p[0]!.startsWith("-") || p[1]!.startsWith("-")) throw new UsageError(`unknown flag ${p[0]!.startsWith("-") ? p[0] : p[1]}`, usage);
  if (!allowReason && p.length > 2) throw new UsageError(`unexpected words: ${p.slice(2).map((w) => `"${w}"`).join(" ")}`, usage);
  const reason = p.slice(2).join(" ").trim();
  checkLockReason(reason, usage);
  return { app: checkName(p[0]!, "app", usage), env: checkName(p[1]!, "environment", usage), reason: reason || undefined };
}

export const MAX_LOCK_REASON = 200;

/**
 * Lock reasons are shown to everyone refused and stored in a Lease annotation: at most 200 characters, and no
 * control or invisible formatting characters (bidirectional overrides, zero-width characters) that would make
 * the shown text differ from what was typed.
 */
export function checkLockReason(reason: string, usage: string): void {
  const length = [...reason].length;
  if (length > MAX_LOCK_REASON) throw new UsageError(`the reason is too long (${length} characters; at most ${MAX_LOCK_REASON})`, usage);
  const bad = reason.match(/[\p{Cc}\p{Cf}\p{Co}\p{Cn}\u2028\u2029]/u);
  if (bad) {
    const code = bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0");
    throw new UsageError(`the reason contains an invisible or control character (U+${code}); use plain text`, usage);
  }
}

export const parseLockArgs = (w: string[]) => appEnv(w, LOCK_USAGE, true);
export const parseUnlockArgs = (w: string[]) => appEnv(w, UNLOCK_USAGE, false);
export const parseRollbackArgs = (w: string[]) => appEnv(w, ROLLBACK_USAGE, false);

export { parseWholeNumber };
