import { clone, deepEqual, randSuffix } from "../util.js";
import type { ControllerContext } from "./context.js";
import { D, isReady, MANAGED_BY_LABEL, ownerRef, selectorMatches, SERVICE_NAME_LABEL, SKIP_MIRROR_LABEL, SLICE_CONTROLLER } from "./objects.js";

const ZONE_LABEL = "topology.kubernetes.io/zone";

interface PortOut { name: string; port: number; protocol: string }
interface Member { pod: any; ready: boolean; ports: PortOut[] }

/**
 * The endpoints and endpointslice controllers: every Service with a selector (not ExternalName) has a `v1 Endpoints`
 * of its name and `discovery.k8s.io/v1 EndpointSlice`s labelled with it, listing the matching pods that have an IP
 * (ready ones as ready, the others as not ready) with the Service's ports resolved against each pod's containers.
 * Services without a selector are left to whoever writes their endpoints, as on a real cluster.
 */
export class EndpointsController {
  constructor(private ctx: ControllerContext) {}

  /** `ns/name` of a Service; the Service may be gone (its Endpoints go too; its slices by garbage collection) */
  reconcile(ns: string, name: string): void {
    const svc = this.ctx.store.get(D.svc, ns, name);
    const existing = this.ctx.store.get(D.endpoints, ns, name);
    if (!svc) {
      // as the endpoints controller does: the Endpoints of a deleted Service go, whoever wrote them
      if (existing) this.ctx.api.remove(D.endpoints, existing);
      return;
    }
    if (!svc.spec?.selector || !Object.keys(svc.spec.selector).length || svc.spec.type === "ExternalName") return;
    if (this.ctx.store.get(D.ns, undefined, ns)?.metadata.deletionTimestamp) return;
    const members = this.members(svc);
    this.syncEndpoints(svc, existing, members);
    this.syncSlices(svc, members);
  }

  /** the pods the selector picks that can serve (an IP, not terminating, not finished), each with its ports */
  private members(svc: any): Member[] {
    const out: Member[] = [];
    for (const pod of this.ctx.store.values(D.pod, svc.metadata.namespace)) {
      if (!selectorMatches(svc.spec.selector, pod.metadata.labels)) continue;
      if (!pod.status?.podIP || pod.metadata.deletionTimestamp) continue;
      if (pod.status.phase === "Succeeded" || pod.status.phase === "Failed") continue;
      const ports: PortOut[] = [];
      for (const p of svc.spec.ports ?? []) {
        const port = targetPortOf(p, pod);
        if (port !== undefined) ports.push({ name: p.name ?? "", port, protocol: p.protocol ?? "TCP" });
      }
      out.push({ pod, ready: Boolean(svc.spec.publishNotReadyAddresses) || isReady(pod), ports });
    }
    return out.sort((a, b) => cmpIp(a.pod.status.podIP, b.pod.status.podIP));
  }

  private syncEndpoints(svc: any, existing: any, members: Member[]): void {
    // RepackSubsets: addresses that share the same ports form one subset (ready and not-ready side by side)
    const subsets = new Map<string, any>();
    for (const m of members) {
      if (!m.ports.length) continue;
      const key = JSON.stringify(m.ports);
      let ss = subsets.get(key);
      if (!ss) subsets.set(key, (ss = { ports: m.ports.map((p) => (p.name ? p : { port: p.port, protocol: p.protocol })) }));
      const address = { ip: m.pod.status.podIP, ...(m.pod.spec?.nodeName ? { nodeName: m.pod.spec.nodeName } : {}), targetRef: podRef(m.pod) };
      const list = m.ready ? "addresses" : "notReadyAddresses";
      (ss[list] ??= []).push(address);
    }
    const labels = { ...(svc.metadata.labels ?? {}), [SKIP_MIRROR_LABEL]: "true" };
    const desired = [...subsets.values()].map((ss) => ({ ...(ss.addresses ? { addresses: ss.addresses } : {}), ...(ss.notReadyAddresses ? { notReadyAddresses: ss.notReadyAddresses } : {}), ports: ss.ports }));
    if (!existing) {
      const ep: any = { metadata: { name: svc.metadata.name, namespace: svc.metadata.namespace, labels } };
      if (desired.length) ep.subsets = desired;
      this.ctx.api.insert(D.endpoints, ep, this.ctx.stamp(svc.metadata.creationTimestamp), true);
      return;
    }
    if (deepEqual(existing.subsets ?? [], desired) && deepEqual(existing.metadata.labels ?? {}, labels)) return;
    const next = clone(existing);
    next.metadata.labels = labels;
    if (desired.length) next.subsets = desired;
    else delete next.subsets;
    this.ctx.api.save(D.endpoints, next);
  }

