import { UserError, errorMessage } from "../../core/errors.js";
import type { LockInfo } from "../lease-lock.js";
import { ANN_DEPLOYED_AT, ANN_DEPLOYED_BY, ANN_PR, ANN_SHA } from "./annotations.js";
import { holdLock } from "./deploy-lock.js";
import type { DeployServices } from "./deploy-use-case.js";
import { followRollout, type DeploymentProgress, type FollowOutcome } from "./follow-rollout.js";
import { diffObject } from "./object-diff.js";
import { appDeployments } from "./plan-deploy.js";
import type { PlanPreview } from "./preview-plan.js";
import { checkChannel, resolveDeployEnv, type DeployEnv } from "./resolve-deploy-env.js";
import { listRevisions, revisionOf, rollbackDeployment, templateOf } from "./rollback.js";
import { imageChanges, imageTag } from "./set-images.js";

// The rollback use case (`kubectl rollout undo` for every Deployment of the app): plan → (confirm, with what the
// API server says each Deployment would become) → lock → re-check the plan inside the lock → GitHub deployment →
// roll back (all or nothing) → follow. Like the deploy use case it knows nothing of chat; it emits RollbackEvents.

export interface RollbackStep {
  name: string;
  current: number;
  previous: number;
  /** The app container's image before and after. */
  from?: string;
  to?: string;
  sha: string;
}

export interface RollbackPlan {
  title: string;
  env: DeployEnv;
  steps: RollbackStep[];
  /** The one sha the app goes back to, when its Deployments agree. */
  sha?: string;
}

export type RollbackEvent =
  | { type: "reading"; app: string; env: DeployEnv }
  | { type: "planned"; plan: RollbackPlan; preview?: PlanPreview }
  | { type: "awaiting-confirmation"; plan: RollbackPlan }
  | { type: "cancelled"; plan: RollbackPlan }
  | { type: "locked"; plan: RollbackPlan; holder: LockInfo; at: Date }
  | { type: "github-deployment-created"; plan: RollbackPlan; deploymentId: number }
  | { type: "rollout-progress"; plan: RollbackPlan; progress: DeploymentProgress[] }
  | { type: "succeeded"; plan: RollbackPlan; progress: DeploymentProgress[]; deploymentId?: number; elapsedMs: number }
  /** Rolled back, but the Deployments did not become healthy (or could not be followed). */
  | { type: "unhealthy"; plan: RollbackPlan; reason: string; progress: DeploymentProgress[]; deploymentId?: number; elapsedMs: number };

export type RollbackOutcome = "success" | "failure" | "cancelled" | "locked";

export interface RollbackInput {
  app: string;
  env: string;
  actor: string;
  channel: string;
  requestId: string;
}

export interface RollbackDeps extends DeployServices {
  emit(event: RollbackEvent): void;
  /** Asked for environments with `confirm: true`; true only on an explicit yes. */
  confirm(plan: RollbackPlan, preview: PlanPreview): Promise<boolean>;
}

