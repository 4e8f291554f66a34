import { plainText, type Text } from "../../core/reply.js";
import type { TugboatConfig } from "../../config/schema.js";
import type { Logger } from "../../core/logger.js";
import type { Clock } from "../../core/services.js";
import type { GithubGateway, KubeCluster, KubeGateway } from "../../gateways/types.js";
import type { LockInfo } from "../lease-lock.js";
import { checkImageGate, imageGateOf, readImageGate } from "../image-gate.js";
import { resolveTarget, type Target, type TargetSpec } from "../resolve-target.js";
import type { DeployStamp } from "./annotations.js";
import { holdInsideManualLock, holdLock, readDeployInsideLock, readLock, type LockHold } from "./deploy-lock.js";
import type { DeployEvent, DeployEventSink, DeployOutcome, DeployRun } from "./deploy-events.js";
import { runLockedDeploy } from "./run-locked-deploy.js";
import { planStrategy } from "./deploy-strategy.js";
import { shortTarget } from "./describe-target.js";
import { countActions, previewPlan, type PlanPreview } from "./preview-plan.js";
import { checkChannel, resolveDeployEnv, type DeployEnv } from "./resolve-deploy-env.js";
import { goesBackwards, whatChanged } from "./what-changed.js";

// The deploy use case: resolve → image gate → [freeze] → plan → preview → (confirm) → [approvals] → lock →
// GitHub deployment → apply → follow the rollout → success, or undo (rollback, or the canary removed). It knows
// nothing of chat: whoever runs it (a command, a webhook, a button) passes its inputs and dependencies and renders
// the DeployEvents it emits (deploy-events.ts). A deploy to a canary environment is a canary start.
//
// Seams for what is built on it (all optional, in DeploySteps):
// - steps.freeze(check): before planning; a verdict refuses the deploy ("frozen") before anything is read or shown.
//   Asked again after a confirmation or approvals, since a freeze may have begun while people were asked.
// - deps.confirm(run, preview): the caller's own confirmation (chat: Confirm/Cancel; a modal; a webhook decides).
// - steps.approvals(run, preview): after confirmation, before the lock; "approved" goes on, a refusal ends it
//   ("rejected") with nothing changed. An environment with `approvals` and no such step is refused (deny by default).
// - steps.lockBusy(busy): the deploy lock is someone else's (before planning and again when taking it); "retry"
//   (e.g. once a queue says it is this deploy's turn) reads the lock once more, "refuse" ends it ("locked").

export interface DeployInput {
  /** Already resolved by the caller (config, channel default). */
  app: string;
  env: string;
  target: TargetSpec | { kind: "resolved"; target: Target };
  /** Who asked (Slack user id), the channel the deploy belongs to, and the id its audit and logs carry. */
  actor: string;
  channel: string;
  requestId: string;
  dryRun: boolean;
  /** Skip the image gate (the caller has checked deploy:force). */
  force: boolean;
  /** Why, when the caller asked for one; it goes to the GitHub deployment and the audit. */
  reason?: string;
}

export interface FreezeVerdict {
  /** Names the window and its end: "production is frozen until 18:00 UTC: release week" (who froze it as a mention). */
  reason: Text;
}

export type ApprovalVerdict = { approved: true } | { approved: false; reason: string };

export interface DeploySteps {
  freeze?(check: { env: DeployEnv; target: Target; actor: string; force: boolean; reason?: string }): Promise<FreezeVerdict | undefined>;
  approvals?(run: DeployRun, preview: PlanPreview | undefined): Promise<ApprovalVerdict>;
  lockBusy?(busy: { env: DeployEnv; holder: LockInfo; actor: string }): Promise<"retry" | "refuse">;
}

/** What every deploy-like use case (deploy, rollback, promote) is given, whoever runs it. */
export interface DeployServices {
  config: TugboatConfig;
  kube: KubeGateway;
  github: GithubGateway;
  clock: Clock;
  log: Logger;
  /** Adds facts to the run's audit entry. */
  audit(facts: Record<string, unknown>): void;
  /** This bot process, for the lock's holder. */
  instanceId: string;
  /** Aborted when Tugboat is shutting down: following stops and the lock is left to expire. */
  signal: AbortSignal;
  /** Where the run can be followed (the chat message's permalink), for the GitHub deployment's log_url. */
  logUrl?(): Promise<string | undefined>;
}

