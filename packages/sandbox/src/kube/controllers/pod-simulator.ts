import type { BrokenImageRule } from "../types.js";
import { clone, deepEqual, fnv32, globMatch, isoNow, randomHex } from "../util.js";
import type { ControllerContext } from "./context.js";
import { D, isReady } from "./objects.js";

interface PodState { seen: number; scheduledAt?: number; startedAt?: number; nextRestartAt?: number }

function cond(type: string, status: string, at: string, reason?: string, message?: string, extra: any = {}): any {
  const c: any = { type, status, lastProbeTime: null, lastTransitionTime: at };
  if (reason) c.reason = reason;
  if (message) c.message = message;
  return { ...c, ...extra };
}

/**
 * Scheduler and kubelet in one (kwok-style): a pod is bound round-robin to a ready worker node after
 * `podScheduleMs`, started after `podReadyMs`, and images matching a broken-image rule fail to pull or crash-loop.
 */
export class PodSimulator {
  private pods = new Map<string, PodState>();
  private nodeRR = 0;
  private ipCounter = 0;

  constructor(private ctx: ControllerContext, private brokenImages: BrokenImageRule[]) {}

  forget(uid: string): void {
    this.pods.delete(uid);
  }

  brokenReason(image: string): BrokenImageRule["reason"] | undefined {
    for (const r of this.brokenImages) if (globMatch(r.match, image)) return r.reason;
    return undefined;
  }

  private pickNode(): any | undefined | null {
    const nodes = this.ctx.store.values(D.node);
    if (!nodes.length) return null;
    const ready = nodes.filter((n) => !n.spec?.unschedulable && isReady(n) && !n.metadata.labels?.["node-role.kubernetes.io/control-plane"]);
    if (!ready.length) return undefined;
    return ready[this.nodeRR++ % ready.length];
  }

