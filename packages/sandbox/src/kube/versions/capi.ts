// Cluster API v1beta1 (how the sandbox stores CAPI objects) ↔ v1beta2 (CAPI 1.11+, preferred): the fields
// Tugboat and kubectl read. v1beta2 moves the old counters, failure reason/message and old-style conditions to
// status.deprecated.v1beta1, uses metav1 conditions, and references templates by apiGroup instead of apiVersion.
import { clone, isPlainObject } from "../util.js";

const REFS: Record<string, string[][]> = {
  MachineDeployment: [["spec", "template", "spec", "infrastructureRef"], ["spec", "template", "spec", "bootstrap", "configRef"]],
  Machine: [["spec", "infrastructureRef"], ["spec", "bootstrap", "configRef"]],
  Cluster: [["spec", "infrastructureRef"], ["spec", "controlPlaneRef"]],
};

function at(o: any, path: string[]): any {
  return path.reduce((x, k) => (isPlainObject(x) ? x[k] : undefined), o);
}

function setAt(o: any, path: string[], v: any): void {
  const parent = at(o, path.slice(0, -1));
  if (isPlainObject(parent)) parent[path[path.length - 1]] = v;
}

/** v1beta1 (severity, optional reason) → metav1 (reason required) */
function toMetaCondition(c: any, generation?: number): any {
  const out: any = { type: c.type, status: c.status, lastTransitionTime: c.lastTransitionTime, reason: c.reason || (c.status === "True" ? c.type : `Not${c.type}`) };
  if (c.message) out.message = c.message;
  if (generation !== undefined) out.observedGeneration = generation;
  return out;
}

const V1BETA2_TYPE: Record<string, string> = { BootstrapReady: "BootstrapConfigReady" };
const MOVED_COUNTERS = ["readyReplicas", "availableReplicas", "updatedReplicas", "unavailableReplicas"];

export function capiToV1beta2(stored: any): any {
  const o = clone(stored);
  o.apiVersion = "cluster.x-k8s.io/v1beta2";
  for (const path of REFS[o.kind] ?? []) {
    const ref = at(o, path);
    if (isPlainObject(ref) && ref.apiVersion) setAt(o, path, { apiGroup: String(ref.apiVersion).split("/")[0], kind: ref.kind, name: ref.name });
  }
  if (o.kind === "Cluster" && isPlainObject(o.spec?.topology) && o.spec.topology.class !== undefined) {
    o.spec.topology.classRef = { name: o.spec.topology.class };
    delete o.spec.topology.class;
  }
  const st = o.status;
  if (!isPlainObject(st)) return o;
  const deprecated: any = {};
  if (st.failureReason !== undefined) deprecated.failureReason = st.failureReason;
  if (st.failureMessage !== undefined) deprecated.failureMessage = st.failureMessage;
  delete st.failureReason;
  delete st.failureMessage;
  const newStyle = st.v1beta2 ?? {};
  delete st.v1beta2;
  if (Array.isArray(st.conditions)) deprecated.conditions = st.conditions;
  const conditions = Array.isArray(newStyle.conditions)
    ? newStyle.conditions
    : (st.conditions ?? []).map((c: any) => toMetaCondition({ ...c, type: V1BETA2_TYPE[c.type] ?? c.type }, o.metadata?.generation));
  if (conditions.length) st.conditions = conditions;
  else delete st.conditions;
  if (o.kind === "MachineDeployment") {
    for (const k of MOVED_COUNTERS) if (st[k] !== undefined) deprecated[k] = st[k];
    const ready = newStyle.readyReplicas ?? st.readyReplicas;
    const available = newStyle.availableReplicas ?? st.availableReplicas;
    const upToDate = newStyle.upToDateReplicas ?? st.updatedReplicas;
    for (const k of MOVED_COUNTERS) delete st[k];
    if (ready !== undefined) st.readyReplicas = ready;
    if (available !== undefined) st.availableReplicas = available;
    if (upToDate !== undefined) st.upToDateReplicas = upToDate;
  }
  if (o.kind === "Machine" && isPlainObject(st.nodeRef)) st.nodeRef = { name: st.nodeRef.name };
  if (Object.keys(deprecated).length) st.deprecated = { v1beta1: deprecated };
  return o;
}

/** v1beta2 → v1beta1; `old` (the stored object, if any) supplies what v1beta2 cannot say (reference versions) */
export function capiToV1beta1(served: any, old?: any): any {
  const o = clone(served);
  o.apiVersion = "cluster.x-k8s.io/v1beta1";
  for (const path of REFS[o.kind] ?? []) {
    const ref = at(o, path);
    if (!isPlainObject(ref) || ref.apiGroup === undefined) continue;
    const before = old ? at(old, path) : undefined;
    const sameGroup = before?.apiVersion && String(before.apiVersion).split("/")[0] === ref.apiGroup;
    setAt(o, path, { apiVersion: sameGroup ? before.apiVersion : `${ref.apiGroup}/v1beta1`, kind: ref.kind, name: ref.name, ...(o.metadata?.namespace ? { namespace: o.metadata.namespace } : {}) });
  }
  if (o.kind === "Cluster" && isPlainObject(o.spec?.topology?.classRef)) {
    o.spec.topology.class = o.spec.topology.classRef.name;
    delete o.spec.topology.classRef;
  }
  const st = o.status;
  if (!isPlainObject(st)) return o;
  const deprecated = st.deprecated?.v1beta1 ?? {};
  delete st.deprecated;
  const v1beta2: any = {};
  if (Array.isArray(st.conditions)) v1beta2.conditions = st.conditions;
  delete st.conditions;
  if (o.kind === "MachineDeployment") {
    if (st.readyReplicas !== undefined) v1beta2.readyReplicas = st.readyReplicas;
    if (st.availableReplicas !== undefined) v1beta2.availableReplicas = st.availableReplicas;
    if (st.upToDateReplicas !== undefined) v1beta2.upToDateReplicas = st.upToDateReplicas;
    delete st.upToDateReplicas;
    delete st.readyReplicas;
    delete st.availableReplicas;
  }
  Object.assign(st, deprecated);
  if (Object.keys(v1beta2).length) st.v1beta2 = v1beta2;
  return o;
}
