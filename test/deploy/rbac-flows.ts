import { reapOnce } from "../../src/commands/reviewlab/index.js";
import { coordinationOf, sweepExpired } from "../../src/domain/replicas/coordination.js";
import { Leadership } from "../../src/domain/replicas/leadership.js";
import { ReplicaPresence } from "../../src/domain/replicas/replica-presence.js";
import { SharedConfirmations } from "../../src/domain/replicas/shared-confirmations.js";
import { SharedEventIds } from "../../src/domain/replicas/shared-event-ids.js";
import { silentLogger } from "../../src/core/logger.js";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startSandbox, type Sandbox } from "@tugboat/sandbox";
import { TEST_DELAYS } from "@tugboat/sandbox/kube";
import { findUnreachable } from "../../src/startup/check-reachable.js";
import { startHarness, type Harness } from "../helpers/harness.js";
import { asAdmin, installRbac, serviceAccountKubeconfig, type K8sDoc } from "./rbac-helpers.js";

// Every feature's happy path through the router, for the RBAC tests: each flow leaves things as it found them, so
// it can run again, and fails on a refusal, on a view that could not read something, and on a lock left behind.

const REAPER_LEASE = "tugboat-reviewlab-reaper";

export interface Step {
  line: string;
  user?: string;
  channel?: string;
}

export type Flow = { name: string; steps: Step[] } | { name: string; check: (h: Harness) => Promise<string | undefined> };

const ADMIN = { user: "UADMIN", channel: "CDEPLOYS" };
const LAB = { user: "UDEPLOYER", channel: "CGITHUB" };

