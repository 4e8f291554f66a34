import { DEFAULT_KINDS, parseKindEntry, type GroupKind } from "./kinds.js";
import type { PodSecurityLevel } from "./pod-security.js";

// What a deploy or a review lab may contain, resolved from Tugboat's defaults and the config's layers
// (environment, then the app's environment override; `reviewlab.content` for labs).

export type ServiceType = "ClusterIP" | "NodePort" | "LoadBalancer" | "ExternalName";

/** One config layer: everything optional, later layers win field by field. */
export interface ContentPolicyConfig {
  kinds?: string[];
  podSecurity?: PodSecurityLevel;
  serviceTypes?: ServiceType[];
  ingressDomains?: string[];
  maxObjects?: number;
  maxBytes?: number;
  maxReplicas?: number;
  renderTimeoutSeconds?: number;
}

export interface ContentPolicy {
  kinds: GroupKind[];
  podSecurity: PodSecurityLevel;
  serviceTypes: ServiceType[];
  /** Ingress hosts must be one of these or under one. */
  ingressDomains: string[];
  /** Domains that belong to someone else (other environments): a host under one that is more specific is refused. */
  foreignDomains: string[];
  maxObjects: number;
  maxBytes: number;
  /** Replicas per workload and maxReplicas per HorizontalPodAutoscaler; undefined for no cap (the config said 0). */
  maxReplicas?: number;
  renderTimeoutMs: number;
  /** Names Tugboat uses for itself; an object with one of these names (or a `tugboat-` prefix) is refused. */
  reservedNames: string[];
}

export const DEFAULTS = {
  podSecurity: "baseline" as PodSecurityLevel,
  environmentServiceTypes: ["ClusterIP", "NodePort", "LoadBalancer"] as ServiceType[],
  labServiceTypes: ["ClusterIP"] as ServiceType[],
  maxObjects: 200,
  maxBytes: 1024 * 1024,
  labMaxReplicas: 5,
  /** A PR cannot scale an environment to thousands of pods unless the config lifts the cap (`maxReplicas: 0`). */
  environmentMaxReplicas: 50,
  renderTimeoutSeconds: 3,
};

export function resolveContentPolicy(
  layers: Array<ContentPolicyConfig | undefined>,
  base: {
    lab: boolean;
    /** Always allowed (a lab's own host). */
    ingressDomains: string[];
    /** Allowed when the config names none (an environment's URL host). */
    defaultIngressDomains: string[];
    foreignDomains: string[];
    reservedNames: string[];
  },
): ContentPolicy {
  const pick = <K extends keyof ContentPolicyConfig>(key: K): ContentPolicyConfig[K] | undefined =>
    layers.reduce<ContentPolicyConfig[K] | undefined>((acc, l) => (l?.[key] !== undefined ? l[key] : acc), undefined);
  const kinds = (pick("kinds") ?? DEFAULT_KINDS).map((k) => parseKindEntry(k)).filter((k): k is GroupKind => k !== undefined);
  return {
    kinds,
    podSecurity: pick("podSecurity") ?? DEFAULTS.podSecurity,
    serviceTypes: pick("serviceTypes") ?? (base.lab ? DEFAULTS.labServiceTypes : DEFAULTS.environmentServiceTypes),
    ingressDomains: [...base.ingressDomains, ...(pick("ingressDomains") ?? base.defaultIngressDomains)].map((d) => d.toLowerCase()),
    foreignDomains: base.foreignDomains.map((d) => d.toLowerCase()),
    maxObjects: pick("maxObjects") ?? DEFAULTS.maxObjects,
    maxBytes: pick("maxBytes") ?? DEFAULTS.maxBytes,
    maxReplicas: replicaCap(pick("maxReplicas") ?? (base.lab ? DEFAULTS.labMaxReplicas : DEFAULTS.environmentMaxReplicas)),
    renderTimeoutMs: (pick("renderTimeoutSeconds") ?? DEFAULTS.renderTimeoutSeconds) * 1000,
    reservedNames: base.reservedNames,
  };
}

/** 0 in the config is "no cap", said on purpose; a missing value took the default before this. */
function replicaCap(configured: number): number | undefined {
  return configured === 0 ? undefined : configured;
}

/** The host of an environment's URL, for its default Ingress domain. */
export function hostOfUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url).hostname.toLowerCase() || undefined;
  } catch {
    return undefined;
  }
}
