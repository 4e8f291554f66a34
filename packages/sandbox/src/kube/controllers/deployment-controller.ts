import { clone, deepEqual, dropNulls, fnv32, intOrPercent, safeEncode, stableStringify } from "../util.js";
import type { ControllerContext } from "./context.js";
import { D, ownedBy, ownerRef, REVISION } from "./objects.js";

function revisionOf(o: any): number {
  return parseInt(o.metadata.annotations?.[REVISION] ?? "0", 10) || 0;
}

function templateWithoutHash(t: any): any {
  const c = dropNulls(clone(t ?? {}));
  if (c.metadata?.labels) {
    delete c.metadata.labels["pod-template-hash"];
    if (Object.keys(c.metadata.labels).length === 0) delete c.metadata.labels;
  }
  if (c.metadata && Object.keys(c.metadata).length === 0) delete c.metadata;
  return c;
}

function podTemplateHash(t: any, collision = 0): string {
  return safeEncode(String(fnv32(stableStringify(templateWithoutHash(t)) + (collision ? String(collision) : ""))));
}

/**
 * Deployment controller: one ReplicaSet per pod template (revision-annotated), rolled by RollingUpdate or Recreate,
 * old ReplicaSets pruned to revisionHistoryLimit, and status/conditions (including the progress deadline) as
 * kube-controller-manager writes them.
 */
export class DeploymentController {
  /** deployment uid → last time it made progress, for progressDeadlineSeconds */
  private progressAt = new Map<string, number>();

  constructor(private ctx: ControllerContext) {}

  forget(uid: string): void {
    this.progressAt.delete(uid);
  }

  reconcile(d: any): void {
    if (d.metadata.deletionTimestamp) return;
    const ns = d.metadata.namespace;
    const spec = d.spec ?? {};
    const desired: number = spec.replicas ?? 1;
    const all = this.ctx.store.values(D.rs, ns).filter((rs) => ownedBy(rs, d.metadata.uid));
    const want = templateWithoutHash(spec.template);
    let newRS = all.find((rs) => deepEqual(templateWithoutHash(rs.spec?.template), want));
    const maxRev = all.reduce((m, rs) => Math.max(m, revisionOf(rs)), 0);
    let progressReason: string | undefined;
    const at = this.ctx.stamp(d.metadata.creationTimestamp);
    if (!newRS && !spec.paused) {
      let collision = 0;
      let hash = podTemplateHash(spec.template);
      while (this.ctx.store.get(D.rs, ns, `${d.metadata.name}-${hash}`) && collision < 5) hash = podTemplateHash(spec.template, ++collision);
      const sel = clone(spec.selector ?? {});
      sel.matchLabels = { ...(sel.matchLabels ?? {}), "pod-template-hash": hash };
      const tmpl = clone(spec.template ?? {});
      tmpl.metadata = tmpl.metadata ?? {};
      tmpl.metadata.labels = { ...(tmpl.metadata.labels ?? {}), "pod-template-hash": hash };
      const maxSurge = this.surge(d);
      const rs = {
        metadata: {
          name: `${d.metadata.name}-${hash}`,
          namespace: ns,
          labels: { ...(spec.template?.metadata?.labels ?? {}), "pod-template-hash": hash },
          annotations: {
            "deployment.kubernetes.io/desired-replicas": String(desired),
            "deployment.kubernetes.io/max-replicas": String(desired + maxSurge),
            [REVISION]: String(maxRev + 1),
          },
          ownerReferences: [ownerRef("apps/v1", "Deployment", d)],
        },
        spec: { replicas: 0, minReadySeconds: spec.minReadySeconds ?? 0, selector: sel, template: tmpl },
        status: { replicas: 0 },
      };
      if (!rs.spec.minReadySeconds) delete (rs.spec as any).minReadySeconds;
      newRS = this.ctx.api.insert(D.rs, rs, this.ctx.bootstrapping ? d.metadata.creationTimestamp : undefined);
      if (!newRS) return;
      progressReason = "NewReplicaSetCreated";
    } else if (newRS && revisionOf(newRS) < maxRev) {
      const c = clone(newRS);
      c.metadata.annotations = { ...(c.metadata.annotations ?? {}), [REVISION]: String(maxRev + 1) };
      newRS = this.ctx.api.save(D.rs, c);
      progressReason = "FoundNewReplicaSet";
    }
    // keep the deployment's revision annotation in sync
    if (newRS) {
      const rev = newRS.metadata.annotations?.[REVISION];
      if (rev && d.metadata.annotations?.[REVISION] !== rev) {
        const c = clone(d);
        c.metadata.annotations = { ...(c.metadata.annotations ?? {}), [REVISION]: rev };
        d = this.ctx.api.save(D.deploy, c) ?? d;
      }
    }
    const olds = this.ctx.store.values(D.rs, ns).filter((rs) => ownedBy(rs, d.metadata.uid) && rs.metadata.uid !== newRS?.metadata.uid);
    if (!spec.paused && newRS) {
      if ((spec.strategy?.type ?? "RollingUpdate") === "Recreate") this.recreate(d, newRS, olds, desired);
      else this.rolling(d, newRS, olds, desired);
      this.cleanupOld(d, olds);
    }
    this.deploymentStatus(d, progressReason, at);
  }

