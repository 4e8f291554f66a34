import { expect } from "chai";
import { freezeFromLease, freezeLeaseName } from "../../src/domain/freeze/freeze-store.js";
import { isQueueableTarget, queueFromLease, queueLeaseName } from "../../src/domain/deploy-queue/queue-store.js";
import { queueSettings, turnIsLive, type QueueSettings } from "../../src/domain/deploy-queue/deploy-queue.js";
import { buildConfigSchema } from "../../src/config/schema.js";
import type { V1Lease } from "../../src/gateways/kube-models.js";

// Freeze and queue Leases are shared state anyone with rights in the coordination namespace could edit: what is read
// back is checked field by field, and what does not check out is not a freeze, not an entry.

const NOW = new Date("2026-05-05T10:00:00Z");

function freezeLease(annotations: Record<string, string>, env = "staging"): V1Lease {
  return { metadata: { name: freezeLeaseName(env), labels: { "tugboat.dev/environment": env }, annotations } };
}

describe("freeze and queue Leases read back", () => {
  const good = { "tugboat.dev/owner": "UADMIN", "tugboat.dev/reason": "incident", "tugboat.dev/freeze-start": "2026-05-05T09:30:00Z", "tugboat.dev/expires-at": "2026-05-05T10:30:00Z" };

  it("a freeze Lease is a freeze only while it is live, for its own environment, within the longest freeze", () => {
    expect(freezeFromLease(freezeLease(good), "staging", NOW)).to.deep.include({ kind: "ad-hoc", reason: "incident", by: "UADMIN" });
    expect(freezeFromLease(freezeLease(good), "production", NOW), "another environment's label").to.equal(undefined);
    expect(freezeFromLease(freezeLease({ ...good, "tugboat.dev/expires-at": "2026-05-05T09:59:59Z" }), "staging", NOW), "over").to.equal(undefined);
    expect(freezeFromLease(freezeLease({ ...good, "tugboat.dev/expires-at": "soon" }), "staging", NOW)).to.equal(undefined);
    expect(freezeFromLease(freezeLease({ ...good, "tugboat.dev/expires-at": "2027-05-05T10:30:00Z" }), "staging", NOW), "a year: longer than 14 days").to.equal(undefined);
  });

  it("a reason or owner that was tampered with is not shown as written", () => {
    expect(freezeFromLease(freezeLease({ ...good, "tugboat.dev/reason": "hidden\u202Etxet" }), "staging", NOW)?.reason).to.equal("(reason unreadable)");
    expect(freezeFromLease(freezeLease({ ...good, "tugboat.dev/reason": "x".repeat(201) }), "staging", NOW)?.reason).to.equal("(reason unreadable)");
    expect(freezeFromLease(freezeLease({ ...good, "tugboat.dev/owner": "<!channel>" }), "staging", NOW)?.by).to.equal(undefined);
  });

  it("freeze and queue Lease names stay valid whatever the environment is called", () => {
    expect(freezeLeaseName("staging")).to.equal("tugboat-freeze-staging");
    expect(freezeLeaseName("Prod.EU_1")).to.match(/^tugboat-freeze-[0-9a-f]{16}$/);
    expect(queueLeaseName({ app: "github", env: "staging" })).to.equal("tugboat-queue-github-staging");
    expect(queueLeaseName({ app: "git_hub", env: "a".repeat(63) })).to.match(/^tugboat-queue-[0-9a-f]{20}$/);
  });

  it("queue entries that do not check out are dropped; a turn that does not is no turn", () => {
    const entry = { user: "UDEPLOYER", env: "staging", target: "PR4812", channel: "CDEPLOYS", auto: false, joinedAt: "2026-05-05T09:00:00Z" };
    const hostile = [
      entry,
      { ...entry, user: "<!here>" },
      { ...entry, channel: "#general" },
      { ...entry, target: "PR1; rm -rf /" },
      { ...entry, target: "--force" },
      { ...entry, env: "../production" },
      { ...entry, joinedAt: "yesterday" },
      { ...entry, user: "URELEASER", auto: "yes" },
      "not an object",
    ];
    const lease = (queue: unknown): V1Lease => ({ metadata: { annotations: { "tugboat.dev/queue": JSON.stringify(queue) } } });
    const state = queueFromLease(lease({ entries: hostile, turn: { ...entry, since: "2026-05-05T09:00:00Z", until: "never" } }));
    expect(state.entries.map((e) => e.user)).to.deep.equal(["UDEPLOYER", "URELEASER"]);
    expect(state.entries[1]!.auto, "only true is true").to.equal(false);
    expect(state.turn).to.equal(undefined);
    expect(queueFromLease({ metadata: { annotations: { "tugboat.dev/queue": "{not json" } } })).to.deep.equal({ entries: [] });
    for (const ok of ["PR4812", "#4812", "my-branch", "refs/heads/old-idea", "0c6121e"]) expect(isQueueableTarget(ok), ok).to.equal(true);
    for (const bad of ["-x", "a b", "", "x".repeat(201)]) expect(isQueueableTarget(bad), bad).to.equal(false);
  });

  it("a turn is live until its deadline, or once begun until its deploy ends or the grace time passes", () => {
    const settings: QueueSettings = { turnMs: 600_000, startedGraceMs: 1_000_000, maxLength: 10 };
    const turn = { user: "U1", env: "staging", target: "PR1", channel: "C1", auto: false, joinedAt: "2026-05-05T09:00:00Z", since: "2026-05-05T09:55:00Z", until: "2026-05-05T10:05:00Z" };
    expect(turnIsLive(turn, NOW, settings)).to.equal(true);
    expect(turnIsLive(turn, new Date("2026-05-05T10:05:00Z"), settings)).to.equal(false);
    const begun = { ...turn, startedAt: "2026-05-05T10:04:00Z" };
    expect(turnIsLive(begun, new Date("2026-05-05T10:10:00Z"), settings)).to.equal(true);
    expect(turnIsLive(begun, new Date("2026-05-05T10:20:41Z"), settings)).to.equal(false);
    expect(turnIsLive(undefined, NOW, settings)).to.equal(false);
  });

  it("a begun turn outlasts the longest wait before the lock (confirmation, approvals or a break-glass approval)", () => {
    const config = buildConfigSchema().parse({
      defaultCluster: "c",
      clusters: { c: {} },
      roles: { admin: { permissions: ["*"] } },
      environments: { production: { cluster: "c", approvals: { required: 1, from: ["admin"], timeoutMinutes: 45 } }, staging: { cluster: "c" } },
      deploy: { queue: { turnMinutes: 5, maxLength: 4 } },
    });
    // 300 s to confirm, 45 min for approvals, a 60 s lock lease and a minute more.
    expect(queueSettings(config)).to.deep.equal({ turnMs: 300_000, startedGraceMs: (300 + 45 * 60 + 60 + 60) * 1000, maxLength: 4 });
    delete config.environments.production!.approvals;
    expect(queueSettings(config).startedGraceMs, "a break-glass approval waits 30 minutes").to.equal((300 + 30 * 60 + 60 + 60) * 1000);
  });
});