  reconcile(p: any): void {
    if (p.metadata.deletionTimestamp) return;
    const phase = p.status?.phase;
    if (phase === "Succeeded" || phase === "Failed") return;
    const uid = p.metadata.uid;
    const now = Date.now();
    let st = this.pods.get(uid);
    if (!st) {
      st = { seen: now };
      this.pods.set(uid, st);
    }
    const created = p.metadata.creationTimestamp;
    const containers: any[] = p.spec?.containers ?? [];
    if (!p.spec?.nodeName) {
      const due = st.seen + this.ctx.delays.podScheduleMs;
      if (now < due) return this.ctx.wakeAt(due);
      const node = this.pickNode();
      const c = { ...p, metadata: { ...p.metadata }, spec: { ...p.spec } }; // status is replaced below; stored objects are never mutated
      const at = this.ctx.stamp(created);
      if (node === undefined) {
        const total = this.ctx.store.count(D.node);
        const msg = `0/${total} nodes are available: ${total} node(s) had untolerated taint {node.kubernetes.io/not-ready: }. preemption: 0/${total} nodes are available: ${total} Preemption is not helpful for scheduling.`;
        c.status = { ...(c.status ?? {}), phase: "Pending", conditions: [cond("PodScheduled", "False", at, "Unschedulable", msg)] };
        if (!deepEqual(c.status.conditions.map((x: any) => x.reason), (p.status?.conditions ?? []).map((x: any) => x.reason))) {
          this.ctx.api.save(D.pod, c);
          this.ctx.event(p, "Warning", "FailedScheduling", msg, "default-scheduler");
        }
        this.ctx.wakeAt(now + Math.max(50, this.ctx.delays.podScheduleMs * 4));
        return;
      }
      const nodeName = node === null ? `${this.ctx.clusterName}-node` : node.metadata.name;
      c.spec.nodeName = nodeName;
      c.status = {
        ...(c.status ?? {}),
        phase: "Pending",
        conditions: [
          cond("PodReadyToStartContainers", "False", at),
          cond("Initialized", "True", at),
          cond("Ready", "False", at, "ContainersNotReady", `containers with unready status: [${containers.map((x) => x.name).join(" ")}]`),
          cond("ContainersReady", "False", at, "ContainersNotReady", `containers with unready status: [${containers.map((x) => x.name).join(" ")}]`),
          cond("PodScheduled", "True", at),
        ],
        hostIP: node ? (node.status?.addresses ?? []).find((a: any) => a.type === "InternalIP")?.address ?? "10.0.0.10" : "10.0.0.10",
        startTime: at,
        containerStatuses: containers.map((x) => ({
          name: x.name, state: { waiting: { reason: "ContainerCreating" } }, lastState: {}, ready: false, restartCount: 0, image: x.image, imageID: "", started: false,
        })),
      };
      c.status.hostIPs = [{ ip: c.status.hostIP }];
      const involved = { ...c, metadata: { ...c.metadata } };
      this.ctx.api.save(D.pod, c);
      st.scheduledAt = now;
      this.ctx.event(involved, "Normal", "Scheduled", `Successfully assigned ${p.metadata.namespace}/${p.metadata.name} to ${nodeName}`, "default-scheduler");
      return;
    }
    const waitingCreating = (p.status?.containerStatuses ?? []).every((cs: any) => cs.state?.waiting?.reason === "ContainerCreating");
    if (waitingCreating || !(p.status?.containerStatuses ?? []).length) {
      st.scheduledAt = st.scheduledAt ?? now;
      const due = st.scheduledAt + this.ctx.delays.podReadyMs;
      if (now < due) return this.ctx.wakeAt(due);
      this.startPod(p, st);
      return;
    }
    // crash loops keep restarting
    if (st.nextRestartAt !== undefined) {
      if (now < st.nextRestartAt) return this.ctx.wakeAt(st.nextRestartAt);
      const c = clone(p);
      let restarts = 0;
      for (const cs of c.status.containerStatuses ?? []) {
        if (cs.state?.waiting?.reason !== "CrashLoopBackOff") continue;
        cs.restartCount = (cs.restartCount ?? 0) + 1;
        restarts = cs.restartCount;
        cs.lastState = { terminated: { exitCode: 1, reason: "Error", startedAt: isoNow(now - 1000), finishedAt: isoNow(now), containerID: cs.containerID } };
        cs.state = { waiting: { reason: "CrashLoopBackOff", message: `back-off ${Math.min(300, 10 * 2 ** Math.min(restarts, 5))}s restarting failed container=${cs.name} pod=${p.metadata.name}_${p.metadata.namespace}(${uid})` } };
        this.ctx.event(p, "Warning", "BackOff", `Back-off restarting failed container ${cs.name} in pod ${p.metadata.name}_${p.metadata.namespace}(${uid})`, "kubelet", p.spec.nodeName, `spec.containers{${cs.name}}`);
      }
      this.ctx.api.save(D.pod, c);
      const base = Math.max(20, this.ctx.delays.podReadyMs);
      st.nextRestartAt = now + base * 2 ** Math.min(restarts, 6);
      this.ctx.wakeAt(st.nextRestartAt);
    }
  }

