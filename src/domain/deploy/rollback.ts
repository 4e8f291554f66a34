import { UserError } from "../../core/errors.js";
import type { KubeCluster } from "../../gateways/types.js";
import type { V1Deployment, V1ObjectMeta, V1PodTemplateSpec, V1ReplicaSet } from "../../gateways/kube-models.js";
import { ANN_REVISION, annotationOps } from "./annotations.js";

// `kubectl rollout undo`: find the Deployment's ReplicaSets by their revision annotation, take the one to go
// back to (the newest older than the current one, or a named revision), drop its pod-template-hash label, and
// patch the Deployment's /spec/template back to it.

export interface Revision {
  revision: number;
  replicaSet: V1ReplicaSet;
}

export function revisionOf(obj: { metadata?: V1ObjectMeta } | undefined): number {
  const n = Number(obj?.metadata?.annotations?.[ANN_REVISION] ?? 0);
  return Number.isFinite(n) ? n : 0;
}

/** The Deployment's ReplicaSets (owned by it), newest revision first. */
export async function listRevisions(cluster: KubeCluster, deploy: V1Deployment): Promise<Revision[]> {
  const selector = Object.entries(deploy.spec?.selector.matchLabels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
  const { items } = await cluster.replicaSets.list({ namespace: deploy.metadata?.namespace, labelSelector: selector || undefined });
  const uid = deploy.metadata?.uid;
  return items
    .filter((rs) => (rs.metadata?.ownerReferences ?? []).some((o) => o.uid === uid && o.kind === "Deployment"))
    .map((rs) => ({ revision: revisionOf(rs), replicaSet: rs }))
    .sort((a, b) => b.revision - a.revision);
}

/** A ReplicaSet's pod template as a Deployment template: without the pod-template-hash label. */
export function templateOf(rs: V1ReplicaSet): V1PodTemplateSpec {
  const tpl = structuredClone(rs.spec?.template ?? {});
  if (tpl.metadata?.labels) delete tpl.metadata.labels["pod-template-hash"];
  return tpl;
}

export interface RollbackResult {
  name: string;
  fromRevision: number;
  toRevision: number;
  /** False when the Deployment already ran that template (nothing to do). */
  changed: boolean;
  template: V1PodTemplateSpec;
  /** The Deployment before, and as the server answered the patch (with `dryRun`: as it would be). */
  before: V1Deployment;
  after: V1Deployment;
}

/** Same content, ignoring key order. */
export function sameJson(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (v && typeof v === "object") {
    const entries = Object.entries(v).filter(([, value]) => value !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, value]) => `${JSON.stringify(k)}:${canonical(value)}`).join(",")}}`;
  }
  return JSON.stringify(v);
}

/**
 * Rolls a Deployment back. `toRevision` picks a revision (0 or absent: the previous one); `template` is a
 * fallback used when that ReplicaSet is gone (e.g. pruned by revisionHistoryLimit).
 */
export async function rollbackDeployment(
  cluster: KubeCluster,
  namespace: string,
  name: string,
  opts: { toRevision?: number; fallbackTemplate?: V1PodTemplateSpec; annotations?: Record<string, string | null>; replicas?: number; dryRun?: boolean } = {},
): Promise<RollbackResult> {
  const deploy = await cluster.deployments.get(name, namespace);
  if (deploy.spec?.paused === true) {
    // as kubectl rollout undo: the template would change but never roll out
    throw new UserError(`You cannot roll back a paused Deployment: ${name} in ${namespace} is paused. Resume it first (\`kubectl rollout resume deployment/${name} -n ${namespace}\`) and try again.`);
  }
  const current = revisionOf(deploy);
  const revisions = await listRevisions(cluster, deploy);
  let target: Revision | undefined;
  if (opts.toRevision) target = revisions.find((r) => r.revision === opts.toRevision);
  else target = revisions.find((r) => r.revision < (current || Infinity) && r.revision > 0 && r.revision !== current);
  let template = target ? templateOf(target.replicaSet) : opts.fallbackTemplate;
  if (!template) {
    throw new UserError(`${name} has no previous revision to roll back to (revisions: ${revisions.map((r) => r.revision).join(", ") || "none"}).`);
  }
  template = structuredClone(template);
  const changed = !sameJson(template, deploy.spec?.template);
  const ops: unknown[] = [];
  if (changed) ops.push({ op: "replace", path: "/spec/template", value: template });
  if (opts.replicas !== undefined && opts.replicas !== deploy.spec?.replicas) ops.push({ op: "replace", path: "/spec/replicas", value: opts.replicas });
  if (opts.annotations) ops.push(...annotationOps(deploy.metadata?.annotations, opts.annotations));
  let after = deploy;
  if (ops.length > 0) {
    // The same JSON patch is idempotent, so a 5xx or a conflict may be retried.
    after = await cluster.retryOnConflict(() => cluster.deployments.patch(name, namespace, ops, "json", { dryRun: opts.dryRun }));
  }
  return { name, fromRevision: current, toRevision: target?.revision ?? 0, changed, template, before: deploy, after };
}
