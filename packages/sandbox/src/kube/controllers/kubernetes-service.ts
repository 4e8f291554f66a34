import type { ResourceDef } from "../resources.js";
import { clone, deepEqual } from "../util.js";
import type { ControllerContext } from "./context.js";
import { D, SERVICE_NAME_LABEL, SKIP_MIRROR_LABEL } from "./objects.js";

/** the Service every cluster has in `default`, through which pods reach the API server */
export const KUBERNETES_SERVICE = { namespace: "default", name: "kubernetes" };
/** the first address of the service range (10.96.0.0/12, which api/defaults.ts allocates from .2 on) */
export const KUBERNETES_SERVICE_IP = "10.96.0.1";
/** where the API server says it listens (its advertise address); nothing connects to it */
export const API_SERVER_ADDRESS = "10.0.0.2";
const API_SERVER_PORT = 6443;

const SERVICE_LABELS = { component: "apiserver", provider: "kubernetes" };
const SERVICE_PORTS = [{ name: "https", port: 443, protocol: "TCP", targetPort: API_SERVER_PORT }];
const ENDPOINT_PORTS = [{ name: "https", port: API_SERVER_PORT, protocol: "TCP" }];

/** the EndpointSlice the API server itself keeps (named after the Service, without a managed-by label) */
export function isKubernetesServiceSlice(slice: any): boolean {
  return slice.metadata.namespace === KUBERNETES_SERVICE.namespace && slice.metadata.name === KUBERNETES_SERVICE.name;
}

/**
 * The API server's own controllers for `default/kubernetes`: the bootstrap controller keeps the Service (ClusterIP
 * 10.96.0.1, port https 443 -> 6443, no selector; ports and type put back when changed, recreated when deleted) and
 * the endpoint reconciler its v1 Endpoints (marked skip-mirror) and the EndpointSlice `kubernetes`, listing the API
 * server's address. As on a real cluster the endpoints controller leaves them alone: the Service has no selector.
 */
export class KubernetesServiceController {
  constructor(private ctx: ControllerContext) {}

  reconcile(): void {
    const { namespace, name } = KUBERNETES_SERVICE;
    const ns = this.ctx.store.get(D.ns, undefined, namespace);
    if (!ns || ns.metadata.deletionTimestamp) return;
    const at = this.ctx.stamp(ns.metadata.creationTimestamp);
    this.syncService(at);
    this.sync(D.endpoints, at, { metadata: { name, namespace, labels: { [SKIP_MIRROR_LABEL]: "true" } }, subsets: [{ addresses: [{ ip: API_SERVER_ADDRESS }], ports: ENDPOINT_PORTS }] });
    this.sync(D.slice, at, {
      metadata: { name, namespace, labels: { [SERVICE_NAME_LABEL]: name } },
      addressType: "IPv4",
      endpoints: [{ addresses: [API_SERVER_ADDRESS], conditions: { ready: true } }],
      ports: ENDPOINT_PORTS,
    });
  }

  private syncService(at: string): void {
    const { namespace, name } = KUBERNETES_SERVICE;
    const svc = this.ctx.store.get(D.svc, namespace, name);
    if (!svc) {
      const spec = { type: "ClusterIP", clusterIP: KUBERNETES_SERVICE_IP, clusterIPs: [KUBERNETES_SERVICE_IP], sessionAffinity: "None", ports: clone(SERVICE_PORTS) };
      this.ctx.api.insert(D.svc, { metadata: { name, namespace, labels: { ...SERVICE_LABELS } }, spec, status: { loadBalancer: {} } }, at, true);
      return;
    }
    if (svc.spec?.type === "ClusterIP" && deepEqual(svc.spec?.ports, SERVICE_PORTS)) return;
    const next = clone(svc);
    next.spec = { ...next.spec, type: "ClusterIP", ports: clone(SERVICE_PORTS) };
    this.ctx.api.save(D.svc, next);
  }

  /** creates `want` or puts its labels and body back (everything but metadata) */
  private sync(def: ResourceDef, at: string, want: any): void {
    const have = this.ctx.store.get(def, want.metadata.namespace, want.metadata.name);
    if (!have) {
      this.ctx.api.insert(def, clone(want), at, true);
      return;
    }
    const { apiVersion, kind, metadata, ...body } = have;
    const { metadata: wantMeta, ...wantBody } = want;
    if (deepEqual(body, wantBody) && deepEqual(metadata.labels ?? {}, { ...(metadata.labels ?? {}), ...wantMeta.labels })) return;
    this.ctx.api.save(def, { apiVersion, kind, metadata: { ...clone(metadata), labels: { ...(metadata.labels ?? {}), ...wantMeta.labels } }, ...clone(wantBody) });
  }
}
