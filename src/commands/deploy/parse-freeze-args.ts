import { checkName, parseDuration } from "../../core/args.js";
import { UsageError } from "../../core/errors.js";
import { MAX_FREEZE_SECONDS } from "../../domain/freeze/freeze-store.js";
import { checkLockReason } from "./parse-deploy-args.js";

// Grammar of /deploy freeze and /deploy unfreeze. The reason is free text (flags are not parsed after ENV DURATION).

export const FREEZE_USAGE = "/deploy freeze ENV DURATION REASON...   (DURATION: 30m, 1h, 2h30m, 2d; at most 14d)";
export const UNFREEZE_USAGE = "/deploy unfreeze ENV";

export interface FreezeArgs {
  env: string;
  seconds: number;
  reason: string;
}

export function parseFreezeArgs(words: string[]): FreezeArgs {
  const u = FREEZE_USAGE;
  if (words.length === 0) throw new UsageError("missing ENV, DURATION and REASON", u);
  if (words[0]!.startsWith("-")) throw new UsageError(`unknown flag ${words[0]}`, u);
  const env = checkName(words[0]!, "environment", u);
  if (words.length === 1) throw new UsageError("missing DURATION (e.g. 1h) and REASON", u);
  const seconds = parseDuration(words[1]!.toLowerCase(), "DURATION", u);
  if (seconds < 60) throw new UsageError(`DURATION must be at least 1m, not ${words[1]}`, u);
  if (seconds > MAX_FREEZE_SECONDS) throw new UsageError(`DURATION must be at most 14d, not ${words[1]} (longer freezes belong in the config's \`freezes\`)`, u);
  const reason = words.slice(2).join(" ").trim();
  if (reason === "") throw new UsageError("missing REASON: say why, it is shown to everyone whose deploy is refused", u);
  checkLockReason(reason, u);
  return { env, seconds, reason };
}

export function parseUnfreezeArgs(words: string[]): { env: string } {
  const u = UNFREEZE_USAGE;
  if (words.length === 0) throw new UsageError("missing ENV", u);
  if (words[0]!.startsWith("-")) throw new UsageError(`unknown flag ${words[0]}`, u);
  if (words.length > 1) throw new UsageError(`unexpected words: ${words.slice(1).map((w) => `"${w}"`).join(" ")}`, u);
  return { env: checkName(words[0]!, "environment", u) };
}
