import { admitPod } from "../admission/index.js";
import { ApiError } from "../errors.js";
import { clone, deepEqual, randSuffix } from "../util.js";
import type { ControllerContext } from "./context.js";
import { D, isReady, ownedBy, ownerRef } from "./objects.js";
import type { PodSimulator } from "./pod-simulator.js";

/** How soon the controller tries again after admission refused a pod (the real one backs off from 5 ms up). */
const FAILED_CREATE_RETRY_MS = 1000;

/**
 * ReplicaSet controller: creates or deletes pods to match spec.replicas (unscheduled and unready ones go first).
 * A pod that admission refuses (quota, Pod Security) leaves a FailedCreate event and the ReplicaFailure condition.
 */
export class ReplicaSetController {
  constructor(private ctx: ControllerContext, private pods: PodSimulator) {}

  reconcile(rs: any): void {
    if (rs.metadata.deletionTimestamp) return;
    const ns = rs.metadata.namespace;
    const pods = this.ctx.store.values(D.pod, ns).filter((p) => ownedBy(p, rs.metadata.uid) && !p.metadata.deletionTimestamp);
    const want = rs.spec?.replicas ?? 1;
    let failedCreate: string | undefined;
    if (pods.length < want) {
      for (let i = pods.length; i < want; i++) {
        const tmpl = clone(rs.spec?.template ?? {});
        const pod: any = {
          metadata: {
            name: `${rs.metadata.name}-${randSuffix(5)}`,
            generateName: `${rs.metadata.name}-`,
            namespace: ns,
            labels: tmpl.metadata?.labels ?? {},
            ...(tmpl.metadata?.annotations ? { annotations: tmpl.metadata.annotations } : {}),
            ownerReferences: [ownerRef("apps/v1", "ReplicaSet", rs)],
          },
          spec: tmpl.spec ?? {},
          status: { phase: "Pending", qosClass: "BestEffort" },
        };
        try {
          admitPod(this.ctx.store, pod);
        } catch (e) {
          if (!(e instanceof ApiError)) throw e;
          failedCreate = e.message;
          this.ctx.event(rs, "Warning", "FailedCreate", `Error creating: ${e.message}`, "replicaset-controller");
          this.ctx.wakeAt(Date.now() + FAILED_CREATE_RETRY_MS);
          break;
        }
        const created = this.ctx.api.insert(D.pod, pod, this.ctx.bootstrapping ? rs.metadata.creationTimestamp : undefined);
        if (created) {
          pods.push(created);
          this.ctx.event(rs, "Normal", "SuccessfulCreate", `Created pod: ${created.metadata.name}`, "replicaset-controller");
        }
      }
    } else if (pods.length > want) {
      const rank = (p: any) => (!p.spec?.nodeName ? 0 : p.status?.phase === "Pending" ? 1 : !isReady(p) ? 2 : 3);
      const victims = [...pods].sort((a, b) => rank(a) - rank(b) || (b.metadata.creationTimestamp ?? "").localeCompare(a.metadata.creationTimestamp ?? "")).slice(0, pods.length - want);
      for (const v of victims) {
        this.ctx.api.remove(D.pod, v);
        this.pods.forget(v.metadata.uid);
        this.ctx.event(rs, "Normal", "SuccessfulDelete", `Deleted pod: ${v.metadata.name}`, "replicaset-controller");
      }
    }
    const live = this.ctx.store.values(D.pod, ns).filter((p) => ownedBy(p, rs.metadata.uid) && !p.metadata.deletionTimestamp);
    const ready = live.filter(isReady).length;
    const st: any = { replicas: live.length };
    if (live.length) st.fullyLabeledReplicas = live.length;
    if (ready) st.readyReplicas = ready;
    if (ready) st.availableReplicas = ready;
    st.observedGeneration = rs.metadata.generation ?? 1;
    const prevFailure = (rs.status?.conditions ?? []).find((c: any) => c.type === "ReplicaFailure");
    // like calculateStatus: the first failure is kept until a sync creates what it must
    if (failedCreate) st.conditions = [prevFailure ?? { type: "ReplicaFailure", status: "True", lastTransitionTime: this.ctx.stamp(), reason: "FailedCreate", message: failedCreate }];
    if (!deepEqual(st, rs.status)) {
      const c = clone(this.ctx.store.get(D.rs, ns, rs.metadata.name) ?? rs);
      c.status = st;
      this.ctx.api.save(D.rs, c);
    }
  }
}
