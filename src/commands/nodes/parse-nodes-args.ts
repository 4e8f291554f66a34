import { parseFlags, parseWholeNumber } from "../../core/args.js";
import { UsageError } from "../../core/errors.js";

// Grammar of /nodes list and /nodes add. The range of N depends on the config, so N is checked in run
// (validateCount) and parse only keeps its text.

export const LIST_USAGE = "/nodes list [--cluster C]";
export const ADD_USAGE = "/nodes add N [POOL] [--cluster C] [--dry-run]";

export interface ListArgs {
  cluster?: string;
}

export interface AddArgs {
  /** N as typed; undefined when missing. */
  count?: string;
  pool?: string;
  cluster?: string;
  dryRun: boolean;
}

const NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

function clusterFlag(value: unknown, usage: string): string | undefined {
  if (value === undefined) return undefined;
  const name = String(value);
  if (!NAME.test(name)) throw new UsageError(`--cluster must be a cluster name, not "${name}"`, usage);
  return name;
}

export function parseListArgs(words: string[]): ListArgs {
  const { positionals, flags } = parseFlags(words, { cluster: { kind: "string" } }, LIST_USAGE);
  if (positionals.length > 0) throw new UsageError(`unexpected ${positionals.length === 1 ? "word" : "words"}: ${positionals.join(" ")}`, LIST_USAGE);
  return { cluster: clusterFlag(flags.cluster, LIST_USAGE) };
}

export function parseAddArgs(words: string[]): AddArgs {
  const { positionals, flags } = parseFlags(words, { cluster: { kind: "string" }, "dry-run": { kind: "boolean" } }, ADD_USAGE);
  const [count, pool, ...extra] = positionals;
  if (extra.length > 0) throw new UsageError(`unexpected ${extra.length === 1 ? "word" : "words"} after the pool: ${extra.join(" ")}`, ADD_USAGE);
  if (pool !== undefined && !NAME.test(pool)) throw new UsageError(`POOL must be a MachineDeployment name (lowercase letters, digits, - and .), not "${pool}"`, ADD_USAGE);
  return {
    ...(count !== undefined ? { count } : {}),
    ...(pool !== undefined ? { pool } : {}),
    ...(flags.cluster !== undefined ? { cluster: clusterFlag(flags.cluster, ADD_USAGE) } : {}),
    dryRun: flags["dry-run"] === true,
  };
}

/** N, a whole number from 1 to the configured per-request maximum. */
export function validateCount(args: AddArgs, maxPerRequest: number): number {
  const raw = args.count;
  const range = `N must be a whole number from 1 to ${maxPerRequest}`;
  if (raw === undefined || raw === "") throw new UsageError(`say how many nodes to add: ${range}`, ADD_USAGE);
  if (args.pool === undefined && NAME.test(raw) && !/\d/.test(raw)) {
    throw new UsageError(`say how many nodes to add before the pool (/nodes add 2 ${raw}): ${range}, not "${raw}"`, ADD_USAGE);
  }
  return parseWholeNumber(raw, "N (nodes to add)", 1, maxPerRequest, ADD_USAGE);
}
