import { expect } from "chai";
import { startHarness, type Harness } from "../../helpers/harness.js";
import { systemClock } from "../../../src/core/services.js";
import { silentLogger } from "../../../src/core/logger.js";
import { UsageError } from "../../../src/core/errors.js";
import { addNodes, type NodesAddDeps, type NodesAddEvent, type PlannedAdd } from "../../../src/domain/nodes/add-nodes.js";
import { replicas } from "../../commands/nodes/nodes-helpers.js";

// `nodes add` runs with no chat at all: the confirmation is a dependency, progress and outcome are events.

function kinds(events: Array<{ type: string }>): string[] {
  return events.map((e) => e.type).filter((t, i, all) => i === 0 || all[i - 1] !== t);
}

describe("nodes add use case without a chat (sandbox)", function () {
  this.timeout(30_000);
  let h: Harness;
  before(async () => (h = await startHarness()));
  after(async () => h?.stop());

  const deps = (confirm: (p: PlannedAdd) => Promise<boolean>, facts: Array<Record<string, unknown>> = []): NodesAddDeps => ({
    config: h.config,
    kube: h.kube,
    clock: systemClock,
    log: silentLogger,
    audit: (f) => void facts.push(f),
    instanceId: "no-chat",
    signal: new AbortController().signal,
    confirm,
  });
  const request = { actorId: "UADMIN", requestId: "r1", dryRun: false };

  it("asks the confirm dependency with the plan, scales, follows the new Nodes and ends with finished", async () => {
    const events: NodesAddEvent[] = [];
    const asked: PlannedAdd[] = [];
    const facts: Array<Record<string, unknown>> = [];
    const outcome = await addNodes({ ...request, cluster: "production", pool: "highmem", count: 1 }, deps(async (p) => (asked.push(p), true), facts), (e) => void events.push(e));
    expect(asked.map((p) => [p.plan.before, p.plan.after])).to.deep.equal([[1, 2]]);
    expect(kinds(events)).to.deep.equal(["planned", "locking", "locked", "scaled", "machines", "finished"]);
    expect(outcome).to.equal(events.at(-1));
    if (outcome.type !== "finished") return;
    expect(outcome.slots.map((s) => s.state)).to.deep.equal(["ready"]);
    expect(outcome).to.include({ interrupted: false });
    expect(replicas(h, "production", "highmem")).to.equal(2);
    expect(facts).to.deep.include({ cluster: "production", pool: "highmem", requested: 1, readUnderLock: 1, before: 1, after: 2, conflicts: 0 });
    expect(h.audit, "nothing went through the router").to.deep.equal([]);
  });

  it("a declined confirmation is the cancelled outcome, and a bad pool is refused with the grammar's usage", async () => {
    const events: NodesAddEvent[] = [];
    const cancelled = await addNodes({ ...request, cluster: "production", pool: "highmem", count: 1 }, deps(async () => false), (e) => void events.push(e));
    expect(events.map((e) => e.type)).to.deep.equal(["planned", "cancelled"]);
    expect(cancelled.type).to.equal("cancelled");
    expect(replicas(h, "production", "highmem")).to.equal(2);

    const refused = await addNodes({ ...request, cluster: "production", pool: "nosuch", count: 1, usage: "USAGE" }, deps(async () => true), () => {});
    expect(refused.type).to.equal("refused");
    if (refused.type !== "refused") return;
    expect(refused.error).to.be.instanceOf(UsageError);
    expect(refused.error.usage).to.equal("USAGE");
    expect(refused.error.message).to.match(/^unknown pool "nosuch" \(pools on production: /);
  });
});
