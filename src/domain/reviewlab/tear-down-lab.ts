import { DeniedError, UserError } from "../../core/errors.js";
import { getOwn } from "../../core/own-keys.js";
import { mention, rich } from "../../core/reply.js";
import { labNamespace } from "./make-slug.js";
import { findLab } from "./find-labs.js";
import { deleteLabNamespace, markLabInactive, noteLabRemoved, waitForNamespaceGone } from "./remove-lab.js";
import { labBranch, labConfig, refusalsAsOutcome, type Emit, type LabDeps, type LabRequest, type LabTarget, type Refused } from "./lab-use-case.js";

// `lab down` as a use case: find the lab, check who may remove it, delete its Namespace, follow it until it is gone
// and mark its GitHub deployments inactive. Events in order: found → deleted → removed | still-terminating (or
// refused: no such lab, not Tugboat's, someone else's without the right), then the GitHub writes.

export interface LabDownInput extends LabRequest {
  target: LabTarget;
  /** The app whose repository a PR target is looked up in. */
  app?: string;
  /**
   * Whether the requester may remove a lab that is not theirs (the reviewlab:down permission in chat; a webhook
   * closing the lab's own PR may). Asked only when the lab belongs to someone else.
   */
  mayRemoveOthers: () => Promise<boolean>;
  /** Why, for the PR's comment (e.g. "PR #4816 was closed"); default: what became of the namespace. */
  reason?: string;
}

export type LabDownOutcome =
  | { type: "removed"; branch: string; namespace: string; cluster: string; startedAt: Date; finishedAt: Date }
  /** Deleted, but still terminating when the time ran out: Kubernetes finishes the removal. */
  | { type: "still-terminating"; branch: string; namespace: string; cluster: string; timeoutSeconds: number; startedAt: Date; finishedAt: Date }
  | Refused;

export type LabDownEvent =
  | { type: "found"; branch: string; namespace: string; owner: string; as: "owner" | "reviewlab:down" }
  | { type: "deleted"; namespace: string }
  | LabDownOutcome;

export function removeLab(input: LabDownInput, deps: LabDeps, emit: Emit<LabDownEvent>): Promise<LabDownOutcome> {
  return refusalsAsOutcome(emit, () => downSteps(input, deps, emit));
}

async function downSteps(input: LabDownInput, deps: LabDeps, emit: Emit<LabDownEvent>): Promise<LabDownOutcome> {
  const { config, github, clock } = deps;
  const startedAt = clock.now();
  const cfg = labConfig(config);
  const cluster = deps.kube.cluster(cfg.cluster);
  const branch = await labBranch(github, input.app === undefined ? undefined : getOwn(config.apps, input.app)?.repo, input.target);
  const namespace = labNamespace(branch);
  const found = await findLab(cluster, namespace);
  if (found.state === "absent") throw new UserError(`There is no review lab for \`${branch}\` (no namespace ${namespace}). See \`/reviewlab list\`.`);
  if (found.state === "foreign") throw new UserError(`Namespace ${namespace} is not a Tugboat review lab; Tugboat will not delete it.`);
  const lab = found.lab;
  if (lab.branch !== branch) throw new UserError(`Namespace ${namespace} holds the review lab of \`${lab.branch}\`, not \`${branch}\`.`);
  const isOwner = lab.owner === input.actorId;
  if (!isOwner && !(await input.mayRemoveOthers())) {
    throw new DeniedError(rich`Denied: the review lab for \`${branch}\` belongs to ${mention(lab.owner)}; removing someone else's lab needs the \`reviewlab:down\` permission.`, "reviewlab:down");
  }
  const as = isOwner ? "owner" : "reviewlab:down";
  deps.audit({ branch, namespace, owner: lab.owner, as });
  await emit({ type: "found", branch, namespace, owner: lab.owner, as });

  await deleteLabNamespace(cluster, namespace);
  await emit({ type: "deleted", namespace });
  const gone = await waitForNamespaceGone(cluster, namespace, cfg.readyTimeoutSeconds * 1000, deps.signal);
  const finishedAt = clock.now();
  const outcome: LabDownOutcome = gone
    ? { type: "removed", branch, namespace, cluster: cluster.name, startedAt, finishedAt }
    : { type: "still-terminating", branch, namespace, cluster: cluster.name, timeoutSeconds: cfg.readyTimeoutSeconds, startedAt, finishedAt };
  await emit(outcome);
  // GitHub after the outcome: its writes are paced about a second apart by the gateway.
  const repo = getOwn(config.apps, lab.app)?.repo;
  if (repo) {
    await markLabInactive(github, repo, lab, deps.log);
    await noteLabRemoved(github, repo, lab, input.reason ?? (gone ? "its namespace is gone" : "its namespace is being deleted"), deps.log);
  }
  return outcome;
}
