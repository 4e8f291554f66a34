import { UserError } from "../../core/errors.js";
import type { KObject } from "../../gateways/types.js";
import type { V1LabelSelector, V1Pod } from "../../gateways/kube-models.js";
import { fields } from "../../core/json-fields.js";
import { formatLabels, selectorString } from "./describe-writer.js";
import type { KubeQuery } from "./kube-query.js";

// `/kube logs TYPE/NAME`: the pod kubectl would read (polymorphichelpers.AttachablePodForObject): the object's
// pods by its selector, sorted by podutils.ByLogging, first one.

/** The label selector kubectl uses to find an object's pods; undefined for kinds kubectl cannot take logs from. */
function podSelector(obj: KObject, group: string): string | undefined {
  const kind = obj.kind;
  const selector = fields(obj.spec).selector;
  // A Service's and a ReplicationController's spec.selector is a label map; the workloads' is a LabelSelector.
  if (group === "" && kind === "Service") return Object.keys(labelMap(selector)).length ? formatLabels(labelMap(selector)) : undefined;
  if (group === "" && kind === "ReplicationController") return formatLabels(labelMap(selector));
  if ((group === "apps" && ["Deployment", "ReplicaSet", "StatefulSet", "DaemonSet"].includes(kind ?? "")) || (group === "batch" && kind === "Job")) {
    return selectorString(labelSelector(selector));
  }
  return undefined;
}

/** A label map's string entries. */
function labelMap(v: unknown): Record<string, string> {
  return Object.fromEntries(Object.entries(fields(v)).filter((e): e is [string, string] => typeof e[1] === "string"));
}

/** A LabelSelector's matchLabels and well-formed matchExpressions. */
function labelSelector(v: unknown): V1LabelSelector {
  const sel = fields(v);
  const expressions = Array.isArray(sel.matchExpressions) ? sel.matchExpressions.map(fields) : [];
  return {
    matchLabels: labelMap(sel.matchLabels),
    matchExpressions: expressions
      .filter((e) => typeof e.key === "string" && typeof e.operator === "string")
      .map((e) => ({ key: String(e.key), operator: String(e.operator), values: Array.isArray(e.values) ? e.values.map(String) : undefined })),
  };
}

const PHASE_RANK: Record<string, number> = { Running: 0, Unknown: 1, Pending: 2 };

function readyTime(p: V1Pod): number | undefined {
  const c = (p.status?.conditions ?? []).find((x) => x.type === "Ready" && x.status === "True");
  return c ? Date.parse(c.lastTransitionTime ?? "") || 0 : undefined;
}
const isReady = (p: V1Pod) => readyTime(p) !== undefined;
const restarts = (p: V1Pod) => Math.max(0, ...(p.status?.containerStatuses ?? []).map((s) => s.restartCount ?? 0));
/** afterOrZero(t1, t2): t1 is zero, or t1 after t2 (zero times count as 0 here). */
const afterOrZero = (t1: number, t2: number) => (t1 === 0 || t2 === 0 ? t1 === 0 : t1 > t2);

/** podutils.ByLogging's Less. */
export function byLogging(a: V1Pod, b: V1Pod): number {
  const less = (i: V1Pod, j: V1Pod): boolean | undefined => {
    const ni = i.spec?.nodeName ?? "";
    const nj = j.spec?.nodeName ?? "";
    if (ni !== nj && (ni === "" || nj === "")) return ni !== "";
    const pi = PHASE_RANK[i.status?.phase ?? ""] ?? 0;
    const pj = PHASE_RANK[j.status?.phase ?? ""] ?? 0;
    if (pi !== pj) return pi < pj;
    if (isReady(i) !== isReady(j)) return isReady(i);
    if (isReady(i) && isReady(j) && readyTime(i) !== readyTime(j)) return afterOrZero(readyTime(j)!, readyTime(i)!);
    if (restarts(i) !== restarts(j)) return restarts(i) > restarts(j);
    const ci = Date.parse(i.metadata?.creationTimestamp ?? "") || 0;
    const cj = Date.parse(j.metadata?.creationTimestamp ?? "") || 0;
    if (ci !== cj) return afterOrZero(cj, ci);
    return undefined;
  };
  if (less(a, b)) return -1;
  if (less(b, a)) return 1;
  return 0;
}

/** The pod `/kube logs TYPE/NAME` reads, with how many pods matched. */
export async function firstPodFor(q: KubeQuery, type: string, name: string, namespace: string): Promise<{ pod: V1Pod; count: number; kind: string }> {
  const res = await q.resolve(type, "get");
  await q.authorize(res, namespace);
  const obj = await q.callOr((c) => c.get(res, name, res.namespaced ? namespace : undefined), "not-found");
  if (!obj) return q.notFound(res, name, namespace);
  const kind = obj.kind ?? res.kind;
  const selector = podSelector({ ...obj, kind }, res.group);
  if (selector === undefined) throw new UserError(`Cannot read logs from a ${kind}: give a pod, or a Deployment, ReplicaSet, StatefulSet, DaemonSet, Job or Service.`);
  const { items } = await q.call((c) => c.pods.list({ namespace, labelSelector: selector }));
  if (items.length === 0) throw new UserError(`No pods of ${res.singular}/${name} in namespace ${namespace} on cluster ${q.cluster} (selector ${selector}).`);
  const sorted = items.map((p, i) => ({ p, i })).sort((x, y) => byLogging(x.p, y.p) || x.i - y.i);
  return { pod: sorted[0]!.p, count: items.length, kind: res.singular };
}
