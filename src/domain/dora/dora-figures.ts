// The four DORA figures of one app in one environment over a window, from its deploy history: deployment frequency,
// lead time for changes (the first new commit to the successful deploy that shipped it), change failure rate
// (deploys that failed or were rolled back, of those that finished) and time to restore (from a failed deploy to the
// next successful one). Pure: the history is read elsewhere (read-deploy-history.ts), so a seeded history is enough
// to check the arithmetic.

/** One finished or unfinished deploy, as its GitHub deployment and statuses tell it. */
export interface DeployFact {
  id: number;
  sha: string;
  createdAt: Date;
  /** success; failure (apply failed, rolled back); unfinished (no final status yet, or only inactive). */
  outcome: "success" | "failure" | "unfinished";
  /** When the final status was posted. */
  finishedAt?: Date;
  /** The oldest commit this deploy brought to the environment (successful deploys whose predecessor is known). */
  firstCommitAt?: Date;
  /** A /deploy rollback: not a change of its own; it marks the deploy it undid as failed and restores service. */
  rollback?: boolean;
}

export interface DoraFigures {
  days: number;
  successes: number;
  failures: number;
  /** Successful deploys per day over the window. */
  deploysPerDay: number;
  /** Median, over successful deploys with new commits; undefined when there were none. */
  leadTimeMs?: number;
  /** failures / (successes + failures); undefined when nothing finished. */
  changeFailureRate?: number;
  /** Median, over failures followed by a success; undefined when there were none. */
  timeToRestoreMs?: number;
  /** Failures with no success after them yet (the environment is still broken). */
  unrestored: number;
}

/** The final outcome of a deployment from its statuses (newest first, as GitHub lists them). */
export function deployOutcome(statuses: ReadonlyArray<{ state: string; createdAt: string }>): { outcome: DeployFact["outcome"]; finishedAt?: Date } {
  // A later "inactive" (a newer deploy replaced it) does not undo how it ended: the newest final state counts.
  const final = statuses.find((s) => s.state === "success" || s.state === "failure" || s.state === "error");
  if (!final) return { outcome: "unfinished" };
  return { outcome: final.state === "success" ? "success" : "failure", finishedAt: new Date(final.createdAt) };
}

export function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * The successful deploys that a /deploy rollback undid, with when the rollback was asked for: DORA counts a change
 * that had to be rolled back as a failure. A rollback undoes what ran before it, the last successful deploy; when
 * that was itself a rollback (an undo of an undo), no change failed.
 */
function rolledBackDeploys(facts: DeployFact[]): Map<DeployFact, Date> {
  const ordered = [...facts].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id - b.id);
  const out = new Map<DeployFact, Date>();
  ordered.forEach((f, i) => {
    if (!f.rollback) return;
    const undone = ordered.slice(0, i).reverse().find((g) => g.outcome === "success");
    if (undone && !undone.rollback && !out.has(undone)) out.set(undone, f.createdAt);
  });
  return out;
}

/** Figures over deploys created in [since, until); `facts` in whatever order. */
export function doraFigures(facts: DeployFact[], window: { since: Date; until: Date }): DoraFigures {
  const inWindow = facts
    .filter((f) => f.createdAt >= window.since && f.createdAt < window.until)
    .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id - b.id);
  const days = (window.until.getTime() - window.since.getTime()) / 86_400_000;
  const rolledBack = rolledBackDeploys(facts);
  const changes = inWindow.filter((f) => !f.rollback);
  const successes = changes.filter((f) => f.outcome === "success" && !rolledBack.has(f));
  const failures = changes.filter((f) => f.outcome === "failure" || rolledBack.has(f));
  const leadTimes = successes.filter((f) => f.firstCommitAt && f.finishedAt).map((f) => f.finishedAt!.getTime() - f.firstCommitAt!.getTime());
  const restores: number[] = [];
  let unrestored = 0;
  // A run of failures is one outage: it is restored by the next success (a rollback's too), timed from its first
  // failure; a deploy rolled back by hand failed when the rollback was asked for.
  let outageStart: Date | undefined;
  for (const f of inWindow) {
    const undoneAt = rolledBack.get(f);
    if (undoneAt) outageStart ??= undoneAt;
    else if (f.outcome === "failure") outageStart ??= f.finishedAt ?? f.createdAt;
    else if (f.outcome === "success" && outageStart) {
      restores.push((f.finishedAt ?? f.createdAt).getTime() - outageStart.getTime());
      outageStart = undefined;
    }
  }
  if (outageStart) unrestored = 1;
  const finished = successes.length + failures.length;
  return {
    days,
    successes: successes.length,
    failures: failures.length,
    deploysPerDay: days > 0 ? successes.length / days : 0,
    leadTimeMs: median(leadTimes),
    changeFailureRate: finished ? failures.length / finished : undefined,
    timeToRestoreMs: median(restores),
    unrestored,
  };
}
