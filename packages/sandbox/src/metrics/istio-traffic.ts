import type { KubeControl, KubeObject } from "../kube/control.js";

// Where an Istio VirtualService routes a Service's host to DestinationRule subsets by weight, each subset's pods
// share that weight of the traffic the Service's pods would get together; pods no split covers keep share 1.

interface Destination {
  destination?: { host?: string; subset?: string };
  weight?: number;
}

function shortHost(host: string): string {
  return host.split(".")[0] ?? host;
}

function matches(labels: Record<string, string> | undefined, selector: Record<string, string>): boolean {
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

/** Traffic multiplier per pod (1 = an ordinary pod's share). */
export function podTrafficShares(control: KubeControl, pods: KubeObject[]): Map<KubeObject, number> {
  const shares = new Map<KubeObject, number>();
  let services: KubeObject[];
  let routes: KubeObject[];
  let rules: KubeObject[];
  try {
    routes = control.objects.list({ apiVersion: "networking.istio.io/v1", kind: "VirtualService" });
    rules = control.objects.list({ apiVersion: "networking.istio.io/v1", kind: "DestinationRule" });
    services = control.objects.list({ apiVersion: "v1", kind: "Service" });
  } catch {
    return shares; // this cluster serves no Istio kinds
  }
  for (const vs of routes) {
    const ns = vs.metadata.namespace;
    const http = ((vs.spec as { http?: Array<{ route?: Destination[] }> } | undefined)?.http ?? [])[0];
    const dests = http?.route ?? [];
    if (dests.length < 2) continue;
    for (const d of dests) {
      const host = shortHost(d.destination?.host ?? "");
      const svc = services.find((s) => s.metadata.namespace === ns && s.metadata.name === host);
      const rule = rules.find((r) => r.metadata.namespace === ns && shortHost((r.spec as { host?: string }).host ?? "") === host);
      const subset = ((rule?.spec as { subsets?: Array<{ name: string; labels?: Record<string, string> }> } | undefined)?.subsets ?? []).find((s) => s.name === d.destination?.subset);
      if (!svc || !subset) continue;
      const selector = (svc.spec as { selector?: Record<string, string> }).selector ?? {};
      const servicePods = pods.filter((p) => p.metadata.namespace === ns && matches(p.metadata.labels, selector));
      const subsetPods = servicePods.filter((p) => matches(p.metadata.labels, subset.labels ?? {}));
      if (subsetPods.length === 0) continue;
      const share = ((d.weight ?? 0) / 100) * (servicePods.length / subsetPods.length);
      for (const p of subsetPods) shares.set(p, share);
    }
  }
  return shares;
}