/** Every feature's happy path; each leaves things as it found them, so it can run again. */
export const FLOWS: Flow[] = [
  { name: "readiness", check: async (h) => (await findUnreachable({ config: h.config, kube: h.kube, github: h.github, timeoutMs: 5_000 })).map((u) => `${u.what}: ${u.reason}`).join("; ") || undefined },
  {
    name: "kube",
    steps: [
      { line: "/kube get pods -n github-production" },
      { line: "/kube get deploy,rs -n github-staging" },
      { line: "/kube describe deploy unicorn -n github-staging" },
      { line: "/kube describe svc unicorn -n github-staging" },
      { line: "/kube logs deploy/unicorn -n github-staging --tail 5" },
      { line: "/kube events -n github-staging" },
      { line: "/kube get nodes --cluster production" },
    ],
  },
  { name: "deploy", steps: [{ line: "/deploy PR4812 to staging", ...ADMIN }, { line: "/deploy feature/faster-unicorn to production --dry-run", ...ADMIN }] },
  { name: "deploy views", steps: [{ line: "/deploy status", ...ADMIN }, { line: "/deploy history github staging", ...ADMIN }, { line: "/deploy where", ...ADMIN }] },
  {
    name: "locks",
    // The lock's owner deploys inside it: the deploy is recorded on the manual lock's Lease (an update).
    steps: [{ line: '/deploy lock github staging "rbac check"', ...ADMIN }, { line: "/deploy PR4812 to staging", ...ADMIN }, { line: "/deploy unlock github staging", ...ADMIN }],
  },
  { name: "rollback", steps: [{ line: "/deploy rollback github staging", ...ADMIN }] },
  {
    name: "canary",
    steps: [
      { line: "/deploy PR4812 to canary", ...ADMIN },
      { line: "/canary status", ...ADMIN },
      { line: "/canary abort", ...ADMIN },
      { line: "/deploy PR4812 to canary", ...ADMIN },
      { line: "/canary promote", ...ADMIN },
    ],
  },
  {
    name: "review labs",
    steps: [{ line: "/reviewlab up my-branch", ...LAB }, { line: "/reviewlab list", ...LAB }, { line: "/reviewlab extend my-branch 24h", ...LAB }, { line: "/reviewlab down my-branch", ...LAB }],
  },
  {
    name: "reaper",
    check: async (h) => {
      // Twice: the second pass takes over the leader Lease the first one left.
      for (let i = 0; i < 2; i++) {
        const report = await reapOnce(h.app.services, silentLogger);
        if (!report.leader) return "not the reaper's leader";
        if (report.failures.length > 0) return report.failures.join("; ");
      }
      return undefined;
    },
  },
  {
    name: "replicas",
    // What two replicas share (src/domain/replicas), as the ServiceAccount: presence, a prompt answered on another
    // replica and watched by the asker, an event id, the leader Lease, and the leader's sweep of expired ones.
    check: async (h) => {
      const ahead = { now: () => new Date(Date.now() + 2 * 3600_000), sleep: h.app.services.clock.sleep };
      const replica = (instanceId: string, clock = h.app.services.clock) => coordinationOf({ config: h.config, kube: h.kube, instanceId, clock });
      const presence = new ReplicaPresence(replica("rbac-a"), silentLogger);
      await presence.start();
      const asker = new SharedConfirmations(replica("rbac-a"), silentLogger);
      const answers: string[] = [];
      const watch = await asker.observeAnswers((p) => void answers.push(p.answer ?? ""));
      const id = "0123456789abcdef01234567";
      await asker.open({ id, userId: "UADMIN", channel: "CDEPLOYS", expiresAt: new Date(Date.now() + 60_000) });
      await asker.posted(id, "CDEPLOYS", "1700000000.000100");
      const recorded = await new SharedConfirmations(replica("rbac-b"), silentLogger).record(id, "UADMIN", "confirmed");
      for (let i = 0; i < 100 && answers.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
      watch.stop();
      await asker.close(id);
      if (recorded.kind !== "recorded" || !recorded.askerAlive || answers[0] !== "confirmed") return `prompt: ${JSON.stringify({ recorded, answers })}`;
      if (!(await new SharedEventIds(replica("rbac-a"), 60_000, silentLogger).firstTime("Ev-rbac"))) return "event id not claimed";
      const leader = new Leadership(replica("rbac-a"), silentLogger, async () => {});
      await leader.tick();
      const led = leader.isLeader();
      await leader.stop();
      await presence.stop({ release: true });
      if (!led) return "did not become the leader";
      if ((await sweepExpired(replica("rbac-a", ahead), "event")) !== 1) return "the expired event id was not swept";
      return undefined;
    },
  },
  {
    name: "nodes",
    steps: [
      { line: "/nodes list --cluster production" },
      { line: "/nodes add 1 general --cluster production" },
      // staging's pool is ClusterClass-managed: scaled through the Cluster's topology.
      { line: "/nodes add 1 --cluster staging", channel: "CGITHUB" },
    ],
  },
];

/** The flows that use a role (to keep the experiments short); every role's rules are exercised by these. */
export const FLOWS_OF: Record<string, string[]> = {
  "tugboat-kube-read": FLOWS.map((f) => f.name),
  "tugboat-leases": ["review labs", "reaper", "replicas"],
  "tugboat-deploy": ["deploy", "locks", "rollback", "canary"],
  "tugboat-review-labs": ["review labs"],
  "tugboat-lab-secret-sources": ["review labs"],
  "tugboat-node-pools": ["nodes"],
  "tugboat-node-pool-locks": ["nodes"],
};

/** Where Tugboat keeps Leases on each cluster; after a flow none may be left. */
export const LEASE_NAMESPACES: Record<string, string[]> = { production: ["github-production", "tugboat"], staging: ["github-staging", "tugboat"], management: ["default"] };

/** Undefined when the flow succeeded, else what failed (the command and its reply). */
export async function runFlow(h: Harness, sandbox: Sandbox, flow: Flow): Promise<string | undefined> {
  if ("check" in flow) {
    const failed = await flow.check(h).catch((err: Error) => err.message);
    return failed ?? (await leftLocks(sandbox));
  }
  for (const step of flow.steps) {
    const before = h.audit.length;
    const t = await h.run(step.line, { user: step.user ?? "UADMIN", channel: step.channel ?? "CDEPLOYS" });
    const entry = h.audit[before];
    // Views say what they could not read, and /nodes add what it could not raise, and still succeed: those count
    // as failures here.
    if (entry?.outcome !== "success" || /forbidden|could not read|cannot read|not shown/i.test(t.text + JSON.stringify(entry.details ?? {}))) {
      return `${step.line}: ${entry?.outcome ?? "no audit entry"}: ${t.text.slice(0, 600)}`;
    }
  }
  return leftLocks(sandbox);
}

/** A Lease still there after the commands finished: a lock Tugboat could not release. */
async function leftLocks(sandbox: Sandbox): Promise<string | undefined> {
  const left: string[] = [];
  for (const [cluster, namespaces] of Object.entries(LEASE_NAMESPACES)) {
    for (const ns of namespaces) {
      // The reaper's leader Lease stays held between passes, by design.
      const names = (await asAdmin(sandbox, cluster, ["get", "leases", "-n", ns, "-o", "name"])).split("\n").filter((n) => n && !n.endsWith(`/${REAPER_LEASE}`));
      left.push(...names.map((n) => `${cluster}/${ns}/${n}`));
    }
  }
  return left.length > 0 ? `left a lock behind: ${left.join(", ")}` : undefined;
}

export interface ServiceAccountBot {
  sandbox: Sandbox;
  h: Harness;
  /** The RBAC objects put on each cluster. */
  applied: Record<string, K8sDoc[]>;
  /** The kubeconfig whose contexts act as the ServiceAccount. */
  kubeconfigPath: string;
  stop(): Promise<void>;
}

/** A sandbox with deploy/rbac in place of the seed's grants, and Tugboat (the harness) acting as the ServiceAccount. */
export async function startServiceAccountBot(): Promise<ServiceAccountBot> {
  const dir = mkdtempSync(join(tmpdir(), "tugboat-rbac-"));
  const sandbox = await startSandbox({ outDir: dir, delays: TEST_DELAYS });
  const applied = await installRbac(sandbox);
  const kubeconfigPath = serviceAccountKubeconfig(sandbox, dir);
  const h = await startHarness({
    sandbox,
    kubeconfigPath,
    // Tugboat's own Leases live in its namespace (as deploy/base/tugboat.yaml configures).
    configure: (c) => {
      c.reviewlab!.reaper.leaseNamespace = "tugboat";
      c.coordination.namespace = "tugboat";
    },
  });
  return {
    sandbox,
    h,
    applied,
    kubeconfigPath,
    stop: async () => {
      await h.stop();
      await sandbox.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
