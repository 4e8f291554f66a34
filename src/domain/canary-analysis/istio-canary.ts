import { UserError } from "../../core/errors.js";
import type { KObject, KubeCluster } from "../../gateways/types.js";
import type { V1Deployment, V1ReplicaSet } from "../../gateways/kube-models.js";
import { ANN_REVISION } from "../deploy/annotations.js";
import { CANARY_LABEL } from "../deploy/canary.js";

// The Istio canary (`apps.<app>.canary.mode: istio`): for each stable Deployment's Service, a VirtualService and a
// DestinationRule that Tugboat alone owns (named tugboat-canary-<service>, applied with its field manager; the
// user's own routes are never touched) split the Service's traffic between subsets `stable` (the stable
// ReplicaSet's pod-template-hash: the stable pods are never relabelled, which would roll production) and `canary`
// (track: canary). The weight steps up after each passing analysis; 0 on abort.

const MANAGED = { "app.kubernetes.io/managed-by": "tugboat" };
export const ROUTE_PREFIX = "tugboat-canary-";

export interface IstioRoute {
  service: string;
  weight: number;
}

function currentHash(stable: V1Deployment, replicaSets: V1ReplicaSet[]): string | undefined {
  const uid = stable.metadata?.uid;
  const revision = stable.metadata?.annotations?.[ANN_REVISION];
  const rs = replicaSets.find((r) => r.metadata?.ownerReferences?.some((o) => o.uid === uid && o.controller) && r.metadata?.annotations?.[ANN_REVISION] === revision);
  return rs?.metadata?.labels?.["pod-template-hash"];
}

/** The canary weight Tugboat's VirtualService gives now (0 when there is none). */
export async function currentCanaryWeight(cluster: KubeCluster, namespace: string, services: string[]): Promise<number> {
  const res = await cluster.resolve("virtualservices.networking.istio.io");
  if (!res || services.length === 0) return 0;
  const vs = await cluster.find(res, `${ROUTE_PREFIX}${services[0]}`, namespace);
  const route = ((vs?.spec as { http?: Array<{ route?: Array<{ destination?: { subset?: string }; weight?: number }> }> } | undefined)?.http ?? [])[0]?.route ?? [];
  return route.find((r) => r.destination?.subset === "canary")?.weight ?? 0;
}

/** The Services in front of the canaries' stable Deployments (selector matching the stable pod template). */
export async function canaryServices(cluster: KubeCluster, namespace: string, canaries: V1Deployment[]): Promise<Array<{ service: string; stable: V1Deployment }>> {
  const { items: services } = await cluster.services.list({ namespace });
  const out: Array<{ service: string; stable: V1Deployment }> = [];
  for (const c of canaries) {
    const stable = await cluster.deployments.find(c.metadata!.labels![CANARY_LABEL]!, namespace);
    if (!stable) continue;
    const labels = stable.spec?.template?.metadata?.labels ?? {};
    const svc = services.find((s) => {
      const sel = s.spec?.selector ?? {};
      return Object.keys(sel).length > 0 && Object.entries(sel).every(([k, v]) => labels[k] === v);
    });
    if (svc?.metadata?.name) out.push({ service: svc.metadata.name, stable });
  }
  return out;
}

/** Applies Tugboat's DestinationRule and VirtualService for each Service with the canary at `weight` percent. */
export async function setCanaryWeight(input: { cluster: KubeCluster; namespace: string; canaries: V1Deployment[]; replicaSets: V1ReplicaSet[]; weight: number; fieldManager: string }): Promise<IstioRoute[]> {
  const { cluster, namespace, weight } = input;
  const [vsRes, drRes] = await Promise.all([cluster.resolve("virtualservices.networking.istio.io"), cluster.resolve("destinationrules.networking.istio.io")]);
  if (!vsRes || !drRes) throw new UserError(`Cluster ${cluster.name} serves no Istio VirtualService/DestinationRule (networking.istio.io/v1): is Istio installed?`);
  const routes: IstioRoute[] = [];
  for (const { service, stable } of await canaryServices(cluster, namespace, input.canaries)) {
    const hash = currentHash(stable, input.replicaSets);
    if (!hash) throw new UserError(`Cannot tell ${stable.metadata?.name}'s current pods apart (no pod-template-hash on its ReplicaSet).`);
    const name = `${ROUTE_PREFIX}${service}`;
    const base = { ...(stable.spec?.selector?.matchLabels ?? {}) };
    const dr: KObject = {
      apiVersion: "networking.istio.io/v1",
      kind: "DestinationRule",
      metadata: { name, namespace, labels: MANAGED },
      spec: { host: service, subsets: [{ name: "stable", labels: { ...base, "pod-template-hash": hash } }, { name: "canary", labels: { ...base, track: "canary" } }] },
    };
    const vs: KObject = {
      apiVersion: "networking.istio.io/v1",
      kind: "VirtualService",
      metadata: { name, namespace, labels: MANAGED },
      spec: { hosts: [service], http: [{ name: "tugboat-canary", route: [{ destination: { host: service, subset: "stable" }, weight: 100 - weight }, { destination: { host: service, subset: "canary" }, weight }] }] },
    };
    await cluster.apply(drRes, dr, { fieldManager: input.fieldManager, force: true });
    await cluster.apply(vsRes, vs, { fieldManager: input.fieldManager, force: true });
    routes.push({ service, weight });
  }
  return routes;
}

/** The step after `weight` ([5, 25, 50, 100] from 5 gives 25); undefined at the last. */
export function nextStep(steps: number[], weight: number): number | undefined {
  return steps.find((s) => s > weight);
}

/** Folds an Istio canary into stable after a promotion: Tugboat's VirtualServices and DestinationRules go (the Service routes as before). */
export async function removeCanaryRoutes(cluster: KubeCluster, namespace: string): Promise<string[]> {
  const removed: string[] = [];
  for (const type of ["virtualservices.networking.istio.io", "destinationrules.networking.istio.io"]) {
    const res = await cluster.resolve(type);
    if (!res) continue;
    const { items } = await cluster.list(res, { namespace, labelSelector: "app.kubernetes.io/managed-by=tugboat" });
    for (const o of items.filter((i) => i.metadata?.name?.startsWith(ROUTE_PREFIX))) {
      await cluster.delete(res, o.metadata!.name!, namespace);
      removed.push(`${res.kind}/${o.metadata!.name}`);
    }
  }
  return removed;
}
