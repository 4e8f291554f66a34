import type { TugboatConfig } from "../../config/schema.js";
import { UsageError, UserError } from "../../core/errors.js";
import { getOwn } from "../../core/own-keys.js";
import type { GithubGateway } from "../../gateways/types.js";
import { GatewayError } from "../../gateways/types.js";
import { parseTarget } from "../../domain/resolve-target.js";

// Shared grammar for /reviewlab: a lab is named by its branch or by a PR (whose head branch it is).

export type LabTarget = { kind: "pr"; number: number } | { kind: "branch"; name: string };

export type LabConfig = NonNullable<TugboatConfig["reviewlab"]>;

export function parseLabTarget(word: string | undefined, usage: string): LabTarget {
  if (word === undefined) throw new UsageError("name a branch or a PR (PR4816 or #4816)", usage);
  const spec = parseTarget(word, usage);
  // Labs are per branch: a hex-looking word is a branch name here, not a commit.
  if (spec.kind === "sha") return { kind: "branch", name: spec.sha };
  return spec;
}

export function describeTarget(t: LabTarget): string {
  return t.kind === "pr" ? `PR #${t.number}` : `\`${t.name}\``;
}

export function labConfig(config: TugboatConfig): LabConfig {
  if (!config.reviewlab) throw new UserError("Review labs are not configured on this Tugboat (no `reviewlab` section in its config).");
  return config.reviewlab;
}

/** The app: named, the channel's, or the only one configured. */
export function pickApp(config: TugboatConfig, channelId: string, named: string | undefined, usage: string): string {
  const apps = Object.keys(config.apps);
  if (named !== undefined) {
    if (!getOwn(config.apps, named)) throw new UsageError(`unknown app "${named}" (known: ${apps.join(", ") || "none"})`, usage);
    return named;
  }
  const fromChannel = getOwn(config.channels, channelId)?.app ?? apps.find((a) => config.apps[a]!.channels.includes(channelId));
  if (fromChannel && getOwn(config.apps, fromChannel)) return fromChannel;
  if (apps.length === 1) return apps[0]!;
  throw new UsageError(`name the app: this channel has no default app (known: ${apps.join(", ") || "none"})`, usage);
}

/** The branch a lab target names. A PR is looked up in the app's repository (any app, for down/extend). */
export async function branchOf(github: GithubGateway, config: TugboatConfig, channelId: string, target: LabTarget, usage: string): Promise<string> {
  if (target.kind === "branch") return target.name;
  const app = pickApp(config, channelId, undefined, usage);
  const repo = config.apps[app]!.repo;
  try {
    return (await github.getPull(repo, target.number)).headRef;
  } catch (err) {
    if (err instanceof GatewayError && err.kind === "not-found") throw new UserError(`PR #${target.number} was not found in ${repo}.`);
    throw err;
  }
}