export interface DeployDeps extends DeployServices {
  emit: DeployEventSink;
  /** Asked for environments with `confirm: true`; true only on an explicit yes (with the reason given then, if one was). */
  confirm(run: DeployRun, preview: PlanPreview): Promise<boolean | { reason: string }>;
  steps?: DeploySteps;
}

/** What a flow built on the deploy (canary promote) adds: its name in messages and a step inside the lock. */
export interface DeployVariant {
  verb: string;
  /** Runs inside the lock after a successful deploy; returns a line for the result. */
  afterSuccess?(env: DeployEnv, cluster: KubeCluster): Promise<string | undefined>;
}

export function deploy(input: DeployInput, deps: DeployDeps): Promise<DeployOutcome> {
  return runDeployFlow(input, deps, { verb: "Deploy" });
}

export async function runDeployFlow(input: DeployInput, deps: DeployDeps, variant: DeployVariant): Promise<DeployOutcome> {
  const { config, github, kube, clock, emit } = deps;
  const env = resolveDeployEnv(config, input.app, input.env);
  checkChannel(config, env.env, input.channel);
  if (input.force) deps.audit({ forced: true });
  deps.audit({ app: env.app, environment: env.env, dryRun: input.dryRun || undefined, givenReason: input.reason });
  const cluster = kube.cluster(env.cluster);
  const what = input.target.kind === "resolved" ? shortTarget(input.target.target) : "the target";
  emit({ type: "resolving", verb: variant.verb, app: env.app, env, what });

  // 1. What to ship.
  const target = input.target.kind === "resolved" ? input.target.target : await resolveTarget(github, env.repo, input.target);
  deps.audit({ sha: target.sha, pr: target.pr?.number });
  let gateSkipped: string[] | undefined;
  if (input.force) {
    const gate = await readImageGate(github, env.repo, target.sha, imageGateOf(env.app, env.appConfig)).catch(() => []);
    gateSkipped = gate.filter((g) => g.state !== "success").map((g) => `${g.context}=${g.state}`);
    deps.audit({ forced: true, gateSkipped });
  } else {
    await checkImageGate(github, env.repo, target, imageGateOf(env.app, env.appConfig));
  }
  emit({ type: "resolved", target, gateSkipped });

  // 2. Frozen?
  const refusedByFreeze = async (): Promise<"frozen" | undefined> => {
    const frozen = await deps.steps?.freeze?.({ env, target, actor: input.actor, force: input.force, reason: input.reason });
    if (!frozen) return undefined;
    deps.audit({ result: "frozen", reason: plainText(frozen.reason) });
    emit({ type: "frozen", env, reason: frozen.reason });
    return "frozen";
  };
  if (await refusedByFreeze()) return "frozen";

  // 3. Is someone else deploying? (Read now to refuse before planning; taken after confirmation.)
  const lockState = await checkLock(env, cluster, input, deps);
  if (lockState.busy) return refuseLocked(env, lockState.busy, deps);
  const ownManualLock = lockState.ownManualLock;

  // 4. The plan, and what every write would do, asked of the API server (dryRun=All).
  const stamp: DeployStamp = { pr: target.pr?.number, sha: target.sha, actor: input.actor, at: clock.now() };
  const strategy = await planStrategy({ config, github, cluster, env, target, stamp, channel: input.channel, log: deps.log });
  const changes = await whatChanged(github, cluster, env, target);
  deps.audit({ runningSha: changes.running, newCommits: changes.comparison?.aheadBy, backwards: goesBackwards(changes) || undefined });
  const run: DeployRun = { title: `${variant.verb} ${shortTarget(target)} to ${env.app} ${env.env}`, env, target, actor: input.actor, elapsedMs: 0, changes };
  // Every write is sent with dryRun=All first, shown or not: an object the API server refuses (an invalid name, a
  // wrong type) stops the deploy here, before the lock, rather than after other objects were applied and rolled out.
  const checked = await previewPlan(cluster, strategy.plan, { fieldManager: config.deploy.fieldManager, stamp });
  const preview = input.dryRun || env.envConfig.confirm ? checked : undefined;
  if (preview) deps.audit({ plan: countActions(preview) });
  emit({ type: "planned", run, preview });

  if (input.dryRun) {
    emit({ type: "dry-run", run, preview: preview! });
    return "dry-run";
  }
  if (env.envConfig.confirm) {
    emit({ type: "awaiting-confirmation", run });
    const confirmed = await deps.confirm(run, preview!);
    if (!confirmed) {
      emit({ type: "cancelled", run });
      return "cancelled";
    }
    // A reason given with the confirmation (the production modal) is the deploy's, as --reason would be.
    if (typeof confirmed === "object") {
      input = { ...input, reason: confirmed.reason };
      deps.audit({ givenReason: confirmed.reason });
    }
  }
  // Deny by default: an environment that wants approvals is not deployed by a caller that cannot collect them.
  const approval = deps.steps?.approvals
    ? await deps.steps.approvals(run, preview)
    : env.envConfig.approvals
      ? ({ approved: false, reason: `${env.env} needs approvals, and this deploy was started where none can be collected` } as const)
      : undefined;
  if (approval && !approval.approved) {
    deps.audit({ result: "rejected", reason: approval.reason });
    emit({ type: "rejected", run, reason: approval.reason });
    return "rejected";
  }
  // A freeze that began while a person confirmed or approvers voted (an incident, a window opening) still stops it.
  if ((env.envConfig.confirm || approval) && (await refusedByFreeze())) return "frozen";

  // 5. The lock.
  const hold = await takeLock(env, cluster, input, deps, run, ownManualLock);
  if ("busy" in hold) return refuseLocked(env, hold.busy, deps);
  emit({ type: "lock-taken", run });
  let abandon = false;
  try {
    const outcome = await runLockedDeploy({ input, deps, variant, env, cluster, strategy, run, hold: hold.hold });
    abandon = outcome === "interrupted" && deps.signal.aborted;
    return outcome;
  } finally {
    if (abandon) hold.hold.abandon();
    else await hold.hold.release();
  }
}

