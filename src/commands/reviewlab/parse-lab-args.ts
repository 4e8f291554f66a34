import type { TugboatConfig } from "../../config/schema.js";
import type { CommandContext } from "../../core/command.js";
import { UsageError } from "../../core/errors.js";
import { getOwn } from "../../core/own-keys.js";
import { parseTarget } from "../../domain/resolve-target.js";
import type { LabDeps, LabTarget } from "../../domain/reviewlab/lab-use-case.js";

// Shared grammar for /reviewlab: a lab is named by its branch or by a PR (whose head branch it is).

export type { LabTarget };

export function parseLabTarget(word: string | undefined, usage: string): LabTarget {
  if (word === undefined) throw new UsageError("name a branch or a PR (PR4816 or #4816)", usage);
  const spec = parseTarget(word, usage);
  // Labs are per branch: a hex-looking word is a branch name here, not a commit.
  if (spec.kind === "sha") return { kind: "branch", name: spec.sha };
  return spec;
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

/** The app whose repository a PR is looked up in (the channel's), needed only when the target is a PR. */
export function appForPull(ctx: CommandContext, target: LabTarget, usage: string): string | undefined {
  return target.kind === "pr" ? pickApp(ctx.services.config, ctx.channel.id, undefined, usage) : undefined;
}

/** A use case's dependencies, from a command's context. */
export function labDeps(ctx: CommandContext): LabDeps {
  const { config, kube, github, clock, instanceId } = ctx.services;
  return { config, kube, github, clock, instanceId, log: ctx.log, audit: (facts) => ctx.audit(facts), signal: ctx.signal };
}