  private surge(d: any): number {
    const desired = d.spec?.replicas ?? 1;
    if ((d.spec?.strategy?.type ?? "RollingUpdate") !== "RollingUpdate") return 0;
    return intOrPercent(d.spec?.strategy?.rollingUpdate?.maxSurge ?? "25%", desired, true);
  }

  private maxUnavailable(d: any): number {
    const desired = d.spec?.replicas ?? 1;
    if ((d.spec?.strategy?.type ?? "RollingUpdate") !== "RollingUpdate") return 0;
    let mu = intOrPercent(d.spec?.strategy?.rollingUpdate?.maxUnavailable ?? "25%", desired, false);
    const ms = intOrPercent(d.spec?.strategy?.rollingUpdate?.maxSurge ?? "25%", desired, true);
    if (mu === 0 && ms === 0) mu = 1;
    return Math.min(mu, desired);
  }

  private scaleRS(d: any, rs: any, to: number): any {
    const from = rs.spec?.replicas ?? 0;
    if (from === to) return rs;
    const c = clone(rs);
    c.spec.replicas = to;
    c.metadata.annotations = {
      ...(c.metadata.annotations ?? {}),
      "deployment.kubernetes.io/desired-replicas": String(d.spec?.replicas ?? 1),
      "deployment.kubernetes.io/max-replicas": String((d.spec?.replicas ?? 1) + this.surge(d)),
    };
    const saved = this.ctx.api.save(D.rs, c);
    this.ctx.event(d, "Normal", "ScalingReplicaSet", `Scaled ${to > from ? "up" : "down"} replica set ${rs.metadata.name} from ${from} to ${to}`, "deployment-controller");
    return saved ?? rs;
  }

  private rolling(d: any, newRS: any, olds: any[], desired: number): void {
    const maxSurge = this.surge(d);
    const maxUnavail = this.maxUnavailable(d);
    const allCount = () => [newRS, ...olds].reduce((s, rs) => s + (rs.spec?.replicas ?? 0), 0);
    // scale up the new replica set
    const cur = newRS.spec?.replicas ?? 0;
    if (olds.every((rs) => (rs.spec?.replicas ?? 0) === 0)) {
      if (cur !== desired) newRS = this.scaleRS(d, newRS, desired);
    } else if (cur > desired) {
      newRS = this.scaleRS(d, newRS, desired);
    } else if (cur < desired) {
      const allowed = desired + maxSurge - allCount();
      const up = Math.max(0, Math.min(allowed, desired - cur));
      if (up > 0) newRS = this.scaleRS(d, newRS, cur + up);
    }
    // scale down old replica sets
    const oldsWithPods = olds.filter((rs) => (rs.spec?.replicas ?? 0) > 0);
    if (!oldsWithPods.length) return;
    const minAvailable = desired - maxUnavail;
    const newUnavailable = (newRS.spec?.replicas ?? 0) - (newRS.status?.availableReplicas ?? 0);
    let maxScaledDown = allCount() - minAvailable - newUnavailable;
    if (maxScaledDown <= 0) return;
    // first, unhealthy old replicas
    const sorted = [...oldsWithPods].sort((a, b) => revisionOf(a) - revisionOf(b));
    for (let i = 0; i < sorted.length && maxScaledDown > 0; i++) {
      const rs = sorted[i];
      const unhealthy = (rs.spec?.replicas ?? 0) - (rs.status?.availableReplicas ?? 0);
      if (unhealthy <= 0) continue;
      const n = Math.min(maxScaledDown, unhealthy);
      sorted[i] = this.scaleRS(d, rs, (rs.spec?.replicas ?? 0) - n);
      maxScaledDown -= n;
    }
    // then, healthy ones as long as enough replicas stay available
    const available = [newRS, ...olds].reduce((s, rs) => s + Math.min(rs.status?.availableReplicas ?? 0, rs.spec?.replicas ?? 0), 0);
    let total = available - minAvailable;
    for (let i = 0; i < sorted.length && total > 0; i++) {
      const rs = this.ctx.store.get(D.rs, sorted[i].metadata.namespace, sorted[i].metadata.name) ?? sorted[i];
      const r = rs.spec?.replicas ?? 0;
      if (r === 0) continue;
      const n = Math.min(r, total);
      this.scaleRS(d, rs, r - n);
      total -= n;
    }
  }

