import type { ApiResource, KObject, KubeCluster } from "../../gateways/types.js";
import type { V1Deployment } from "../../gateways/kube-models.js";
import { isGatewayError } from "../../gateways/types.js";
import { mapLimit, resourceFor } from "../apply-objects.js";
import { describeObject } from "../render-manifests.js";
import { ANN_DEPLOYED_AT, ANN_DEPLOYED_BY, ANN_PR, ANN_SHA, type DeployStamp } from "./annotations.js";
import type { DeployPlan } from "./plan-deploy.js";
import { revisionOf, rollbackDeployment, sameJson } from "./rollback.js";
import { setImageOps } from "./set-images.js";

// Carries out a plan so that nothing is left half-applied: every object is read first, and when a change
// fails (after retries) everything already changed is put back the way it was.

export interface Snapshot {
  res: ApiResource;
  name: string;
  namespace: string;
  kind: string;
  /** The object before the deploy; undefined when the deploy creates it. */
  before?: KObject;
  revision: number;
}

export class PartialApplyError extends Error {
  constructor(
    message: string,
    readonly snapshots: Snapshot[],
    override readonly cause: unknown,
  ) {
    super(message);
    this.name = "PartialApplyError";
  }
}

export interface ExecuteOptions {
  fieldManager: string;
  stamp: DeployStamp;
  concurrency?: number;
}

export interface Executed {
  snapshots: Snapshot[];
  /** Deployment name → generation after the change (what the controller must observe). */
  deployments: Map<string, number>;
}

const TUGBOAT_ANNOTATIONS = [ANN_PR, ANN_SHA, ANN_DEPLOYED_BY, ANN_DEPLOYED_AT];

async function takeSnapshots(cluster: KubeCluster, objects: Array<{ obj: KObject; res: ApiResource }>): Promise<Snapshot[]> {
  return mapLimit(objects, 8, async ({ obj, res }) => {
    const name = obj.metadata!.name!;
    const namespace = obj.metadata!.namespace!;
    const before = await cluster.find(res, name, namespace);
    return { res, name, namespace, kind: obj.kind ?? res.kind, before, revision: revisionOf(before) };
  });
}

export async function executePlan(cluster: KubeCluster, plan: DeployPlan, opts: ExecuteOptions): Promise<Executed> {
  const deployments = new Map<string, number>();
  if (plan.mode === "manifests") {
    const withRes = await Promise.all(plan.objects.map(async (obj) => ({ obj, res: await resourceFor(cluster, obj) })));
    const snapshots = await takeSnapshots(cluster, withRes);
    const results = await mapLimit(withRes, opts.concurrency ?? 8, async ({ obj, res }) => {
      try {
        const applied = await cluster.retryOnConflict(() => cluster.apply(res, obj, { fieldManager: opts.fieldManager, force: true }));
        if (obj.kind === "Deployment") deployments.set(applied.metadata!.name!, applied.metadata?.generation ?? 0);
        return undefined;
      } catch (err) {
        return { obj, err };
      }
    });
    const failed = results.find((r) => r !== undefined);
    if (failed) throw new PartialApplyError(`${describeObject(failed.obj)}: ${(failed.err as Error).message}`, snapshots, failed.err);
    return { snapshots, deployments };
  }

  const res = await cluster.deployments.resource();
  const snapshots: Snapshot[] = plan.targets.map(({ deploy }) => ({
    res,
    name: deploy.metadata!.name!,
    namespace: deploy.metadata!.namespace!,
    kind: "Deployment",
    before: deploy,
    revision: revisionOf(deploy),
  }));
  const results = await mapLimit(plan.targets, opts.concurrency ?? 8, async ({ deploy, containers }) => {
    const name = deploy.metadata!.name!;
    try {
      const ops = setImageOps(deploy, containers, opts.stamp);
      const patched = await cluster.retryOnConflict(() => cluster.deployments.patch(name, deploy.metadata!.namespace, ops, "json"));
      deployments.set(name, patched.metadata?.generation ?? 0);
      return undefined;
    } catch (err) {
      return { name, err };
    }
  });
  const failed = results.find((r) => r !== undefined);
  if (failed) throw new PartialApplyError(`Deployment ${failed.name}: ${(failed.err as Error).message}`, snapshots, failed.err);
  return { snapshots, deployments };
}

