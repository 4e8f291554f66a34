import { errorMessage } from "../../core/errors.js";
import { link, outside, rich, type Block, type RichText } from "../../core/reply.js";
import type { CommitComparison, GithubGateway, KubeCluster } from "../../gateways/types.js";
import type { Target } from "../resolve-target.js";
import { ANN_SHA } from "./annotations.js";
import { appDeployments } from "./plan-deploy.js";
import type { DeployEnv } from "./resolve-deploy-env.js";
import { imageTag } from "./set-images.js";

// What a deploy changes: the commits between what runs in the environment and the target (GitHub's compare), and
// whether the target goes backwards (it is an ancestor of what runs), is not on the default branch or comes from a fork. Shown on every
// plan, approval card and final message. Commit messages and authors are outside text: one line each, bounded.

/** Commits listed by name; the rest are counted. */
export const LISTED_COMMITS = 10;
const MESSAGE_CHARS = 72;
const FULL_SHA = /^[0-9a-f]{40}$/;

export interface WhatChanged {
  /** The sha the environment runs (undefined: nothing recognisable runs there). */
  running?: string;
  comparison?: Pick<CommitComparison, "status" | "aheadBy" | "behindBy" | "url">;
  /** Newest last, at most LISTED_COMMITS: short sha, first line (bounded), author. */
  commits: Array<{ shortSha: string; title: string; author?: string }>;
  /** The target is not reachable from the default branch (named). */
  offDefault?: string;
  /** Why the commits could not be listed (GitHub refused, nothing runs yet). */
  unknown?: string;
  /** The target PR's branch is in this other repository (a fork): code from outside the app's repository. */
  fork?: string;
}

/** The sha the app's Deployments run: Tugboat's annotation, else a full-sha image tag (the first Deployment that has one). */
export async function runningSha(cluster: KubeCluster, env: DeployEnv): Promise<string | undefined> {
  const deploys = await appDeployments(cluster, env.namespace, env.image);
  for (const d of deploys) {
    const annotated = d.metadata?.annotations?.[ANN_SHA];
    if (annotated && FULL_SHA.test(annotated)) return annotated;
    const container = (d.spec?.template?.spec?.containers ?? []).find((c) => c.image && c.image.startsWith(`${env.image}:`));
    const tag = container?.image ? imageTag(container.image) : "";
    if (FULL_SHA.test(tag)) return tag;
  }
  return undefined;
}

/** One line of outside text, without control characters or chat emphasis, at most `max` characters. */
export function boundedLine(text: string, max: number): string {
  // Emphasis characters stay: the message is outside text, which chat renders literally (core/reply.ts, outside()).
  const line = (text.split(/\r?\n/, 1)[0] ?? "").replace(/[\u0000-\u001f\u007f]/g, "").trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

export async function whatChanged(github: GithubGateway, cluster: KubeCluster, env: DeployEnv, target: Target): Promise<WhatChanged> {
  const [running, onDefault] = await Promise.all([
    runningSha(cluster, env).catch(() => undefined),
    github.isOnDefaultBranch(env.repo, target.sha).catch(() => undefined),
  ]);
  const offDefault = onDefault && !onDefault.onDefault ? onDefault.defaultBranch : undefined;
  const headRepo = target.pr?.headRepo;
  const fork = headRepo && headRepo.toLowerCase() !== env.repo.toLowerCase() ? headRepo : undefined;
  if (!running) return { commits: [], offDefault, fork, unknown: `nothing from ${env.image} with a known sha runs in ${env.namespace}` };
  try {
    const c = await github.compareCommits(env.repo, running, target.sha);
    const commits = c.commits.slice(-LISTED_COMMITS).map((x) => ({ shortSha: x.sha.slice(0, 7), title: boundedLine(x.message, MESSAGE_CHARS), author: x.author ? boundedLine(x.author, 39) : undefined }));
    return { running, comparison: { status: c.status, aheadBy: c.aheadBy, behindBy: c.behindBy, url: c.url }, commits, offDefault, fork };
  } catch (err) {
    return { running, commits: [], offDefault, fork, unknown: `GitHub could not compare ${running.slice(0, 7)} with ${target.shortSha} (${errorMessage(err)})` };
  }
}

/** The target goes backwards: everything it has already runs, and it leaves commits out. */
export function goesBackwards(w: WhatChanged): boolean {
  return w.comparison?.status === "behind";
}

/** Warnings to show loudly, first on the message: a backwards deploy, a diverged one, a target off the default branch. */
export function changeWarnings(w: WhatChanged, target: Target): string[] {
  const out: string[] = [];
  const c = w.comparison;
  const from = w.running?.slice(0, 7);
  if (c?.status === "behind") out.push(`⚠️ *This deploy goes backwards*: ${target.shortSha} is older than ${from}, which runs now; it takes out ${c.behindBy} commit${c.behindBy === 1 ? "" : "s"}.`);
  if (c?.status === "diverged") out.push(`⚠️ ${target.shortSha} is not based on ${from}, which runs now: it adds ${c.aheadBy} commit${c.aheadBy === 1 ? "" : "s"} and takes out ${c.behindBy}.`);
  if (w.offDefault) out.push(`⚠️ ${target.pr ? `PR #${target.pr.number} is not merged: ` : ""}${target.shortSha} is not on ${w.offDefault}.`);
  // GitHub restricts repository names to letters, digits, '.', '_' and '-': nothing chat would read as markup.
  if (w.fork && target.pr) out.push(`⚠️ PR #${target.pr.number} comes from the fork ${w.fork.replace(/[^A-Za-z0-9._/-]/g, "?")}: code from outside the repository, which runs here with this environment's secrets.`);
  return out;
}

/** The "what changed" blocks: warnings, then the commits (count, first lines, authors, a link to the compare). */
export function whatChangedBlocks(w: WhatChanged | undefined, target: Target): Block[] {
  if (!w) return [];
  const blocks: Block[] = changeWarnings(w, target).map((text) => ({ type: "text", text }));
  const c = w.comparison;
  if (!c) {
    blocks.push({ type: "context", text: `What changed: unknown (${w.unknown ?? "not compared"}).` });
    return blocks;
  }
  const from = w.running!.slice(0, 7);
  const compare: RichText = link(c.url, `${from}...${target.shortSha}`);
  if (c.status === "identical") {
    blocks.push({ type: "text", text: rich`*What changed:* nothing; ${target.shortSha} already runs (${compare}).` });
    return blocks;
  }
  const count = c.aheadBy === 0 ? "no new commits" : `${c.aheadBy} new commit${c.aheadBy === 1 ? "" : "s"}`;
  blocks.push({ type: "text", text: rich`*What changed:* ${count} since ${from} (${compare})${c.aheadBy > w.commits.length && w.commits.length > 0 ? `, the last ${w.commits.length}:` : c.aheadBy > 0 ? ":" : "."}` });
  if (w.commits.length > 0) blocks.push({ type: "list", items: w.commits.map((x) => rich`\`${x.shortSha}\` ${outside(x.title)}${x.author ? rich` (${outside(x.author)})` : ""}`) });
  return blocks;
}
