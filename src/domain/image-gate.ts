import { UserError } from "../core/errors.js";
import { joinText, outside, rich, type Text } from "../core/reply.js";
import type { ContextReport, GateResult, GithubGateway, Reporter } from "../gateways/types.js";
import type { Target } from "./resolve-target.js";

// The image gate: an image may ship once every context the app names (apps.<app>.imageContexts) is success at the
// commit, as reported by someone trusted to say so. Anyone who can write a commit status (a collaborator's token, a
// workflow) can set `ci/image` to success; GitHub records who did (a status's creator, a check run's app), and only
// a trusted reporter's word counts: apps.<app>.imageTrust, deny by default once configured. Without it, GitHub Apps
// are trusted (check runs, which only Apps can create, and statuses made by an App's bot account, `name[bot]`), never
// a person's account. Untrusted reports are named, so a refusal says whose status was ignored.

export interface ImageTrust {
  /** GitHub logins whose commit statuses count (an App's bot account is `slug[bot]`). */
  users: string[];
  /** GitHub App slugs or numeric ids whose check runs (and bot account's statuses) count. */
  apps: Array<string | number>;
}

export interface ImageGateConfig {
  /** The app's name, for the config key a refusal names. */
  app: string;
  contexts: string[];
  /** Undefined: the default (GitHub Apps only, see above). */
  trust?: ImageTrust;
}

/** The gate of a configured app. */
export function imageGateOf(app: string, config: { imageContexts: string[]; imageTrust?: ImageTrust }): ImageGateConfig {
  return { app, contexts: config.imageContexts, ...(config.imageTrust ? { trust: config.imageTrust } : {}) };
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

function appTrusted(trust: ImageTrust, slug: string, id?: number): boolean {
  return trust.apps.some((a) => (typeof a === "number" ? a === id : same(a, slug)));
}

/** Whether a report's maker may vouch for an image. */
export function isTrustedReporter(by: Reporter | undefined, trust: ImageTrust | undefined): boolean {
  if (!by) return false;
  if (!trust) return by.kind === "app" || by.bot;
  if (by.kind === "app") return appTrusted(trust, by.slug, by.id);
  if (trust.users.some((u) => same(u, by.login))) return true;
  const bot = /^(.+)\[bot\]$/.exec(by.login);
  return by.bot && bot !== null && appTrusted(trust, bot[1]!);
}

/** Who made a report, for people: a login, or "app <slug>". */
export function describeReporter(by: Reporter | undefined): string {
  if (!by) return "a deleted account";
  return by.kind === "user" ? by.login : `app ${by.slug || by.id}`;
}

/**
 * Per context: the newest report by a trusted reporter decides (statuses before check runs, as GitHub's combined
 * view puts them); untrusted reports newer than it (or all of them, when no trusted one exists) are kept as ignored.
 */
export function judgeImageGate(reports: ContextReport[], gate: ImageGateConfig): GateResult[] {
  return gate.contexts.map((context): GateResult => {
    const mine = reports.filter((r) => r.context === context);
    const decisive = mine.findIndex((r) => isTrustedReporter(r.by, gate.trust));
    const ignored = decisive < 0 ? mine : mine.slice(0, decisive);
    const extra = ignored.length > 0 ? { ignored } : {};
    if (decisive < 0) return { context, state: "missing", ...extra };
    const r = mine[decisive]!;
    return { context, state: r.state, ...(r.description !== undefined ? { description: r.description } : {}), ...(r.url !== undefined ? { url: r.url } : {}), ...extra };
  });
}

/** The gate's verdict at a commit. */
export async function readImageGate(github: GithubGateway, repo: string, sha: string, gate: ImageGateConfig): Promise<GateResult[]> {
  return judgeImageGate(await github.listContextReports(repo, sha, gate.contexts), gate);
}

/** "success by mallory, failure by app rogue-ci": what was not counted, for a reply or a log line. */
export function describeIgnored(result: GateResult): string | undefined {
  if (!result.ignored || result.ignored.length === 0) return undefined;
  const seen = new Set<string>();
  const parts: string[] = [];
  for (const r of result.ignored) {
    const line = `${r.state} by ${describeReporter(r.by)}`;
    if (!seen.has(line)) parts.push(line);
    seen.add(line);
  }
  const shown = parts.slice(0, 3);
  return `${shown.join(", ")}${parts.length > shown.length ? ` and ${parts.length - shown.length} more` : ""}`;
}

/**
 * One context that is not success, for a refusal: its state, CI's description (outside text, shown literally), and
 * whose reports were ignored.
 */
export function describeGateProblem(r: GateResult, gate: ImageGateConfig): Text {
  const state = r.state === "missing" ? (r.ignored ? "not reported by a trusted reporter" : "missing (never reported)") : r.state;
  const ignored = describeIgnored(r);
  const why = ignored ? rich`; ignored ${outside(ignored)}: not trusted (apps.${gate.app}.imageTrust)` : "";
  return rich`\`${r.context}\` is ${state}${r.description ? rich` (${outside(r.description)})` : ""}${why}`;
}

/** The image gate: every configured context must be success at the sha. Throws naming each one that is not. */
export async function checkImageGate(github: GithubGateway, repo: string, target: Target, gate: ImageGateConfig): Promise<GateResult[]> {
  const results = await readImageGate(github, repo, target.sha, gate);
  const bad = results.filter((r) => r.state !== "success");
  if (bad.length > 0) {
    throw new UserError(
      rich`The image for ${target.label} (${target.shortSha}) is not ready: ${joinText(bad.map((r) => describeGateProblem(r, gate)), "; ")}. Wait for the build, or pass --force (needs deploy:force) to skip the check.`,
    );
  }
  return results;
}
