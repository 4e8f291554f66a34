import { expect } from "chai";
import { deployOutcome, doraFigures, median, type DeployFact } from "../../src/domain/dora/dora-figures.js";

// The DORA arithmetic on small histories (the seeded end-to-end case is test/commands/deploy/deploy-stats.test.ts).

const at = (iso: string) => new Date(iso);
const WINDOW = { since: at("2026-11-01T00:00:00Z"), until: at("2026-11-11T00:00:00Z") };

describe("DORA figures", () => {
  it("a deployment's outcome is its newest final status: a later inactive does not undo it, error counts as a failure", () => {
    expect(deployOutcome([{ state: "inactive", createdAt: "2026-11-02T00:00:00Z" }, { state: "success", createdAt: "2026-11-01T00:00:00Z" }])).to.deep.equal({ outcome: "success", finishedAt: at("2026-11-01T00:00:00Z") });
    expect(deployOutcome([{ state: "error", createdAt: "2026-11-01T00:00:00Z" }, { state: "in_progress", createdAt: "2026-11-01T00:00:00Z" }]).outcome).to.equal("failure");
    expect(deployOutcome([{ state: "in_progress", createdAt: "2026-11-01T00:00:00Z" }]).outcome).to.equal("unfinished");
    expect(deployOutcome([]).outcome).to.equal("unfinished");
  });

  it("medians of even and odd counts, and none of nothing", () => {
    expect(median([3, 1, 2])).to.equal(2);
    expect(median([4, 1, 3, 2])).to.equal(2.5);
    expect(median([])).to.equal(undefined);
  });

  it("leaves out deploys outside the window and unfinished ones, and names an outage not yet restored", () => {
    const facts: DeployFact[] = [
      { id: 1, sha: "a", createdAt: at("2026-10-31T23:00:00Z"), outcome: "failure", finishedAt: at("2026-10-31T23:10:00Z") },
      { id: 2, sha: "b", createdAt: at("2026-11-02T00:00:00Z"), outcome: "success", finishedAt: at("2026-11-02T01:00:00Z"), firstCommitAt: at("2026-11-01T01:00:00Z") },
      { id: 3, sha: "c", createdAt: at("2026-11-05T00:00:00Z"), outcome: "unfinished" },
      { id: 4, sha: "d", createdAt: at("2026-11-09T00:00:00Z"), outcome: "failure", finishedAt: at("2026-11-09T00:30:00Z") },
      { id: 5, sha: "e", createdAt: at("2026-11-11T00:00:00Z"), outcome: "success", finishedAt: at("2026-11-11T00:10:00Z") },
    ];
    const f = doraFigures(facts, WINDOW);
    expect(f).to.deep.include({ days: 10, successes: 1, failures: 1, deploysPerDay: 0.1, leadTimeMs: 24 * 3_600_000, changeFailureRate: 0.5, unrestored: 1 });
    expect(f.timeToRestoreMs).to.equal(undefined);
  });

  it("a deploy undone by /deploy rollback failed from when the rollback was asked for; an undo of the rollback fails nothing", () => {
    const facts: DeployFact[] = [
      { id: 1, sha: "a", createdAt: at("2026-11-02T00:00:00Z"), outcome: "success", finishedAt: at("2026-11-02T00:10:00Z") },
      { id: 2, sha: "b", createdAt: at("2026-11-03T00:00:00Z"), outcome: "success", finishedAt: at("2026-11-03T00:10:00Z") },
      // Rolled back to a at 06:00, healthy at 06:05: b failed, restored in 5 minutes.
      { id: 3, sha: "a", createdAt: at("2026-11-03T06:00:00Z"), outcome: "success", finishedAt: at("2026-11-03T06:05:00Z"), rollback: true },
      // The rollback undone (back to b): neither a failure of a nor a deploy.
      { id: 4, sha: "b", createdAt: at("2026-11-04T00:00:00Z"), outcome: "success", finishedAt: at("2026-11-04T00:05:00Z"), rollback: true },
      // c rolled back, and that rollback failed: an outage not restored yet.
      { id: 5, sha: "c", createdAt: at("2026-11-05T00:00:00Z"), outcome: "success", finishedAt: at("2026-11-05T00:10:00Z") },
      { id: 6, sha: "b", createdAt: at("2026-11-05T01:00:00Z"), outcome: "failure", finishedAt: at("2026-11-05T01:02:00Z"), rollback: true },
    ];
    const f = doraFigures(facts, WINDOW);
    expect(f).to.deep.include({ successes: 1, failures: 2, changeFailureRate: 2 / 3, timeToRestoreMs: 5 * 60_000, unrestored: 1 });
  });

  it("an empty window has a frequency of zero and no other figures", () => {
    expect(doraFigures([], WINDOW)).to.deep.equal({ days: 10, successes: 0, failures: 0, deploysPerDay: 0, leadTimeMs: undefined, changeFailureRate: undefined, timeToRestoreMs: undefined, unrestored: 0 });
  });
});
