import type { V1Ingress, V1IngressBackend, V1Service } from "../../gateways/kube-models.js";
import { errorMessage } from "../../core/errors.js";
import { listFor, type DescribeCtx } from "./describe-context.js";
import { writeEvents } from "./describe-events.js";
import { formatEndpointSlices } from "./describe-service.js";
import { annotationsMultiline, DescribeWriter, labelsMultiline } from "./describe-writer.js";

// kubectl's IngressDescriber (describeIngressV1): Address, Ingress Class, Default backend, TLS, Rules with each
// path's backend as `service:port (endpoints)`, Annotations and Events. Like kubectl 1.32 it reads a backend's
// endpoints from the Service's EndpointSlices (then the Service, for the port's name), not the Endpoints object.

/** The backend's Service, or the text kubectl prints in its place. */
async function serviceOf(d: DescribeCtx<V1Ingress>, name: string, namespace: string): Promise<V1Service | string> {
  try {
    const services = d.q.client.services;
    const res = await services.resource();
    if (!(await d.q.allows(res.plural, namespace))) return `type \`${res.plural}\` is not allowed for you`;
    return (await d.q.callOr(() => services.get(name, namespace), "not-found")) ?? `services "${name}" not found`;
  } catch (err) {
    return errorMessage(err);
  }
}

/** describeBackendV1. */
async function describeBackend(d: DescribeCtx<V1Ingress>, namespace: string, backend: V1IngressBackend): Promise<string> {
  const service = backend.service;
  if (service) {
    const sb = `${service.name}:${service.port?.number ? String(service.port.number) : (service.port?.name ?? "")}`;
    const slices = await listFor(d.q, "endpointSlices", namespace, { labelSelector: `kubernetes.io/service-name=${service.name}` });
    if ("error" in slices) return `${sb} (<error: ${slices.error}>)`;
    const svc = await serviceOf(d, service.name, namespace);
    if (typeof svc === "string") return `${sb} (<error: ${svc}>)`;
    let portName = "";
    for (const sp of svc.spec?.ports ?? []) {
      if (service.port?.number && service.port.number === sp.port) portName = sp.name ?? "";
      else if (service.port?.name && service.port.name === sp.name) portName = sp.name ?? "";
    }
    return `${sb} (${formatEndpointSlices(slices.items, portName)})`;
  }
  if (backend.resource) {
    const r = backend.resource;
    return `APIGroup: ${r.apiGroup ?? "<none>"}, Kind: ${r.kind}, Name: ${r.name}`;
  }
  return "";
}

/** ingressLoadBalancerStatusStringerV1 (wide): each entry's IP, else its hostname, sorted and unique. */
function address(ing: V1Ingress): string {
  const set = new Set<string>();
  for (const i of ing.status?.loadBalancer?.ingress ?? []) {
    if (i.ip) set.add(i.ip);
    else if (i.hostname) set.add(i.hostname);
  }
  return [...set].sort().join(",");
}

export async function describeIngress(d: DescribeCtx<V1Ingress>): Promise<string> {
  const ing = d.obj;
  const name = ing.metadata?.name ?? "";
  const namespace = ing.metadata?.namespace ?? "";
  const spec = ing.spec ?? {};
  const events = await d.events([{ name, namespace, kind: "Ingress", uid: ing.metadata?.uid }]);
  const w = new DescribeWriter();
  w.line(0, `Name:\t${name}`);
  labelsMultiline(w, "Labels", ing.metadata?.labels);
  w.line(0, `Namespace:\t${namespace}`);
  w.line(0, `Address:\t${address(ing)}`);
  w.line(0, `Ingress Class:\t${spec.ingressClassName ?? "<none>"}`);
  // Paths often share a backend: each distinct one is read (its EndpointSlices and Service) once per describe.
  const described = new Map<string, Promise<string>>();
  const backendText = (backend: V1IngressBackend): Promise<string> => {
    const key = JSON.stringify(backend);
    let text = described.get(key);
    if (!text) described.set(key, (text = describeBackend(d, namespace, backend)));
    return text;
  };
  const defaultBackend = spec.defaultBackend ? await backendText(spec.defaultBackend) : "<default>";
  w.line(0, `Default backend:\t${defaultBackend}`);
  if ((spec.tls ?? []).length > 0) {
    w.line(0, "TLS:");
    for (const t of spec.tls ?? []) {
      const hosts = (t.hosts ?? []).join(",");
      w.line(1, t.secretName ? `${t.secretName} terminates ${hosts}` : `SNI routes ${hosts}`);
    }
  }
  w.write(0, "Rules:\n  Host\tPath\tBackends\n");
  w.line(1, "----\t----\t--------");
  let rules = 0;
  for (const rule of spec.rules ?? []) {
    if (!rule.http) continue;
    rules++;
    w.line(1, `${rule.host || "*"}\t`);
    for (const path of rule.http.paths) w.line(2, `\t${path.path ?? ""} \t${await backendText(path.backend)}`);
  }
  if (rules === 0) w.line(1, `*\t*\t${defaultBackend}`);
  annotationsMultiline(w, "Annotations", ing.metadata?.annotations);
  writeEvents(w, events, d.now);
  return w.text();
}
