import { UsageError, UserError } from "../core/errors.js";
import { outside, rich, type Text } from "../core/reply.js";
import { GatewayError, type GithubGateway, type PullRequest } from "../gateways/types.js";

// What to ship: a PR (PR4812, #4812, pr4812), a branch, or a (short) sha, resolved to a full commit sha.

export interface Target {
  sha: string;
  shortSha: string;
  /** What the user typed, normalised: "PR #4812", "branch my-branch", "sha 1a2b3c4". */
  label: string;
  branch?: string;
  pr?: PullRequest;
}

export type TargetSpec =
  | { kind: "pr"; number: number }
  /**
   * `running`: a sha that already runs as a canary, whose target was checked when the canary started (a branch
   * without a PR included); the promoting caller checks the canary's PR again itself.
   */
  | { kind: "sha"; sha: string; running?: boolean }
  | { kind: "branch"; name: string };

const BRANCH = /^(?!.*\.\.)(?!.*\/\/)(?!\/)(?!.*\/$)(?!.*\.lock$)[A-Za-z0-9._\/-]{1,200}$/;

export function parseTarget(word: string, usage?: string): TargetSpec {
  const pr = /^(?:pr|#|pr#)(\d{1,9})$/i.exec(word);
  if (pr) return { kind: "pr", number: Number(pr[1]) };
  if (/^[0-9a-f]{7,40}$/.test(word)) return { kind: "sha", sha: word };
  if (!BRANCH.test(word) || word.startsWith("-")) throw new UsageError(`"${word}" is not a PR (PR4812 or #4812), branch or commit sha`, usage);
  // refs/heads/x and heads/x resolve to branch x (as git's own ref lookup does): use its name, so its PR is found.
  return { kind: "branch", name: word.replace(/^(?:refs\/)?heads\//, "") };
}

export async function resolveTarget(github: GithubGateway, repo: string, spec: TargetSpec): Promise<Target> {
  try {
    if (spec.kind === "pr") {
      const pr = await github.getPull(repo, spec.number);
      refuseUnmergedClose(pr, rich`PR #${pr.number} ("${outside(pr.title)}") is`);
      return { sha: pr.headSha, shortSha: pr.headSha.slice(0, 7), label: `PR #${pr.number}`, branch: pr.headRef, pr };
    }
    const ref = spec.kind === "sha" ? spec.sha : spec.name;
    // GitHub resolves branch names and (short) shas through the same call, so a hex-looking branch still works.
    const commit = await github.getCommit(repo, ref);
    const branch = spec.kind === "branch" ? spec.name : undefined;
    const pr = branch ? await github.findPullForBranch(repo, branch) : undefined;
    // The same rule as for the PR itself, or naming the branch would bypass it. findPullForBranch prefers an open PR.
    if (branch && pr) refuseUnmergedClose(pr, rich`Branch ${branch} belongs to PR #${pr.number} ("${outside(pr.title)}"), which is`);
    // A review lab takes a hex word as a branch name; when it named a commit (no PR, the sha starts with it), check it as one.
    const namesCommit = (spec.kind === "sha" && !spec.running) || (branch !== undefined && !pr && commit.sha.startsWith(branch));
    if (namesCommit) await refuseUnmergedCommit(github, repo, commit.sha);
    return {
      sha: commit.sha,
      shortSha: commit.sha.slice(0, 7),
      label: spec.kind === "branch" ? `branch ${spec.name}` : `sha ${commit.sha.slice(0, 7)}`,
      branch,
      pr: pr && pr.headSha === commit.sha ? pr : undefined,
    };
  } catch (err) {
    if (err instanceof GatewayError && err.kind === "not-found") {
      const what = spec.kind === "pr" ? `PR #${spec.number}` : spec.kind === "sha" ? `commit ${spec.sha}` : `branch "${spec.name}"`;
      throw new UserError(`${what} was not found in ${repo}.`);
    }
    throw err;
  }
}

/**
 * The same rule for a bare sha, or naming a closed PR's head commit would bypass it: a commit must be on the default
 * branch or in an open or merged PR. GitHub does not list PRs closed without being merged for a commit, so one that
 * is listed is named, and a commit in none is refused all the same.
 */
async function refuseUnmergedCommit(github: GithubGateway, repo: string, sha: string): Promise<void> {
  const { onDefault, defaultBranch } = await github.isOnDefaultBranch(repo, sha);
  if (onDefault) return;
  const pulls = await github.listPullsForCommit(repo, sha);
  if (pulls.some((p) => p.state === "open" || p.merged)) return;
  const closed = pulls[0];
  if (closed) refuseUnmergedClose(closed, rich`Commit ${sha.slice(0, 7)} belongs to PR #${closed.number} ("${outside(closed.title)}"), which is`);
  throw new UserError(
    `Commit ${sha.slice(0, 7)} is not on ${defaultBranch} and no open or merged PR contains it (was its PR closed without being merged?); deploy an open PR, its branch or a commit on ${defaultBranch}.`,
  );
}

/** A PR closed without being merged: the rule every way of naming a target applies (PR, branch, sha, canary promote). */
export function isClosedUnmerged(pr: PullRequest): boolean {
  return pr.state === "closed" && !pr.merged;
}

function refuseUnmergedClose(pr: PullRequest, subject: Text): void {
  if (isClosedUnmerged(pr)) throw new UserError(rich`${subject} closed without being merged; reopen it to deploy it.`);
}
