import type { Text } from "../../core/reply.js";
import type { LockInfo } from "../lease-lock.js";
import type { Target } from "../resolve-target.js";
import type { DeploymentProgress } from "./follow-rollout.js";
import type { PlanPreview } from "./preview-plan.js";
import type { DeployEnv } from "./resolve-deploy-env.js";
import type { WhatChanged } from "./what-changed.js";

// What a deploy (src/domain/deploy/run-deploy.ts) tells whoever runs it: chat renders these as one message updated
// in place; a webhook or a button renders them its own way. In the order a deploy emits them.

/** The facts every event after planning carries: what ships where, and the GitHub deployment once there is one. */
export interface DeployRun {
  /** "Deploy PR #4812 (eed486a) to github staging". */
  title: string;
  env: DeployEnv;
  target: Target;
  actor: string;
  /** Set from github-deployment-created on. */
  deploymentId?: number;
  /** Since the deploy took its lock (what "Deployed … in 12.3s" counts). */
  elapsedMs: number;
  /** The commits between what runs and the target, and whether it goes backwards (what-changed.ts). */
  changes?: WhatChanged;
}

export type DeployEvent =
  /** Started: the app and environment are known, the target is being resolved. */
  | { type: "resolving"; verb: string; app: string; env: DeployEnv; what: string }
  /** The target is a commit; `gateSkipped` lists the image contexts a forced deploy did not wait for. */
  | { type: "resolved"; target: Target; gateSkipped?: string[] }
  /** The environment is frozen (steps.freeze): nothing was planned. */
  | { type: "frozen"; env: DeployEnv; reason: Text }
  /** The deploy lock is someone else's: nothing was changed. */
  | { type: "locked"; env: DeployEnv; holder: LockInfo; at: Date }
  /** The plan, with what the API server says each write would do (for the dry run and confirmation). */
  | { type: "planned"; run: DeployRun; preview?: PlanPreview }
  | { type: "awaiting-confirmation"; run: DeployRun }
  | { type: "dry-run"; run: DeployRun; preview: PlanPreview }
  | { type: "cancelled"; run: DeployRun }
  /** Approvals (steps.approvals) were refused or did not arrive: nothing was changed. */
  | { type: "rejected"; run: DeployRun; reason: string }
  | { type: "lock-taken"; run: DeployRun }
  | { type: "applying"; run: DeployRun }
  | { type: "github-deployment-created"; run: DeployRun; deploymentId: number }
  /** The rollout (or, after a failure, the rollback) as it moves; at most about once a second. */
  | { type: "rollout-progress"; run: DeployRun; stage: "rollout" | "rollback"; progress: DeploymentProgress[] }
  | { type: "rolling-back"; run: DeployRun; reason: string; progress: DeploymentProgress[] }
  /** Outcomes. */
  | { type: "succeeded"; run: DeployRun; progress: DeploymentProgress[]; followed: number; note?: string }
  /** Applying failed; `undo` says what was put back. */
  | { type: "failed"; run: DeployRun; reason: string; undo: string }
  /** The rollout failed or timed out, and what it changed was undone (`undo` says how that went). */
  | { type: "rolled-back"; run: DeployRun; reason: string; undo: string; progress: DeploymentProgress[] }
  /** Tugboat stopped following (shutdown, lost lock, the cluster would not let it follow); the cluster goes on. */
  | { type: "interrupted"; run: DeployRun; reason: string; stopping: boolean; progress: DeploymentProgress[]; lockSeconds: number };

/** How a deploy ended (the last event says the rest). */
export type DeployOutcome = "success" | "failure" | "rolled-back" | "interrupted" | "cancelled" | "dry-run" | "locked" | "frozen" | "rejected";

/** Receives events; it must not throw, and queues its own I/O (events arrive while the deploy goes on). */
export type DeployEventSink = (event: DeployEvent) => void;
