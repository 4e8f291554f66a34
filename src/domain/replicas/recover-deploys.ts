import type { AuditEntry, AuditLog, Logger } from "../../core/logger.js";
import { errorMessage } from "../../core/errors.js";
import type { Reply } from "../../core/reply.js";
import type { Services } from "../../core/services.js";
import type { DeploymentRecord, KubeCluster } from "../../gateways/types.js";
import { ANN_DEPLOYED_AT, ANN_DEPLOYED_BY, ANN_PR, ANN_SHA } from "../deploy/annotations.js";
import { holdLock } from "../deploy/deploy-lock.js";
import { followRollout, type FollowOutcome } from "../deploy/follow-rollout.js";
import { deployableEnvironments, resolveDeployEnv, type DeployEnv } from "../deploy/resolve-deploy-env.js";
import { rollbackDeployment } from "../deploy/rollback.js";
import { OPEN_DEPLOYMENT_STATES, SLACK_ID } from "./coordination.js";
import { firstToAbort } from "../../core/abort-signals.js";

// Restart recovery: what a replica that died mid-deploy left behind. A GitHub deployment still in progress whose
// deploy lock has expired belongs to nobody: its rollout is followed to the end as the live deploy would have
// (the rest of the environment's rollout time-out), then a failed one is rolled back to the previous revision,
// the GitHub deployment gets `error` with the reason, the deploy's channel hears it, and the audit log records it.

export interface SettledDeploy {
  app: string;
  env: string;
  deploymentId: number;
  result: "finished" | "rolled-back" | "not-applied" | "superseded";
  reason: string;
}

const SHA = /^[0-9a-f]{7,64}$/;

/** `signal` stops following rollouts (this replica is shutting down); what is unsettled stays for the next leader. */
export async function recoverDeploys(services: Services, log: Logger, audit?: AuditLog, signal?: AbortSignal): Promise<SettledDeploy[]> {
  const settled: SettledDeploy[] = [];
  for (const app of Object.keys(services.config.apps)) {
    for (const envName of deployableEnvironments(services.config)) {
      let env: DeployEnv;
      try {
        env = resolveDeployEnv(services.config, app, envName);
      } catch {
        continue;
      }
      // A canary's leftovers are the canary guard's to judge.
      if (env.canary) continue;
      if (signal?.aborted) break;
      try {
        settled.push(...(await recoverEnvironment(services, env, log, audit, signal)));
      } catch (err) {
        log.warn("restart recovery failed for an environment", { app, env: envName, error: errorMessage(err) });
      }
    }
  }
  return settled;
}

async function recoverEnvironment(services: Services, env: DeployEnv, log: Logger, audit?: AuditLog, signal?: AbortSignal): Promise<SettledDeploy[]> {
  const { github, clock, config } = services;
  const records = await github.listDeployments(env.repo, { environment: env.env, limit: 10 });
  const open = records.filter((r) => r.state !== undefined && OPEN_DEPLOYMENT_STATES.has(r.state) && r.payload?.app === env.app);
  if (open.length === 0) return [];
  const cluster = services.kube.cluster(env.cluster);
  // The deploy lock: a live deploy holds it (nothing to recover), and holding it keeps new deploys out meanwhile.
  const got = await holdLock(
    cluster,
    env.namespace,
    env.lockName,
    { holder: `${services.instanceId}/recovery`, kind: "deploy", reason: "settling a deploy a stopped replica left", durationSeconds: config.deploy.lockLeaseSeconds, now: clock.now() },
    clock,
  );
  if (!got.held) {
    log.debug("restart recovery: the environment is locked; its deploy is alive", { app: env.app, env: env.env, holder: got.heldBy.holder });
    return [];
  }
  try {
    const newestFirst = [...open].sort((a, b) => b.id - a.id);
    const lastGood = records.filter((r) => r.state === "success").sort((a, b) => b.id - a.id)[0];
    const out: SettledDeploy[] = [];
    for (const [i, record] of newestFirst.entries()) {
      if (signal?.aborted) break;
      const result =
        i === 0
          ? await settleRecord(services, env, cluster, record, lastGood, signal ? firstToAbort(got.hold.lost, signal) : got.hold.lost)
          : { result: "superseded" as const, reason: `a newer deploy (${newestFirst[0]!.id}) started after it` };
      // Interrupted (shutdown, lost lock): left open for the next leader to settle.
      if (!result) break;
      const state = result.result === "finished" ? "success" : "error";
      const description = `Tugboat stopped during this deploy; ${result.reason}`.slice(0, 140);
      await github.createDeploymentStatus(env.repo, record.id, { state, description }).catch((err) => log.warn("could not mark the GitHub deployment", { deployment: record.id, error: errorMessage(err) }));
      const entry = { app: env.app, env: env.env, deploymentId: record.id, ...result };
      out.push(entry);
      recordAudit(audit, record, env, entry);
      log.warn("restart recovery settled a deploy", { ...entry });
      const channel = String(record.payload?.channel ?? "");
      if (SLACK_ID.test(channel) && result.result !== "superseded") {
        await services.notifier.post(channel, recoveryReply(env, record, entry)).catch((err) => log.warn("could not post the recovery", { error: errorMessage(err) }));
      }
    }
    return out;
  } finally {
    await got.hold.release();
  }
}