  /** one slice per set of ports (a placeholder without ports or endpoints when no pod is selected) */
  private syncSlices(svc: any, members: Member[]): void {
    const groups = new Map<string, { ports: PortOut[]; endpoints: any[] }>();
    for (const m of members) {
      const key = JSON.stringify(m.ports);
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { ports: m.ports, endpoints: [] }));
      g.endpoints.push(this.sliceEndpoint(m));
    }
    const ns = svc.metadata.namespace;
    const name = svc.metadata.name;
    const labels = { ...(svc.metadata.labels ?? {}), [SERVICE_NAME_LABEL]: name, [MANAGED_BY_LABEL]: SLICE_CONTROLLER };
    const desired = groups.size ? [...groups.values()].map((g) => ({ ...(g.ports.length ? { ports: g.ports } : {}), endpoints: g.endpoints })) : [{ endpoints: [] }];
    const current = this.ctx.store.values(D.slice, ns).filter((s: any) => s.metadata.labels?.[SERVICE_NAME_LABEL] === name && s.metadata.labels?.[MANAGED_BY_LABEL] === SLICE_CONTROLLER);
    current.sort((a: any, b: any) => (a.metadata.name < b.metadata.name ? -1 : 1));
    desired.forEach((want, i) => {
      const body = { addressType: "IPv4", ...(want.endpoints.length ? { endpoints: want.endpoints } : {}), ...(want.ports ? { ports: want.ports } : {}) };
      const have = current[i];
      if (!have) {
        const slice = { metadata: { name: `${name}-${randSuffix(5)}`, namespace: ns, labels, ownerReferences: [ownerRef("v1", "Service", svc)] }, ...body };
        this.ctx.api.insert(D.slice, slice, this.ctx.stamp(svc.metadata.creationTimestamp), true);
        return;
      }
      const { apiVersion: _v, kind: _k, metadata, ...spec } = have;
      if (deepEqual(spec, body) && deepEqual(metadata.labels ?? {}, labels)) return;
      this.ctx.api.save(D.slice, { apiVersion: have.apiVersion, kind: have.kind, metadata: { ...clone(metadata), labels }, ...body });
    });
    for (const extra of current.slice(desired.length)) this.ctx.api.remove(D.slice, extra);
  }

  private sliceEndpoint(m: Member): any {
    const nodeName = m.pod.spec?.nodeName;
    const zone = nodeName ? this.ctx.store.get(D.node, undefined, nodeName)?.metadata.labels?.[ZONE_LABEL] : undefined;
    return {
      addresses: [m.pod.status.podIP],
      conditions: { ready: m.ready, serving: m.ready, terminating: false },
      ...(nodeName ? { nodeName } : {}),
      targetRef: podRef(m.pod),
      ...(zone ? { zone } : {}),
    };
  }
}

function podRef(pod: any): any {
  return { kind: "Pod", namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid };
}

/** podutil.FindPort: a number is used as is; a name must be a container port of the pod (else the pod lacks that port) */
function targetPortOf(servicePort: any, pod: any): number | undefined {
  const target = servicePort.targetPort ?? servicePort.port;
  if (typeof target === "number") return target;
  if (/^\d+$/.test(String(target))) return Number(target);
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) if (p.name === target && (p.protocol ?? "TCP") === (servicePort.protocol ?? "TCP")) return p.containerPort;
  }
  return undefined;
}

function cmpIp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
