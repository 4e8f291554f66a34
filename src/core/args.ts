import { UsageError } from "./errors.js";
import { getOwn } from "./own-keys.js";

// Shell-like tokenizing and flag parsing shared by every command's grammar.

export const MAX_COMMAND_LENGTH = 1000;

/**
 * Splits a command line like a shell would: whitespace separates, quotes group, backslash escapes.
 * A quote that is never closed is taken literally, so chat prose such as `don't` still works.
 */
export function tokenize(line: string): string[] {
  const tokens: string[] = [];
  let current = "";
  let inToken = false;
  let quote: '"' | "'" | null = null;
  let quoteStart = -1;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quote) {
      if (ch === quote) quote = null;
      else if (ch === "\\" && quote === '"' && i + 1 < line.length) current += line[++i];
      else current += ch;
      continue;
    }
    if (ch === '"' || ch === "'") {
      quote = ch;
      quoteStart = i;
      inToken = true;
    } else if (ch === "\\" && i + 1 < line.length) {
      current += line[++i];
      inToken = true;
    } else if (/\s/.test(ch)) {
      if (inToken) tokens.push(current);
      current = "";
      inToken = false;
    } else {
      current += ch;
      inToken = true;
    }
  }
  if (quote) return tokenize(line.slice(0, quoteStart) + "\\" + line.slice(quoteStart));
  if (inToken) tokens.push(current);
  return tokens;
}

/** Rejects what no command accepts: control characters and absurd lengths. */
export function checkLine(line: string): void {
  if (line.length > MAX_COMMAND_LENGTH) {
    throw new UsageError(`command is too long (${line.length} characters; at most ${MAX_COMMAND_LENGTH})`);
  }
  // Tabs are ordinary whitespace; every other control character is refused.
  const control = line.match(/[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u);
  if (control) {
    const code = control[0].codePointAt(0)!.toString(16).padStart(4, "0");
    throw new UsageError(`command contains a control character (U+${code.toUpperCase()})`);
  }
}

export type FlagKind = "string" | "boolean" | "int";

export interface FlagSpec {
  kind: FlagKind;
  /** Single-letter alias without the dash, e.g. "n" for -n. */
  short?: string;
  min?: number;
  max?: number;
}

export type FlagSpecs = Record<string, FlagSpec>;

export interface ParsedArgs {
  positionals: string[];
  flags: Record<string, string | boolean | number | undefined>;
}

/**
 * Parses `--name value`, `--name=value`, `-n value`, `-nvalue`, and boolean `--flag`.
 * Unknown flags, missing values and malformed numbers are usage errors naming the flag.
 */
export function parseFlags(tokens: string[], specs: FlagSpecs, usage?: string, rejected: Record<string, string> = {}): ParsedArgs {
  const positionals: string[] = [];
  const flags: ParsedArgs["flags"] = {};
  const byShort = new Map<string, string>();
  for (const [name, spec] of Object.entries(specs)) if (spec.short) byShort.set(spec.short, name);

  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i]!;
    if (tok === "--") {
      positionals.push(...tokens.slice(i + 1));
      break;
    }
    if (!tok.startsWith("-") || tok === "-" || /^-\d/.test(tok)) {
      positionals.push(tok);
      continue;
    }
    let name: string;
    let inline: string | undefined;
    if (tok.startsWith("--")) {
      const eq = tok.indexOf("=");
      name = eq >= 0 ? tok.slice(2, eq) : tok.slice(2);
      inline = eq >= 0 ? tok.slice(eq + 1) : undefined;
    } else {
      const short = tok.slice(1, 2);
      const long = byShort.get(short);
      if (!long) throw new UsageError(`unknown flag ${tok}`, usage);
      name = long;
      const rest = tok.slice(2);
      inline = rest.startsWith("=") ? rest.slice(1) : rest.length > 0 ? rest : undefined;
    }
    // Own keys only: `--constructor` must be an unknown flag, not Object.prototype's member.
    const refusal = getOwn(rejected, name);
    if (refusal) throw new UsageError(refusal, usage);
    const spec = getOwn(specs, name);
    if (!spec) throw new UsageError(`unknown flag --${name}`, usage);
    if (spec.kind === "boolean") {
      if (inline !== undefined && !["true", "false"].includes(inline)) {
        throw new UsageError(`--${name} takes no value`, usage);
      }
      flags[name] = inline === undefined ? true : inline === "true";
      continue;
    }
    let value = inline;
    if (value === undefined) {
      const next = tokens[i + 1];
      if (next === undefined || (next.startsWith("-") && next.length > 1 && !/^-\d/.test(next))) {
        throw new UsageError(`--${name} needs a value`, usage);
      }
      value = next;
      i++;
    }
    if (value === "") throw new UsageError(`--${name} needs a value`, usage);
    if (spec.kind === "int") flags[name] = parseWholeNumber(value, `--${name}`, spec.min, spec.max, usage);
    else flags[name] = value;
  }
  return { positionals, flags };
}

/** A whole number in a range; `3.5`, `1e3`, `ten`, `-1` and out-of-range values are refused with the range. */
export function parseWholeNumber(raw: string, what: string, min = 0, max = Number.MAX_SAFE_INTEGER, usage?: string): number {
  const range = max === Number.MAX_SAFE_INTEGER ? `a whole number ≥ ${min}` : `a whole number from ${min} to ${max}`;
  if (!/^[+-]?\d+$/.test(raw)) throw new UsageError(`${what} must be ${range}, not "${raw}"`, usage);
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new UsageError(`${what} must be ${range}, not ${raw}`, usage);
  return n;
}

/** Durations such as 30s, 10m, 12h, 2d (and combinations like 1h30m). Returns seconds. */
export function parseDuration(raw: string, what = "duration", usage?: string): number {
  const m = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(raw);
  if (!m || raw === "" || m.slice(1).every((g) => g === undefined)) {
    throw new UsageError(`${what} must look like 30s, 10m, 12h or 2d, not "${raw}"`, usage);
  }
  const [d, h, min, s] = m.slice(1).map((g) => Number(g ?? 0));
  return d! * 86400 + h! * 3600 + min! * 60 + s!;
}

/** An app or environment name as typed: letters, digits, dot, dash, underscore; 63 at most. */
const APP_OR_ENV_NAME = /^[a-z0-9]([a-z0-9._-]{0,62})$/i;

export function checkName(word: string, what: "app" | "environment", usage: string): string {
  if (!APP_OR_ENV_NAME.test(word)) throw new UsageError(`"${word}" is not a valid ${what} name`, usage);
  return word;
}