async function settleRecord(
  services: Services,
  env: DeployEnv,
  cluster: KubeCluster,
  record: DeploymentRecord,
  lastGood: DeploymentRecord | undefined,
  lost: AbortSignal,
): Promise<Pick<SettledDeploy, "result" | "reason"> | undefined> {
  const { clock } = services;
  const { items } = await cluster.deployments.list({ namespace: env.namespace });
  const touched = items.filter((d) => d.metadata?.annotations?.[ANN_SHA] === record.sha);
  if (touched.length === 0) return { result: "not-applied", reason: "nothing of it reached the cluster" };
  // The rest of the rollout time the live deploy had (at least one lock duration, to read the state calmly).
  const startedAt = Math.min(...touched.map((d) => Date.parse(d.metadata?.annotations?.[ANN_DEPLOYED_AT] ?? "") || clock.now().getTime()));
  const left = env.envConfig.rolloutTimeoutSeconds * 1000 - (clock.now().getTime() - startedAt);
  const generations = new Map(touched.map((d) => [d.metadata!.name!, Number(d.metadata?.generation ?? 0)]));
  const outcome: FollowOutcome = await followRollout({
    cluster,
    namespace: env.namespace,
    deployments: generations,
    timeoutMs: Math.max(left, services.config.deploy.lockLeaseSeconds * 1000),
    clock,
    signals: [lost],
  });
  if (outcome.outcome === "done") return { result: "finished", reason: "its rollout finished healthy" };
  if (outcome.outcome === "interrupted") return undefined;
  const errors: string[] = [];
  await Promise.all(
    touched.map((d) =>
      rollbackDeployment(cluster, env.namespace, d.metadata!.name!, { annotations: restoredAnnotations(lastGood, clock.now()) }).catch((err) => errors.push(`${d.metadata?.name}: ${errorMessage(err)}`)),
    ),
  );
  if (errors.length > 0) return { result: "rolled-back", reason: `the rollout failed (${outcome.reason}) and rolling back failed for ${errors.join("; ")}` };
  return { result: "rolled-back", reason: `the rollout failed (${outcome.reason}); rolled back ${touched.map((d) => d.metadata?.name).join(", ")} to the previous revision` };
}

/** The annotations of the last good deploy, as a rollback by the live deploy would have put back. */
function restoredAnnotations(lastGood: DeploymentRecord | undefined, now: Date): Record<string, string | null> {
  const sha = lastGood && SHA.test(lastGood.sha) ? lastGood.sha : null;
  const pr = Number(lastGood?.payload?.pr);
  const actor = String(lastGood?.payload?.actor ?? "");
  return {
    [ANN_SHA]: sha,
    [ANN_PR]: Number.isInteger(pr) && pr > 0 ? String(pr) : "",
    [ANN_DEPLOYED_BY]: SLACK_ID.test(actor) ? actor : null,
    [ANN_DEPLOYED_AT]: now.toISOString(),
  };
}

function recordAudit(audit: AuditLog | undefined, record: DeploymentRecord, env: DeployEnv, settled: SettledDeploy): void {
  const actor = String(record.payload?.actor ?? "");
  const requestId = String(record.payload?.requestId ?? "");
  const entry: AuditEntry = {
    requestId: /^[0-9a-f]{1,16}$/.test(requestId) ? requestId : "recovery",
    actor: SLACK_ID.test(actor) ? actor : "tugboat",
    channel: SLACK_ID.test(String(record.payload?.channel ?? "")) ? String(record.payload!.channel) : "",
    command: `recovery: deploy ${record.sha.slice(0, 7)} to ${env.app} ${env.env}`,
    decision: "allowed",
    outcome: settled.result === "finished" ? "success" : settled.result === "rolled-back" ? "rolled-back" : "error",
    durationMs: 0,
    reason: settled.reason,
    details: { recovery: true, githubDeployment: record.id, app: env.app, environment: env.env, sha: record.sha, result: settled.result },
  };
  audit?.record(entry);
}

function recoveryReply(env: DeployEnv, record: DeploymentRecord, settled: SettledDeploy): Reply {
  const what = `the deploy of ${record.sha.slice(0, 7)} to ${env.app} ${env.env} (GitHub deployment ${record.id})`;
  const summary =
    settled.result === "finished"
      ? `Tugboat restarted during ${what}; it finished healthy.`
      : settled.result === "rolled-back"
        ? `Tugboat restarted during ${what}: ${settled.reason}.`
        : `Tugboat restarted during ${what}: ${settled.reason}; nothing to undo.`;
  return { summary, tone: settled.result === "finished" ? "success" : settled.result === "rolled-back" ? "error" : "warning", blocks: [{ type: "text", text: summary }] };
}