export async function rollbackEnvironment(input: RollbackInput, deps: RollbackDeps): Promise<RollbackOutcome> {
  const { config, kube, clock, github, emit } = deps;
  const env = resolveDeployEnv(config, input.app, input.env);
  const app = env.app;
  if (env.canary) throw new UserError(`A canary is not rolled back; \`/canary abort ${app}\` removes it.`);
  checkChannel(config, env.env, input.channel);
  const cluster = kube.cluster(env.cluster);
  emit({ type: "reading", app, env });

  const deploys = await appDeployments(cluster, env.namespace, env.image);
  if (deploys.length === 0) throw new UserError(`${env.namespace} on ${env.cluster} has no Deployment running ${env.image}.`);
  const steps: RollbackStep[] = [];
  for (const d of deploys) {
    const current = revisionOf(d);
    const revisions = await listRevisions(cluster, d);
    const previous = revisions.find((r) => r.revision < current && r.revision > 0);
    if (!previous) throw new UserError(`${d.metadata!.name} has no previous revision to roll back to (it is at revision ${current}).`);
    const template = templateOf(previous.replicaSet);
    const from = imageChanges(d.spec?.template, env.image, "")[0]?.from;
    const to = imageChanges(template, env.image, "")[0]?.from;
    steps.push({ name: d.metadata!.name!, current, previous: previous.revision, from, to, sha: to ? imageTag(to) : "" });
  }
  const shas = [...new Set(steps.map((p) => p.sha).filter(Boolean))];
  const plan: RollbackPlan = { title: `Roll back ${app} ${env.env}`, env, steps, sha: shas.length === 1 ? shas[0] : undefined };
  // The PR that shipped the previous sha, from GitHub's deployment history.
  const history = await github.listDeployments(env.repo, { environment: env.env, limit: 30 }).catch(() => []);
  const prFor = (sha: string) => history.find((h) => h.sha === sha && h.payload.pr)?.payload.pr;
  const rolledAt = clock.now().toISOString();
  const rollbackOf = (p: RollbackStep, dryRun = false) => {
    const pr = p.sha ? prFor(p.sha) : undefined;
    const annotations = { [ANN_SHA]: p.sha || null, [ANN_PR]: pr ? String(pr) : "", [ANN_DEPLOYED_BY]: input.actor, [ANN_DEPLOYED_AT]: rolledAt };
    return rollbackDeployment(cluster, env.namespace, p.name, { toRevision: p.previous, annotations, dryRun });
  };
  if (env.envConfig.confirm) {
    // What each Deployment would become, asked of the API server with the rollback's own patch (dryRun=All).
    const objects = await Promise.all(
      steps.map(async (p) => {
        const r = await rollbackOf(p, true);
        return diffObject(r.before, r.after);
      }),
    );
    const preview: PlanPreview = { objects };
    emit({ type: "planned", plan, preview });
    emit({ type: "awaiting-confirmation", plan });
    if (!(await deps.confirm(plan, preview))) {
      emit({ type: "cancelled", plan });
      return "cancelled";
    }
  } else {
    emit({ type: "planned", plan });
  }

  const got = await holdLock(
    cluster,
    env.namespace,
    env.lockName,
    { holder: `${deps.instanceId}/${input.requestId}`, owner: input.actor, reason: `rolling back ${env.env}`, kind: "deploy", durationSeconds: config.deploy.lockLeaseSeconds, now: clock.now() },
    clock,
  );
  if (!got.held) {
    emit({ type: "locked", plan, holder: got.heldBy, at: clock.now() });
    return "locked";
  }
  const started = clock.now().getTime();
  const elapsedMs = () => clock.now().getTime() - started;
  try {
    // The plan (and the confirmation) came before the lock: another replica may have deployed meanwhile.
    const now = await appDeployments(cluster, env.namespace, env.image);
    for (const p of steps) {
      const revision = revisionOf(now.find((d) => d.metadata?.name === p.name));
      if (revision !== p.current) {
        throw new UserError(`${app} ${env.env} changed while this rollback waited: ${p.name} is at revision ${revision || "none"} now, not ${p.current}. Nothing was rolled back; run the rollback again to see the new plan.`);
      }
    }
    const logUrl = await deps.logUrl?.();
    const deployment = plan.sha
      ? await github
          .createDeployment(env.repo, {
            ref: plan.sha,
            environment: env.env,
            description: `Rollback by ${input.actor} via Tugboat`,
            payload: { app, pr: prFor(plan.sha) ?? null, actor: input.actor, channel: input.channel, rollback: true },
            transientEnvironment: env.envConfig.transient,
            productionEnvironment: env.envConfig.production,
          })
          .catch((err: unknown) => (deps.log.warn("could not create a GitHub deployment for the rollback", { error: errorMessage(err) }), undefined))
      : undefined;
    if (deployment) emit({ type: "github-deployment-created", plan, deploymentId: deployment.id });
    const status = (state: "in_progress" | "success" | "failure" | "error", description: string) =>
      deployment
        ? github.createDeploymentStatus(env.repo, deployment.id, { state, description, logUrl, environmentUrl: state === "success" ? env.envConfig.url : undefined }).catch(() => undefined)
        : Promise.resolve();
    await status("in_progress", "Rolling back");
    const followed = new Map<string, number>();
    const done: RollbackStep[] = [];
    try {
      for (const p of steps) {
        await rollbackOf(p);
        done.push(p);
        followed.set(p.name, 0);
      }
    } catch (err) {
      // Nothing half rolled back: the Deployments already moved go forward again to the revision they ran.
      const why = errorMessage(err);
      const undoErrors: string[] = [];
      for (const p of done) {
        const before = deploys.find((d) => d.metadata?.name === p.name)?.metadata?.annotations ?? {};
        const annotations: Record<string, string | null> = {};
        for (const k of [ANN_SHA, ANN_PR, ANN_DEPLOYED_BY, ANN_DEPLOYED_AT]) annotations[k] = before[k] ?? null;
        await rollbackDeployment(cluster, env.namespace, p.name, { toRevision: p.current, annotations }).catch((e: unknown) => undoErrors.push(`${p.name}: ${errorMessage(e)}`));
      }
      await status("error", `Rollback failed: ${why}`.slice(0, 140));
      deps.audit({ app, environment: env.env, result: "rollback-failed", reason: why });
      const names = done.map((p) => p.name).join(", ");
      const undo = done.length === 0 ? "Nothing was changed." : undoErrors.length ? `Putting back ${names} also failed (${undoErrors.join("; ")}); check ${env.namespace} by hand.` : `${names} went back to the revision they ran; nothing was changed.`;
      throw new UserError(`Could not roll back ${app} ${env.env}: ${why.replace(/\.$/, "")}. ${undo}`);
    }
    deps.audit({ app, environment: env.env, rollback: steps.map((p) => ({ name: p.name, from: p.current, to: p.previous })) });
    const outcome = await followRollout({
      cluster,
      namespace: env.namespace,
      deployments: followed,
      timeoutMs: env.envConfig.rolloutTimeoutSeconds * 1000,
      clock,
      signals: [deps.signal, got.hold.lost],
      timeoutLabel: "the rollback",
      onProgress: (progress) => emit({ type: "rollout-progress", plan, progress }),
    }).catch(
      (err: unknown): FollowOutcome => ({
        // The Deployments changed: an error while following is a failed rollback, never an open GitHub deployment.
        outcome: "failed",
        reason: `cannot follow the rollback (${errorMessage(err)})`,
        progress: [...followed.keys()].map((name) => ({ name, phase: "failed", detail: `${name}: cannot follow the rollback` })),
      }),
    );
    if (outcome.outcome === "done") {
      await status("success", "Rolled back");
      emit({ type: "succeeded", plan, progress: outcome.progress, deploymentId: deployment?.id, elapsedMs: elapsedMs() });
      return "success";
    }
    await status("failure", outcome.reason);
    emit({ type: "unhealthy", plan, reason: outcome.reason, progress: outcome.progress, deploymentId: deployment?.id, elapsedMs: elapsedMs() });
    return "failure";
  } finally {
    await got.hold.release();
  }
}
