import { expect } from "chai";
import { silentLogger } from "../../src/core/logger.js";
import type { Coordination } from "../../src/domain/replicas/coordination.js";
import { ApprovalStore, readApproval, type ApprovalRequest } from "../../src/domain/approvals/approval-store.js";
import { awaitApprovals, type ApprovalOutcome } from "../../src/domain/approvals/await-approvals.js";
import { whoMayApprove, type ApprovalRules } from "../../src/domain/approvals/approval-rules.js";
import { FakeCluster } from "../helpers/fake-cluster.js";
import { ManualClock } from "../helpers/manual-clock.js";

// Approval requests on the in-memory port with a manual clock: votes from two "replicas", the asker's renewals, the
// time-out, and shared state that is not what Tugboat wrote.

const NS = "tugboat";
const RULES: ApprovalRules = { required: 2, from: ["admin"], allowSelf: false, timeoutMinutes: 30 };
const ASK = { app: "github", env: "production", asker: "UADMIN", channel: "CDEPLOYS", what: "PR #4812 (eed486a)" };

const settle = () => new Promise((r) => setTimeout(r, 5));

describe("approval requests (in-memory port, manual clock)", () => {
  let clock: ManualClock;
  let cluster: FakeCluster;
  const replica = (instanceId: string): Coordination => ({ cluster, namespace: NS, instanceId, leaseSeconds: 15, now: () => clock.now(), clock });

  beforeEach(() => {
    clock = new ManualClock(Date.parse("2026-03-01T10:00:00Z"));
    cluster = new FakeCluster({ clock });
  });

  async function ask(rules = RULES): Promise<{ shown: ApprovalRequest[]; outcome: Promise<ApprovalOutcome>; id: () => string }> {
    const shown: ApprovalRequest[] = [];
    const outcome = awaitApprovals({ ...ASK, rules }, { store: new ApprovalStore(replica("bot-a"), silentLogger), clock, log: silentLogger, show: async (r) => void shown.push(r) });
    while (shown.length === 0) await settle();
    return { shown, outcome, id: () => shown[0]!.id };
  }

  it("two approvals from another replica start it; each vote is shown; a second vote by the same person does not count", async () => {
    const { shown, outcome, id } = await ask();
    const other = new ApprovalStore(replica("bot-b"), silentLogger);
    const first = await other.vote(id(), { by: "UADMIN2", vote: "approve" });
    expect(first.kind).to.equal("recorded");
    expect((await other.vote(id(), { by: "UADMIN2", vote: "approve" })).kind).to.equal("already");
    while (!shown.some((r) => r.votes.length === 1)) await settle();
    expect(shown.at(-1)!.state).to.equal("pending");
    await other.vote(id(), { by: "UOTHER", vote: "approve" });
    const done = await outcome;
    expect(done).to.deep.include({ kind: "approved", approvers: ["UADMIN2", "UOTHER"] });
    expect(shown.at(-1)!.state).to.equal("approved");
    // The request is gone once decided: a late vote finds it closed.
    expect((await other.vote(id(), { by: "UTHIRD", vote: "approve" })).kind).to.equal("closed");
  });

  it("one rejection ends it, with the rejecter and the reason", async () => {
    const { outcome, id } = await ask();
    await new ApprovalStore(replica("bot-b"), silentLogger).vote(id(), { by: "UADMIN2", vote: "reject", reason: "not today" });
    expect(await outcome).to.deep.include({ kind: "rejected", by: "UADMIN2", reason: "not today" });
  });

  it("times out after timeoutMinutes, not before; the asker's renewals keep it alive meanwhile", async () => {
    const { outcome, id } = await ask();
    let ended = false;
    void outcome.finally(() => (ended = true));
    const other = new ApprovalStore(replica("bot-b"), silentLogger);
    for (let minute = 0; minute < 29; minute++) {
      clock.advance(60_000);
      await settle();
    }
    clock.advance(59_000);
    await settle();
    expect(ended).to.equal(false);
    expect((await other.find(id()))?.askerWaiting).to.equal(true);
    clock.advance(1000);
    await settle();
    expect((await outcome).kind).to.equal("timed-out");
  });

  it("a vote for a request whose asker stopped renewing it is told so, and counts for nothing", async () => {
    const store = new ApprovalStore(replica("bot-a"), silentLogger);
    // Opened and never renewed (the asking replica died).
    const request = await store.open({ ...ASK, required: 1, expiresAt: new Date(clock.now().getTime() + 30 * 60_000) });
    clock.advance(16_000);
    const result = await new ApprovalStore(replica("bot-b"), silentLogger).vote(request.id, { by: "UADMIN2", vote: "approve" });
    expect(result.kind).to.equal("asker-gone");
  });

  it("the asker's time-out and a vote racing: the vote written first stands", async () => {
    const store = new ApprovalStore(replica("bot-a"), silentLogger);
    const request = await store.open({ ...ASK, required: 1, expiresAt: new Date(clock.now().getTime() + 60_000) });
    await new ApprovalStore(replica("bot-b"), silentLogger).vote(request.id, { by: "UADMIN2", vote: "approve" });
    expect((await store.settle(request.id, "timeout"))?.state).to.equal("approved");
  });

  it("shared state that Tugboat did not write is not read: forged votes, ids or channels make no request", async () => {
    const store = new ApprovalStore(replica("bot-a"), silentLogger);
    const request = await store.open({ ...ASK, required: 1, expiresAt: new Date(clock.now().getTime() + 60_000) });
    const lease = cluster.objects("leases", NS).find((l) => l.metadata?.name === `tugboat-approval-${request.id}`)!;
    const forged = (annotations: Record<string, string>) => readApproval({ ...lease, metadata: { ...lease.metadata, annotations: { ...lease.metadata!.annotations, ...annotations } } }, clock.now());
    expect(forged({})).to.not.equal(undefined);
    expect(forged({ "tugboat.dev/votes": '[{"by":"<!channel>","vote":"approve","at":"2026-03-01T10:00:00Z"}]' })).to.equal(undefined);
    expect(forged({ "tugboat.dev/votes": "not json" })).to.equal(undefined);
    expect(forged({ "tugboat.dev/channel": "C1 <!here>" })).to.equal(undefined);
    expect(forged({ "tugboat.dev/required": "0" })).to.equal(undefined);
    expect(forged({ "tugboat.dev/state": "approved-by-me" })).to.equal(undefined);
    expect(await store.find("../../x")).to.equal(undefined);
  });

  it("who may approve: people bound to a `from` role in the deploy's channel, groups named or bound, never the asker", () => {
    const config = {
      roles: { admin: { permissions: ["*"] }, approver: { permissions: ["deploy:approve"] }, viewer: { permissions: ["kube:get"] } },
      bindings: [
        { role: "admin", users: ["UADMIN", "UADMIN2"], groups: [] },
        { role: "approver", users: ["UAPPROVER"], groups: ["SOPS"], channels: ["COTHER"] },
        { role: "viewer", users: ["UVIEWER"], groups: [] },
      ],
    };
    const rules = { ...RULES, from: ["admin", "approver", "SRELEASE"] };
    expect(whoMayApprove(config, rules, "CDEPLOYS", "UADMIN")).to.deep.equal({ roles: ["admin", "approver"], groups: ["SRELEASE"], users: ["UADMIN2"] });
    expect(whoMayApprove(config, rules, "COTHER", "UADMIN")).to.deep.equal({ roles: ["admin", "approver"], groups: ["SRELEASE", "SOPS"], users: ["UADMIN2", "UAPPROVER"] });
    expect(whoMayApprove(config, { ...rules, allowSelf: true }, "CDEPLOYS", "UADMIN").users).to.deep.equal(["UADMIN", "UADMIN2"]);
  });
});
