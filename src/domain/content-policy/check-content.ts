import type { KObject } from "../../gateways/types.js";
import { elements, fields } from "../../core/json-fields.js";
import { gkKey, groupOf, neverAllowed, type GroupKind } from "./kinds.js";
import { ingressProblems } from "./ingress-rules.js";
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
  const repeated = repeatedDefinitions(objects, target.namespace);
  for (const o of objects) {
    const problems = objectProblems(o, policy, target, allowed);
    const n = repeated.get(o);
    if (n !== undefined) problems.push(`is defined ${n} times: the last would replace the others, and the plan would show each as if it were applied`);
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

/** Objects defined more than once across all templates: the first definition of each (where the refusal is named) and how often. */
function repeatedDefinitions(objects: KObject[], namespace: string): Map<KObject, number> {
  const byIdentity = new Map<string, { count: number; first: KObject }>();
  for (const o of objects) {
    const key = identity(o, namespace);
    if (key === undefined) continue;
    const seen = byIdentity.get(key);
    if (seen) seen.count++;
    else byIdentity.set(key, { count: 1, first: o });
  }
  return new Map([...byIdentity.values()].filter((d) => d.count > 1).map((d) => [d.first, d.count]));
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
  if (gk.kind === "Ingress" && gk.group === "networking.k8s.io") problems.push(...ingressProblems(o, policy, target.namespace));
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

function replicaProblems(o: KObject, policy: ContentPolicy): string[] {
  if (policy.maxReplicas === undefined) return [];
  const spec = fields(o.spec);
  const n = o.kind === "HorizontalPodAutoscaler" ? spec.maxReplicas : spec.replicas;
  const field = o.kind === "HorizontalPodAutoscaler" ? "maxReplicas" : "replicas";
  if (typeof n === "number" && n > policy.maxReplicas) return [`${field} ${n} is more than the ${policy.maxReplicas} allowed (content.maxReplicas; 0 lifts the cap)`];
  return [];
}
