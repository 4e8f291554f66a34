import type { KObject } from "../../gateways/types.js";
import { elements, fields } from "../../core/json-fields.js";
import { gkKey, groupOf, neverAllowed, type GroupKind } from "./kinds.js";
import { podSecurityProblems, podTemplates } from "./pod-security.js";
import type { ContentPolicy } from "./policy.js";

// The content policy as one pure function: every rendered object of a deploy or a review lab is checked, and
// every problem is returned (nothing is applied unless the list is empty).

export interface Violation {
  /** "Deployment web", or "" for the whole set (too many objects). */
  object: string;
  problems: string[];
}

export interface ContentTarget {
  namespace: string;
  /** What the objects are for, in messages: "deploys to staging", "review labs". */
  what: string;
  /** "namespaced" or "cluster" from the cluster's discovery; undefined when the cluster does not serve the kind. */
  scopeOf(gk: GroupKind): "namespaced" | "cluster" | undefined;
}

const INGRESS_SNIPPET = /(^|\.)nginx\.ingress\.kubernetes\.io\/[a-z-]*snippet$/;

export function displayName(o: KObject): string {
  const name = typeof o.metadata?.name === "string" && o.metadata.name !== "" ? o.metadata.name : "(unnamed)";
  const clean = name.replace(/[`\s]/g, "?");
  return `${String(o.kind ?? "Object").slice(0, 63)} ${clean.length > 80 ? `${clean.slice(0, 80)}…` : clean}`;
}

export function checkContent(objects: KObject[], policy: ContentPolicy, target: ContentTarget): Violation[] {
  const out: Violation[] = [];
  if (objects.length > policy.maxObjects) {
    out.push({ object: "", problems: [`${objects.length} objects, more than the ${policy.maxObjects} allowed in one apply`] });
  }
  const allowed = new Set(policy.kinds.map(gkKey));
  const times = definitions(objects, target.namespace);
  for (const o of objects) {
    const problems = objectProblems(o, policy, target, allowed);
    const key = identity(o, target.namespace);
    const n = key === undefined ? undefined : times.get(key);
    if (n !== undefined && n.count > 1 && n.first === o) problems.push(`is defined ${n.count} times: the last would replace the others, and the plan would show each as if it were applied`);
    if (problems.length > 0) out.push({ object: displayName(o), problems });
  }
  return out;
}

/** API group, kind, namespace and name: what the API server stores one object under (the version aside). */
function identity(o: KObject, namespace: string): string | undefined {
  const name = o.metadata?.name;
  if (typeof name !== "string" || name === "") return undefined;
  return JSON.stringify([groupOf(String(o.apiVersion ?? "")), String(o.kind ?? ""), o.metadata?.namespace ?? namespace, name]);
}

/** How often each object is defined across all templates, and its first definition (where the refusal is named). */
function definitions(objects: KObject[], namespace: string): Map<string, { count: number; first: KObject }> {
  const out = new Map<string, { count: number; first: KObject }>();
  for (const o of objects) {
    const key = identity(o, namespace);
    if (key === undefined) continue;
    const seen = out.get(key);
    if (seen) seen.count++;
    else out.set(key, { count: 1, first: o });
  }
  return out;
}

function objectProblems(o: KObject, policy: ContentPolicy, target: ContentTarget, allowed: Set<string>): string[] {
  const problems: string[] = [];
  const gk: GroupKind = { group: groupOf(String(o.apiVersion ?? "")), kind: String(o.kind ?? "") };
  const name = o.metadata?.name;
  if (typeof name !== "string" || name === "") problems.push("has no metadata.name");
  else if (name.startsWith("tugboat-") || policy.reservedNames.includes(name)) problems.push(`the name ${name} is reserved for Tugboat's own objects`);

  const never = neverAllowed(gk);
  if (never) problems.push(never);
  else if (!allowed.has(gkKey(gk))) problems.push(`kind ${gk.group ? `${gk.group}/` : ""}${gk.kind} is not allowed in ${target.what} (allowed: ${describeKinds(policy)})`);
  else if (target.scopeOf(gk) === "cluster") problems.push(`${gk.kind} is cluster-scoped; only objects in ${target.namespace} are applied`);

  const ns = o.metadata?.namespace;
  if (ns !== undefined && ns !== target.namespace) problems.push(`names namespace ${String(ns).slice(0, 63)}; ${target.what} may only change objects in ${target.namespace}`);

  for (const t of podTemplates(o)) {
    problems.push(...podSecurityProblems(t.spec, t.metadata, policy.podSecurity).map((p) => `Pod Security ${policy.podSecurity}: ${p}`));
    problems.push(...serviceAccountTokenProblems(t.spec));
  }
  if (gk.group === "" && gk.kind === "Service") problems.push(...serviceProblems(o, policy));
  if (gk.group === "" && gk.kind === "ServiceAccount" && fields(o).automountServiceAccountToken !== false) {
    problems.push("a ServiceAccount must set automountServiceAccountToken: false");
  }
  if (gk.kind === "Ingress" && gk.group === "networking.k8s.io") problems.push(...ingressProblems(o, policy));
  problems.push(...replicaProblems(o, policy));
  return problems;
}

/**
 * A pod of a named ServiceAccount other than the namespace's default would run with that account's rights (an
 * existing CI or operator account): it may use one only without its token, mounted or projected.
 */
function serviceAccountTokenProblems(specIn: unknown): string[] {
  const spec = fields(specIn);
  const account = spec.serviceAccountName ?? spec.serviceAccount ?? "default";
  if (account === "default" || account === "") return [];
  const shown = JSON.stringify(String(account).slice(0, 63));
  const out: string[] = [];
  if (spec.automountServiceAccountToken !== false) {
    out.push(`runs as ServiceAccount ${shown} with its token mounted (only the default ServiceAccount's token may be; set automountServiceAccountToken: false)`);
  }
  const projects = elements(spec.volumes).some((v) => elements(fields(fields(v).projected).sources).some((src) => fields(src).serviceAccountToken !== undefined));
  if (projects) out.push(`projects a token of ServiceAccount ${shown} (only the default ServiceAccount's token may be)`);
  return out;
}

function describeKinds(policy: ContentPolicy): string {
  return policy.kinds.map((k) => k.kind).join(", ") || "none";
}

function serviceProblems(o: KObject, policy: ContentPolicy): string[] {
  const out: string[] = [];
  const spec = fields(o.spec);
  const type = String(spec.type ?? "ClusterIP");
  if (!(policy.serviceTypes as string[]).includes(type)) out.push(`Service type ${type.slice(0, 40)} is not allowed here (allowed: ${policy.serviceTypes.join(", ")})`);
  if (elements(spec.externalIPs).length > 0) out.push("externalIPs can capture other traffic (CVE-2020-8554) and are never applied");
  return out;
}

/** Under a domain: the domain itself or a name below it; a wildcard counts by what follows "*.". */
function under(host: string, domain: string): boolean {
  const h = host.startsWith("*.") ? host.slice(2) : host;
  return h === domain || h.endsWith(`.${domain}`);
}

/** Why a host is not ours, or undefined: one of our domains must cover it and no more specific foreign one. */
function hostProblem(host: string, policy: ContentPolicy, source: string): string | undefined {
  const shown = `Ingress host ${host.slice(0, 100)}${source}`;
  const ours = policy.ingressDomains.filter((d) => under(host, d)).reduce((best, d) => Math.max(best, d.length), -1);
  if (ours < 0) return `${shown} is not under ${policy.ingressDomains.join(", ") || "no domain is configured"}`;
  if (policy.foreignDomains.some((f) => under(host, f) && f.length > ours)) return `${shown} is not under ${policy.ingressDomains.join(", ")}`;
  // A wildcard also matches every name below its base, someone else's domain among them (*.example.com matches
  // staging.example.com wherever no exact rule exists).
  const base = host.startsWith("*.") ? host.slice(2) : undefined;
  const covered = base === undefined ? undefined : policy.foreignDomains.find((f) => f.endsWith(`.${base}`));
  return covered === undefined ? undefined : `${shown} also matches ${covered}, which is not this target's domain`;
}

/** ingress-nginx serves these extra names (comma or space separated) for the same backends as the rules' hosts. */
const SERVER_ALIAS = "nginx.ingress.kubernetes.io/server-alias";

function ingressProblems(o: KObject, policy: ContentPolicy): string[] {
  const out: string[] = [];
  const hosts: unknown[] = [];
  const spec = fields(o.spec);
  for (const rule of elements(spec.rules).map(fields)) {
    if (rule.host === undefined || rule.host === "") out.push("an Ingress rule without a host would take every host's traffic");
    else hosts.push(rule.host);
  }
  for (const tls of elements(spec.tls)) hosts.push(...elements(fields(tls).hosts));
  for (const host of new Set(hosts.map((h) => String(h).toLowerCase()))) {
    const problem = hostProblem(host, policy, "");
    if (problem) out.push(problem);
  }
  const aliases = o.metadata?.annotations?.[SERVER_ALIAS];
  for (const alias of new Set(String(aliases ?? "").toLowerCase().split(/[\s,]+/).filter(Boolean))) {
    const problem = hostProblem(alias, policy, " (server-alias)");
    if (problem) out.push(problem);
  }
  if (spec.defaultBackend !== undefined) out.push("an Ingress defaultBackend would take every unmatched host's traffic");
  for (const key of Object.keys(o.metadata?.annotations ?? {})) {
    if (INGRESS_SNIPPET.test(key)) out.push(`annotation ${key} injects ingress-controller configuration and is never applied`);
  }
  return out;
}

function replicaProblems(o: KObject, policy: ContentPolicy): string[] {
  if (policy.maxReplicas === undefined) return [];
  const spec = fields(o.spec);
  const n = o.kind === "HorizontalPodAutoscaler" ? spec.maxReplicas : spec.replicas;
  const field = o.kind === "HorizontalPodAutoscaler" ? "maxReplicas" : "replicas";
  if (typeof n === "number" && n > policy.maxReplicas) return [`${field} ${n} is more than the ${policy.maxReplicas} allowed`];
  return [];
}