  private recreate(d: any, newRS: any, olds: any[], desired: number): void {
    let oldPods = 0;
    for (const rs of olds) {
      if ((rs.spec?.replicas ?? 0) > 0) this.scaleRS(d, rs, 0);
      oldPods += rs.status?.replicas ?? 0;
    }
    if (oldPods === 0 && (newRS.spec?.replicas ?? 0) !== desired) this.scaleRS(d, newRS, desired);
  }

  private cleanupOld(d: any, olds: any[]): void {
    const limit = d.spec?.revisionHistoryLimit ?? 10;
    const idle = olds.filter((rs) => (rs.spec?.replicas ?? 0) === 0 && (rs.status?.replicas ?? 0) === 0).sort((a, b) => revisionOf(a) - revisionOf(b));
    for (let i = 0; i < idle.length - limit; i++) this.ctx.api.remove(D.rs, idle[i]);
  }

  private deploymentStatus(d: any, progressReason: string | undefined, at: string): void {
    d = this.ctx.store.get(D.deploy, d.metadata.namespace, d.metadata.name) ?? d;
    const all = this.ctx.store.values(D.rs, d.metadata.namespace).filter((rs) => ownedBy(rs, d.metadata.uid));
    const want = templateWithoutHash(d.spec?.template);
    const newRS = all.find((rs) => deepEqual(templateWithoutHash(rs.spec?.template), want));
    const desired: number = d.spec?.replicas ?? 1;
    const sum = (f: (rs: any) => number) => all.reduce((s, rs) => s + f(rs), 0);
    const replicas = sum((rs) => rs.status?.replicas ?? 0);
    const updated = newRS?.status?.replicas ?? 0;
    const ready = sum((rs) => rs.status?.readyReplicas ?? 0);
    const available = sum((rs) => rs.status?.availableReplicas ?? 0);
    const totalSpec = sum((rs) => rs.spec?.replicas ?? 0);
    const unavailable = Math.max(0, totalSpec - available);
    const old = d.status ?? {};
    const now = Date.now();
    const nowIso = this.ctx.stamp(at);
    const st: any = { observedGeneration: d.metadata.generation ?? 1 };
    if (replicas) st.replicas = replicas;
    if (updated) st.updatedReplicas = updated;
    if (ready) st.readyReplicas = ready;
    if (available) st.availableReplicas = available;
    if (unavailable) st.unavailableReplicas = unavailable;
    if (old.collisionCount) st.collisionCount = old.collisionCount;
    const oldConds: any[] = old.conditions ?? [];
    const setCond = (type: string, status: string, reason: string, message: string, touch: boolean): any => {
      const prev = oldConds.find((c) => c.type === type);
      const same = prev && prev.status === status && prev.reason === reason && prev.message === message;
      if (same && !touch) return prev;
      return {
        type,
        status,
        lastUpdateTime: nowIso,
        lastTransitionTime: prev && prev.status === status ? prev.lastTransitionTime : nowIso,
        reason,
        message,
      };
    };
    const conds: any[] = [];
    const minAvail = desired - this.maxUnavailable(d);
    conds.push(available >= minAvail
      ? setCond("Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability.", false)
      : setCond("Available", "False", "MinimumReplicasUnavailable", "Deployment does not have minimum availability.", false));
    const uid = d.metadata.uid;
    const prevProg = oldConds.find((c) => c.type === "Progressing");
    const pds = d.spec?.progressDeadlineSeconds;
    const rsName = newRS?.metadata.name ?? "";
    const complete = !!newRS && updated === desired && replicas === desired && available === desired && (newRS.spec?.replicas ?? 0) === desired;
    const progressed = (st.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) || (st.readyReplicas ?? 0) > (old.readyReplicas ?? 0) || (st.availableReplicas ?? 0) > (old.availableReplicas ?? 0) || (st.replicas ?? 0) < (old.replicas ?? 0) && (st.updatedReplicas ?? 0) > 0;
    let prog: any;
    if (d.spec?.paused) {
      prog = setCond("Progressing", "Unknown", "DeploymentPaused", "Deployment is paused", false);
    } else if (complete) {
      prog = setCond("Progressing", "True", "NewReplicaSetAvailable", `ReplicaSet "${rsName}" has successfully progressed.`, false);
      this.progressAt.delete(uid);
    } else if (progressReason === "NewReplicaSetCreated") {
      prog = setCond("Progressing", "True", "NewReplicaSetCreated", `Created new replica set "${rsName}"`, true);
      this.progressAt.set(uid, now);
    } else if (progressReason === "FoundNewReplicaSet") {
      prog = setCond("Progressing", "True", "FoundNewReplicaSet", `Found new replica set "${rsName}"`, true);
      this.progressAt.set(uid, now);
    } else if (progressed || (prevProg && prevProg.reason === "NewReplicaSetAvailable") || (prevProg && prevProg.reason === "ProgressDeadlineExceeded" && (d.metadata.generation ?? 1) !== (old.observedGeneration ?? 0))) {
      prog = setCond("Progressing", "True", "ReplicaSetUpdated", `ReplicaSet "${rsName}" is progressing.`, true);
      this.progressAt.set(uid, now);
    } else if (prevProg?.reason === "ProgressDeadlineExceeded") {
      prog = prevProg;
    } else {
      if (!this.progressAt.has(uid)) this.progressAt.set(uid, prevProg ? Math.min(now, Date.parse(prevProg.lastUpdateTime) || now) : now);
      const deadline = typeof pds === "number" ? this.progressAt.get(uid)! + pds * 1000 : Infinity;
      if (now >= deadline) {
        prog = setCond("Progressing", "False", "ProgressDeadlineExceeded", `ReplicaSet "${rsName}" has timed out progressing.`, false);
        if (!this.ctx.bootstrapping) this.ctx.event(d, "Warning", "ProgressDeadlineExceeded", `Deployment "${d.metadata.name}" has timed out progressing.`, "deployment-controller");
      } else {
        prog = prevProg ?? setCond("Progressing", "True", "ReplicaSetUpdated", `ReplicaSet "${rsName}" is progressing.`, true);
        if (deadline !== Infinity) this.ctx.wakeAt(deadline);
      }
    }
    if (prevProg && prevProg.type && oldConds.indexOf(prevProg) < oldConds.findIndex((c) => c.type === "Available")) conds.unshift(prog);
    else conds.push(prog);
    // ReplicaFailure is copied from the new ReplicaSet (else from any other), as getReplicaFailures does
    const failureOf = (rs: any) => (rs?.status?.conditions ?? []).find((c: any) => c.type === "ReplicaFailure");
    const failure = failureOf(newRS) ?? all.map(failureOf).find(Boolean);
    if (failure) conds.push(setCond("ReplicaFailure", failure.status, failure.reason, failure.message, false));
    st.conditions = conds;
    if (!deepEqual(st, old)) {
      const c = clone(d);
      c.status = st;
      this.ctx.api.save(D.deploy, c);
    }
  }
}
