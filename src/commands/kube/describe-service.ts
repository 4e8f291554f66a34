import type { V1EndpointSlice, V1Service, V1ServiceSpec } from "../../gateways/kube-models.js";
import { listFor, type DescribeCtx } from "./describe-context.js";
import { writeEvents } from "./describe-events.js";
import { annotationsMultiline, DescribeWriter, formatLabels, labelsMultiline } from "./describe-writer.js";

// kubectl's ServiceDescriber, with endpoints from the Service's EndpointSlices (none when the cluster serves none).

/** formatEndpointSlices: ready endpoints of one port, at most 3 then `+ N more...` (the Ingress describer's too). */
export function formatEndpointSlices(slices: V1EndpointSlice[], portName: string): string {
  if (slices.length === 0) return "<none>";
  const list: string[] = [];
  let more = false;
  let count = 0;
  const add = (addr: string, ready: unknown) => {
    if (list.length === 3) more = true;
    if (ready === false) return;
    if (!more) list.push(addr);
    count++;
  };
  for (const s of slices) {
    const eps = s.endpoints ?? [];
    const ports = s.ports ?? [];
    if (ports.length === 0) {
      for (const e of eps) add(e.addresses[0] ?? "", e.conditions?.ready);
      continue;
    }
    for (const p of ports) {
      if ((p.name ?? "") !== portName) continue;
      for (const e of eps) {
        const a = e.addresses[0] ?? "";
        add(`${a.includes(":") ? `[${a}]` : a}:${p.port}`, e.conditions?.ready);
      }
    }
  }
  const ret = list.join(",");
  return more ? `${ret} + ${count - 3} more...` : ret;
}

export async function describeService(d: DescribeCtx<V1Service>): Promise<string> {
  const svc = d.obj;
  const spec: V1ServiceSpec = svc.spec ?? {};
  const name = svc.metadata?.name ?? "";
  const [listed, events] = await Promise.all([
    listFor(d.q, "endpointSlices", svc.metadata?.namespace, { labelSelector: `kubernetes.io/service-name=${name}` }),
    d.events([{ name, namespace: svc.metadata?.namespace, kind: "Service", uid: svc.metadata?.uid }]),
  ]);
  const slices = "items" in listed ? listed.items : [];
  // A cluster that serves no EndpointSlices shows none, as kubectl does; one that refuses them says so, so that
  // "no endpoints" is never a missing permission in disguise.
  const unreadable = "error" in listed && !listed.unserved ? listed.error : undefined;
  const w = new DescribeWriter();
  w.line(0, `Name:\t${name}`);
  w.line(0, `Namespace:\t${svc.metadata?.namespace ?? ""}`);
  labelsMultiline(w, "Labels", svc.metadata?.labels);
  annotationsMultiline(w, "Annotations", svc.metadata?.annotations);
  w.line(0, `Selector:\t${formatLabels(spec.selector)}`);
  w.line(0, `Type:\t${spec.type ?? ""}`);
  if (spec.ipFamilyPolicy) w.line(0, `IP Family Policy:\t${spec.ipFamilyPolicy}`);
  w.line(0, `IP Families:\t${(spec.ipFamilies ?? []).join(",") || "<none>"}`);
  w.line(0, `IP:\t${spec.clusterIP ?? ""}`);
  w.line(0, `IPs:\t${(spec.clusterIPs ?? []).join(",") || "<none>"}`);
  if ((spec.externalIPs ?? []).length > 0) w.line(0, `External IPs:\t${(spec.externalIPs ?? []).join(",")}`);
  if (spec.loadBalancerIP) w.line(0, `Desired LoadBalancer IP:\t${spec.loadBalancerIP}`);
  if (spec.externalName) w.line(0, `External Name:\t${spec.externalName}`);
  const ingress = svc.status?.loadBalancer?.ingress ?? [];
  if (ingress.length > 0) {
    const list = ingress.map((i) => (i.ip ? `${i.ip}${i.ipMode ? ` (${i.ipMode})` : ""}` : (i.hostname ?? ""))).join(", ");
    w.line(0, `LoadBalancer Ingress:\t${list}`);
  }
  for (const p of spec.ports ?? []) {
    const portName = p.name || "<unset>";
    const proto = p.protocol ?? "";
    w.line(0, `Port:\t${portName}\t${p.port}/${proto}`);
    w.line(0, `TargetPort:\t${p.targetPort ?? p.port}/${proto}`);
    if (p.nodePort) w.line(0, `NodePort:\t${portName}\t${p.nodePort}/${proto}`);
    w.line(0, `Endpoints:\t${unreadable ? `<not shown: ${unreadable}>` : formatEndpointSlices(slices, p.name ?? "")}`);
  }
  w.line(0, `Session Affinity:\t${spec.sessionAffinity ?? ""}`);
  if (spec.externalTrafficPolicy) w.line(0, `External Traffic Policy:\t${spec.externalTrafficPolicy}`);
  if (spec.internalTrafficPolicy) w.line(0, `Internal Traffic Policy:\t${spec.internalTrafficPolicy}`);
  if (spec.healthCheckNodePort) w.line(0, `HealthCheck NodePort:\t${spec.healthCheckNodePort}`);
  if ((spec.loadBalancerSourceRanges ?? []).length > 0) w.line(0, `LoadBalancer Source Ranges:\t${(spec.loadBalancerSourceRanges ?? []).join(",")}`);
  writeEvents(w, events, d.now);
  return w.text();
}
