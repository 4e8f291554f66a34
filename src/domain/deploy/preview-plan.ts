import { UserError } from "../../core/errors.js";
import type { ApiResource, KObject, KubeCluster } from "../../gateways/types.js";
import { mapLimit, resourceFor } from "../apply-objects.js";
import { describeObject } from "../render-manifests.js";
import type { DeployStamp } from "./annotations.js";
import { diffObject, type ObjectDiff } from "./object-diff.js";
import type { DeployPlan } from "./plan-deploy.js";
import { setImageOps } from "./set-images.js";
import type { CanaryPlan } from "./start-canary.js";

// What a plan would do to each object, asked of the API server itself: every write the deploy would send is
// sent first with dryRun=All (same field manager, same force, same JSON patch), and the answer is compared with
// the live object, as `kubectl diff --server-side` does. Nothing is stored; defaulting, validation and admission
// all run, so a plan the server would refuse is refused here, before anything changes.

export interface PlanPreview {
  objects: ObjectDiff[];
}

export interface PreviewOptions {
  fieldManager: string;
  stamp: DeployStamp;
  concurrency?: number;
}

async function previewApply(cluster: KubeCluster, res: ApiResource, obj: KObject, fieldManager: string): Promise<ObjectDiff> {
  const name = obj.metadata!.name!;
  const namespace = obj.metadata?.namespace;
  try {
    const live = await cluster.find(res, name, namespace);
    const after = await cluster.retryOnConflict(() => cluster.apply(res, obj, { fieldManager, force: true, dryRun: true }));
    return diffObject(live, { apiVersion: res.groupVersion, kind: res.kind, ...after });
  } catch (err) {
    throw refused(obj, err);
  }
}

function refused(obj: KObject, err: unknown): Error {
  if (err instanceof UserError) return err;
  return new UserError(`${describeObject(obj)}: the API server refused it in a dry run: ${(err as Error).message}`);
}

/** Dry-runs every write of the plan and returns, per object, whether it is created, changed (and how) or unchanged. */
export async function previewPlan(cluster: KubeCluster, plan: DeployPlan | CanaryPlan, opts: PreviewOptions): Promise<PlanPreview> {
  const limit = opts.concurrency ?? 8;
  if (plan.mode === "manifests") {
    const objects = await mapLimit(plan.objects, limit, async (obj) => previewApply(cluster, await resourceFor(cluster, obj), obj, opts.fieldManager));
    return { objects };
  }
  if (plan.mode === "canary") {
    const deployments = await cluster.deployments.resource();
    return { objects: await mapLimit(plan.canaries, limit, (obj) => previewApply(cluster, deployments, obj, opts.fieldManager)) };
  }
  const objects = await mapLimit(plan.targets, limit, async ({ deploy, containers }) => {
    const ops = setImageOps(deploy, containers, opts.stamp);
    try {
      const after = await cluster.deployments.patch(deploy.metadata!.name!, deploy.metadata!.namespace, ops, "json", { dryRun: true });
      return diffObject(deploy, { apiVersion: "apps/v1", kind: "Deployment", ...after });
    } catch (err) {
      throw refused(deploy, err);
    }
  });
  return { objects };
}

/** "2 changed, 1 created, 3 unchanged". */
export function countActions(preview: PlanPreview): string {
  const n = (a: ObjectDiff["action"]) => preview.objects.filter((o) => o.action === a).length;
  const parts = [
    [n("create"), "created"],
    [n("change"), "changed"],
    [n("unchanged"), "unchanged"],
  ] as const;
  return parts
    .filter(([count]) => count > 0)
    .map(([count, word]) => `${count} ${word}`)
    .join(", ");
}