/** The part of an object a restore compares and re-applies. */
function content(obj: KObject): KObject {
  const { metadata, status: _status, ...rest } = obj;
  return {
    ...rest,
    metadata: { name: metadata?.name, namespace: metadata?.namespace, labels: metadata?.labels, annotations: metadata?.annotations },
  };
}

/** Same content as before (apiVersion and kind aside: list items carry neither). */
function unchanged(now: KObject, before: KObject): boolean {
  const { apiVersion: _a, kind: _k, ...a } = content(now);
  const { apiVersion: _b, kind: _l, ...b } = content(before);
  return sameJson(a, b);
}

export interface RestoreResult {
  /** Deployments whose template went back (their rollout must be followed). */
  rolledBack: Map<string, number>;
  deleted: string[];
  reapplied: string[];
  errors: string[];
}

/** What a restore did, in one sentence: only what had changed is named, and a failure says what is left. */
export function describeRestore(r: RestoreResult, namespace: string): string {
  const putBack = [...[...r.rolledBack.keys()].map((n) => `Deployment ${n}`), ...r.reapplied, ...r.deleted.map((d) => `${d} (removed)`)];
  const done = putBack.length ? `Put back what it had changed: ${putBack.join(", ")}.` : "";
  if (r.errors.length) return `${done ? `${done} ` : ""}Could not put back: ${r.errors.join("; ")}. Check those in ${namespace} by hand.`;
  return done || "Nothing had been changed.";
}

/**
 * Puts every changed object back: Deployments by rollout undo to their previous revision, others as they were.
 * Objects that are as they were are left alone (a failed apply usually changed nothing), so a refused write cannot
 * turn into a failed restore of something that never moved.
 */
export async function restoreSnapshots(cluster: KubeCluster, snapshots: Snapshot[], fieldManager: string): Promise<RestoreResult> {
  const out: RestoreResult = { rolledBack: new Map(), deleted: [], reapplied: [], errors: [] };
  await mapLimit(snapshots, 8, async (s) => {
    try {
      const now = await cluster.find(s.res, s.name, s.namespace);
      if (!s.before) {
        if (now) {
          await cluster.delete(s.res, s.name, s.namespace).catch((err) => {
            if (!isGatewayError(err, "not-found")) throw err;
          });
          out.deleted.push(`${s.kind} ${s.name}`);
        }
        return;
      }
      if (!now || unchanged(now, s.before)) return;
      if (s.kind === "Deployment" && s.res.group === "apps") {
        // An apps Deployment as the API server stored it (the snapshot's read).
        const before = s.before as V1Deployment;
        const prevAnn: Record<string, string | null> = {};
        for (const k of TUGBOAT_ANNOTATIONS) prevAnn[k] = before.metadata?.annotations?.[k] ?? null;
        const { after } = await rollbackDeployment(cluster, s.namespace, s.name, {
          toRevision: s.revision || undefined,
          fallbackTemplate: before.spec?.template,
          annotations: prevAnn,
          replicas: before.spec?.replicas,
        });
        out.rolledBack.set(s.name, after.metadata?.generation ?? 0);
        return;
      }
      await cluster.retryOnConflict(() => cluster.apply(s.res, content(s.before!), { fieldManager, force: true }));
      out.reapplied.push(`${s.kind} ${s.name}`);
    } catch (err) {
      out.errors.push(`${s.kind} ${s.name}: ${(err as Error).message}`);
    }
  });
  return out;
}
