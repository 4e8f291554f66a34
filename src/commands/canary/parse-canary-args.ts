import { checkName, parseFlags } from "../../core/args.js";
import { UsageError } from "../../core/errors.js";

export const CANARY_STATUS_USAGE = "/canary status [APP]";
export const CANARY_PROMOTE_USAGE = "/canary promote [APP] [--force]";
export const CANARY_ABORT_USAGE = "/canary abort [APP]";

export interface CanaryArgs {
  app?: string;
  force: boolean;
}

function parse(words: string[], usage: string, force: boolean): CanaryArgs {
  const { positionals, flags } = parseFlags(words, force ? { force: { kind: "boolean" } } : {}, usage);
  if (positionals.length > 1) throw new UsageError(`unexpected words: ${positionals.slice(1).map((w) => `"${w}"`).join(" ")}`, usage);
  return { app: positionals[0] !== undefined ? checkName(positionals[0], "app", usage) : undefined, force: flags.force === true };
}

export const parseCanaryStatusArgs = (w: string[]) => parse(w, CANARY_STATUS_USAGE, false);
export const parseCanaryPromoteArgs = (w: string[]) => parse(w, CANARY_PROMOTE_USAGE, true);
export const parseCanaryAbortArgs = (w: string[]) => parse(w, CANARY_ABORT_USAGE, false);
