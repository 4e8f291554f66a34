import type { V1ReplicaSet } from "../../gateways/kube-models.js";
import { describePodTemplate } from "./describe-containers.js";
import { listFor, type DescribeCtx } from "./describe-context.js";
import { writeEvents } from "./describe-events.js";
import { annotationsMultiline, controlledBy, DescribeWriter, formatLabelSelector, labelsMultiline, selectorString } from "./describe-writer.js";

// kubectl's ReplicaSetDescriber: the pods it controls counted by phase, its template, conditions, events.

/** getPodStatusForController: pods matching the selector whose controller is this object, by phase. */
export async function podStatusFor(d: Pick<DescribeCtx, "q">, obj: V1ReplicaSet): Promise<string> {
  const listed = await listFor(d.q, "pods", obj.metadata?.namespace, { labelSelector: selectorString(obj.spec?.selector) });
  if ("error" in listed) return `error in fetching pods: ${listed.error}`;
  const n: Record<string, number> = { Running: 0, Pending: 0, Succeeded: 0, Failed: 0 };
  for (const p of listed.items) {
    const ref = (p.metadata?.ownerReferences ?? []).find((r) => r.controller === true);
    if (!ref || ref.uid !== obj.metadata?.uid) continue;
    const phase = p.status?.phase ?? "";
    if (phase in n) n[phase]!++;
  }
  return `${n.Running} Running / ${n.Pending} Waiting / ${n.Succeeded} Succeeded / ${n.Failed} Failed`;
}

export async function describeReplicaSet(d: DescribeCtx<V1ReplicaSet>): Promise<string> {
  const rs = d.obj;
  const [pods, events] = await Promise.all([
    podStatusFor(d, rs),
    d.events([{ name: rs.metadata?.name ?? "", namespace: rs.metadata?.namespace, kind: "ReplicaSet", uid: rs.metadata?.uid }]),
  ]);
  const w = new DescribeWriter();
  w.line(0, `Name:\t${rs.metadata?.name ?? ""}`);
  w.line(0, `Namespace:\t${rs.metadata?.namespace ?? ""}`);
  w.line(0, `Selector:\t${formatLabelSelector(rs.spec?.selector)}`);
  labelsMultiline(w, "Labels", rs.metadata?.labels);
  annotationsMultiline(w, "Annotations", rs.metadata?.annotations);
  const owner = controlledBy(rs);
  if (owner) w.line(0, `Controlled By:\t${owner}`);
  w.line(0, `Replicas:\t${rs.status?.replicas ?? 0} current / ${rs.spec?.replicas ?? 1} desired`);
  w.line(0, `Pods Status:\t${pods}`);
  describePodTemplate(w, rs.spec?.template);
  const conditions = rs.status?.conditions ?? [];
  if (conditions.length > 0) {
    w.write(0, "Conditions:\n  Type\tStatus\tReason\n");
    w.line(1, "----\t------\t------");
    for (const c of conditions) w.line(1, `${c.type} \t${c.status}\t${c.reason ?? ""}`);
  }
  writeEvents(w, events, d.now);
  return w.text();
}