  private startPod(p: any, st: PodState): void {
    const now = Date.now();
    const at = this.ctx.stamp(p.metadata.creationTimestamp);
    const c = { ...p, metadata: { ...p.metadata } }; // only status is replaced (stored objects are never mutated)
    const node = p.spec.nodeName;
    this.ipCounter++;
    const ip = `10.244.${(fnv32(node) % 200) + 1}.${(this.ipCounter % 250) + 2}`;
    let allReady = true;
    let phase = "Running";
    let crash = false;
    const statuses = (p.spec.containers ?? []).map((x: any) => {
      const broken = this.brokenReason(x.image);
      const cid = `containerd://${randomHex(32)}`;
      if (!broken) this.ctx.event(p, "Normal", "Pulling", `Pulling image "${x.image}"`, "kubelet", node, `spec.containers{${x.name}}`);
      if (broken === "ImagePullBackOff") {
        allReady = false;
        phase = "Pending";
        this.ctx.event(p, "Normal", "Pulling", `Pulling image "${x.image}"`, "kubelet", node, `spec.containers{${x.name}}`);
        this.ctx.event(p, "Warning", "Failed", `Failed to pull image "${x.image}": rpc error: code = NotFound desc = failed to pull and unpack image "${x.image}": not found`, "kubelet", node, `spec.containers{${x.name}}`);
        this.ctx.event(p, "Warning", "Failed", "Error: ErrImagePull", "kubelet", node, `spec.containers{${x.name}}`);
        this.ctx.event(p, "Normal", "BackOff", `Back-off pulling image "${x.image}"`, "kubelet", node, `spec.containers{${x.name}}`);
        this.ctx.event(p, "Warning", "Failed", "Error: ImagePullBackOff", "kubelet", node, `spec.containers{${x.name}}`);
        return { name: x.name, state: { waiting: { reason: "ImagePullBackOff", message: `Back-off pulling image "${x.image}"` } }, lastState: {}, ready: false, restartCount: 0, image: x.image, imageID: "", started: false };
      }
      this.ctx.event(p, "Normal", "Pulled", `Successfully pulled image "${x.image}" in 1.${String(fnv32(x.image) % 900 + 100)}s (1.${String(fnv32(x.image) % 900 + 100)}s including waiting). Image size: ${(fnv32(x.name) % 90000000) + 10000000} bytes.`, "kubelet", node, `spec.containers{${x.name}}`);
      this.ctx.event(p, "Normal", "Created", `Created container ${x.name}`, "kubelet", node, `spec.containers{${x.name}}`);
      this.ctx.event(p, "Normal", "Started", `Started container ${x.name}`, "kubelet", node, `spec.containers{${x.name}}`);
      const imageID = `${x.image.split(":")[0]}@sha256:${randomHex(32)}`;
      if (broken === "CrashLoopBackOff") {
        allReady = false;
        crash = true;
        this.ctx.event(p, "Warning", "BackOff", `Back-off restarting failed container ${x.name} in pod ${p.metadata.name}_${p.metadata.namespace}(${p.metadata.uid})`, "kubelet", node, `spec.containers{${x.name}}`);
        return {
          name: x.name,
          state: { waiting: { reason: "CrashLoopBackOff", message: `back-off 10s restarting failed container=${x.name} pod=${p.metadata.name}_${p.metadata.namespace}(${p.metadata.uid})` } },
          lastState: { terminated: { exitCode: 1, reason: "Error", startedAt: isoNow(), finishedAt: isoNow(), containerID: cid } },
          ready: false, restartCount: 1, image: x.image, imageID, containerID: cid, started: false,
        };
      }
      return { name: x.name, state: { running: { startedAt: at } }, lastState: {}, ready: true, restartCount: 0, image: x.image, imageID, containerID: cid, started: true };
    });
    const notReady = statuses.filter((s: any) => !s.ready).map((s: any) => s.name);
    const readyCond = allReady
      ? cond("Ready", "True", at)
      : cond("Ready", "False", at, "ContainersNotReady", `containers with unready status: [${notReady.join(" ")}]`);
    const crCond = allReady
      ? cond("ContainersReady", "True", at)
      : cond("ContainersReady", "False", at, "ContainersNotReady", `containers with unready status: [${notReady.join(" ")}]`);
    c.status = {
      ...c.status,
      phase,
      conditions: [cond("PodReadyToStartContainers", "True", at), cond("Initialized", "True", at), readyCond, crCond, cond("PodScheduled", "True", at)],
      podIP: ip,
      podIPs: [{ ip }],
      containerStatuses: statuses,
      qosClass: c.status?.qosClass ?? "BestEffort",
    };
    this.ctx.api.save(D.pod, c);
    st.startedAt = now;
    if (crash) {
      st.nextRestartAt = now + Math.max(20, this.ctx.delays.podReadyMs) * 2;
      this.ctx.wakeAt(st.nextRestartAt);
    }
  }
}