function refuseLocked(env: DeployEnv, holder: LockInfo, deps: DeployDeps): DeployOutcome {
  deps.emit({ type: "locked", env, holder, at: deps.clock.now() });
  return "locked";
}

/** Who holds the lock, if anyone else does; a person's own manual lock lets them deploy inside it, one at a time. */
async function checkLock(env: DeployEnv, cluster: KubeCluster, input: DeployInput, deps: DeployDeps, retried = false): Promise<{ busy?: LockInfo; ownManualLock: boolean }> {
  const now = deps.clock.now();
  const existing = await readLock(cluster, env.namespace, env.lockName, now);
  const ownManualLock = !!existing && !existing.expired && existing.kind === "manual" && existing.owner === input.actor;
  let busy = existing && !existing.expired && !ownManualLock ? existing : undefined;
  if (ownManualLock) busy = await readDeployInsideLock(cluster, env.namespace, env.lockName, now);
  if (busy && !retried && (await deps.steps?.lockBusy?.({ env, holder: busy, actor: input.actor })) === "retry") {
    return checkLock(env, cluster, input, deps, true);
  }
  return { busy, ownManualLock };
}

async function takeLock(
  env: DeployEnv,
  cluster: KubeCluster,
  input: DeployInput,
  deps: DeployDeps,
  run: DeployRun,
  ownManualLock: boolean,
  retried = false,
): Promise<{ hold: LockHold } | { busy: LockInfo }> {
  const { config, clock } = deps;
  const take = ownManualLock ? holdInsideManualLock : holdLock;
  const got = await take(
    cluster,
    env.namespace,
    env.lockName,
    {
      holder: `${deps.instanceId}/${input.requestId}`,
      owner: input.actor,
      reason: `deploying ${shortTarget(run.target)} to ${env.env}`,
      kind: "deploy",
      durationSeconds: config.deploy.lockLeaseSeconds,
      now: clock.now(),
    },
    clock,
  );
  if (got.held) return { hold: got.hold };
  if (!retried && (await deps.steps?.lockBusy?.({ env, holder: got.heldBy, actor: input.actor })) === "retry") {
    return takeLock(env, cluster, input, deps, run, ownManualLock, true);
  }
  return { busy: got.heldBy };
}

export type { DeployEvent, DeployOutcome, DeployRun };
