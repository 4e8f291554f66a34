import type { GithubGateway } from "../../gateways/types.js";
import { deployOutcome, doraFigures, type DeployFact, type DoraFigures } from "./dora-figures.js";

// One environment's deploy history as DORA reads it, from GitHub Deployments and their statuses (paged and bounded
// in the gateway), and the first new commit of each successful deploy from GitHub's compare with the success before.

/** Deployments read per environment at the most (GitHub pages of 100). */
export const MAX_DEPLOYMENTS = 300;
/** Compares (one per successful deploy) at the most; older successes get no lead time. */
export const MAX_COMPARES = 60;

export interface DoraInput {
  repo: string;
  /** The GitHub environment (Tugboat names deployments after the environment). */
  environment: string;
  until: Date;
  days: number;
}

export interface DoraResult extends DoraFigures {
  /** Deployments read (the window and as far back again, for the success before the first one). */
  read: number;
  /** True when MAX_DEPLOYMENTS cut the history: the figures cover only its newest part. */
  truncated: boolean;
}

export async function readDoraFigures(github: GithubGateway, input: DoraInput): Promise<DoraResult> {
  const since = new Date(input.until.getTime() - input.days * 86_400_000);
  // As far back again, so the first deploy in the window has a successful one before it to compare with.
  const lookback = new Date(since.getTime() - input.days * 86_400_000);
  const history = await github.listDeploymentHistory(input.repo, { environment: input.environment, since: lookback, limit: MAX_DEPLOYMENTS });
  const facts: DeployFact[] = history
    .map((d) => ({ id: d.id, sha: d.sha, createdAt: new Date(d.createdAt), rollback: d.rollback, ...deployOutcome(d.statuses) }))
    .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id - b.id);
  const successes = facts.filter((f) => f.outcome === "success");
  // Lead times are for changes; a rollback's sha still counts as what ran before the next one.
  const inWindow = successes.filter((f) => !f.rollback && f.createdAt >= since && f.createdAt < input.until).slice(-MAX_COMPARES);
  // Ten compares at a time, so a busy month does not open sixty requests at once.
  for (let i = 0; i < inWindow.length; i += 10) {
    await Promise.all(inWindow.slice(i, i + 10).map(async (f) => {
      const before = successes[successes.indexOf(f) - 1];
      if (!before || before.sha === f.sha) return;
      const c = await github.compareCommits(input.repo, before.sha, f.sha).catch(() => undefined);
      const dates = (c?.commits ?? []).map((x) => (x.date ? Date.parse(x.date) : NaN)).filter((t) => Number.isFinite(t));
      if (dates.length) f.firstCommitAt = new Date(Math.min(...dates));
    }));
  }
  return { ...doraFigures(facts, { since, until: input.until }), read: history.length, truncated: history.length >= MAX_DEPLOYMENTS };
}
