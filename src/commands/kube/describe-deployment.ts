import type { V1Deployment, V1DeploymentSpec, V1PodTemplateSpec, V1ReplicaSet } from "../../gateways/kube-models.js";
import { describePodTemplate } from "./describe-containers.js";
import { listFor, type DescribeCtx } from "./describe-context.js";
import { writeEvents } from "./describe-events.js";
import { annotationsMultiline, DescribeWriter, labelsMultiline, rfc1123z, selectorString } from "./describe-writer.js";

// kubectl's DeploymentDescriber: replica counts, strategy, template, conditions, old/new ReplicaSets, events.

const HASH = "pod-template-hash";

/** JSON with sorted keys, for deep equality. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (v && typeof v === "object") {
    return `{${Object.keys(v)
      .sort()
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v);
}

/** deploymentutil.EqualIgnoreHash: templates equal once the pod-template-hash label is dropped. */
function withoutHash(template: V1PodTemplateSpec | undefined): string {
  const t = structuredClone(template ?? {});
  const labels = t.metadata?.labels;
  if (t.metadata && labels) {
    delete labels[HASH];
    if (Object.keys(labels).length === 0) delete t.metadata.labels;
  }
  return canonical(t);
}

/** GetAllReplicaSets: the ReplicaSets this Deployment controls; the new one is the oldest whose template matches. */
export function splitReplicaSets(deploy: V1Deployment, items: V1ReplicaSet[]): { oldRSs: V1ReplicaSet[]; newRS?: V1ReplicaSet } {
  const owned = items.filter((rs) => (rs.metadata?.ownerReferences ?? []).some((r) => r.controller === true && r.uid === deploy.metadata?.uid));
  const byAge = [...owned].sort((a, b) => {
    const ta = Date.parse(a.metadata?.creationTimestamp ?? "") || 0;
    const tb = Date.parse(b.metadata?.creationTimestamp ?? "") || 0;
    return ta !== tb ? ta - tb : (a.metadata?.name ?? "") < (b.metadata?.name ?? "") ? -1 : 1;
  });
  const want = withoutHash(deploy.spec?.template);
  const newRS = byAge.find((rs) => withoutHash(rs.spec?.template) === want);
  return { oldRSs: owned.filter((rs) => rs !== newRS), newRS };
}

function rsList(list: V1ReplicaSet[]): string {
  const s = list.map((rs) => `${rs.metadata?.name} (${rs.status?.replicas ?? 0}/${rs.spec?.replicas ?? 1} replicas created)`).join(", ");
  return s === "" ? "<none>" : s;
}

/** intstr as Go prints it: a number or a string. */
function intstr(v: unknown, fallback: string): string {
  return v === undefined || v === null ? fallback : String(v);
}

export async function describeDeployment(d: DescribeCtx<V1Deployment>): Promise<string> {
  const dep = d.obj;
  const spec: Partial<V1DeploymentSpec> = dep.spec ?? {};
  const status = dep.status ?? {};
  const [events, listed] = await Promise.all([
    d.events([{ name: dep.metadata?.name ?? "", namespace: dep.metadata?.namespace, kind: "Deployment", uid: dep.metadata?.uid }]),
    listFor(d.q, "replicaSets", dep.metadata?.namespace, { labelSelector: selectorString(spec.selector) }),
  ]);
  const w = new DescribeWriter();
  w.line(0, `Name:\t${dep.metadata?.name ?? ""}`);
  w.line(0, `Namespace:\t${dep.metadata?.namespace ?? ""}`);
  w.line(0, `CreationTimestamp:\t${rfc1123z(dep.metadata?.creationTimestamp)}`);
  labelsMultiline(w, "Labels", dep.metadata?.labels);
  annotationsMultiline(w, "Annotations", dep.metadata?.annotations);
  w.line(0, `Selector:\t${selectorString(spec.selector)}`);
  w.line(
    0,
    `Replicas:\t${spec.replicas ?? 1} desired | ${status.updatedReplicas ?? 0} updated | ${status.replicas ?? 0} total | ${status.availableReplicas ?? 0} available | ${status.unavailableReplicas ?? 0} unavailable`,
  );
  w.line(0, `StrategyType:\t${spec.strategy?.type ?? ""}`);
  w.line(0, `MinReadySeconds:\t${spec.minReadySeconds ?? 0}`);
  const ru = spec.strategy?.rollingUpdate;
  if (ru) w.line(0, `RollingUpdateStrategy:\t${intstr(ru.maxUnavailable, "0")} max unavailable, ${intstr(ru.maxSurge, "0")} max surge`);
  describePodTemplate(w, spec.template);
  const conditions = status.conditions ?? [];
  if (conditions.length > 0) {
    w.write(0, "Conditions:\n  Type\tStatus\tReason\n");
    w.line(1, "----\t------\t------");
    for (const c of conditions) w.line(1, `${c.type} \t${c.status}\t${c.reason ?? ""}`);
  }
  if ("items" in listed) {
    const { oldRSs, newRS } = splitReplicaSets(dep, listed.items);
    if (oldRSs.length > 0 || newRS) {
      w.line(0, `OldReplicaSets:\t${rsList(oldRSs)}`);
      w.line(0, `NewReplicaSet:\t${rsList(newRS ? [newRS] : [])}`);
    }
  }
  writeEvents(w, events, d.now);
  return w.text();
}
