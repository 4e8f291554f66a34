import type { KObject } from "../../gateways/types.js";
import { elements, fields } from "../../core/json-fields.js";
import type { ContentPolicy } from "./policy.js";

// What an Ingress may route: its hosts (rules, TLS, server-alias) must be the target's, and ingress-nginx
// annotations may neither send traffic or credentials to another host nor carry configuration text. The list
// follows ingress-nginx's annotation reference and the 2025 advisories (auth-url CVE-2025-24514, auth-tls-match-cn
// CVE-2025-1097, mirror-target/mirror-host CVE-2025-1098): values it splices into nginx.conf.

/** Under a domain: the domain itself or a name below it; a wildcard counts by what follows "*.". */
function under(host: string, domain: string): boolean {
  const h = host.startsWith("*.") ? host.slice(2) : host;
  return h === domain || h.endsWith(`.${domain}`);
}

/** Why a host is not the target's ("is not under …"), or undefined: one of its domains covers it and no more specific foreign one. */
function notOurs(host: string, policy: ContentPolicy): string | undefined {
  const ours = policy.ingressDomains.filter((d) => under(host, d)).reduce((best, d) => Math.max(best, d.length), -1);
  if (ours < 0) return `is not under ${policy.ingressDomains.join(", ") || "no domain is configured"}`;
  if (policy.foreignDomains.some((f) => under(host, f) && f.length > ours)) return `is not under ${policy.ingressDomains.join(", ")}`;
  // A wildcard also matches every name below its base, someone else's domain among them (*.example.com matches
  // staging.example.com wherever no exact rule exists).
  const base = host.startsWith("*.") ? host.slice(2) : undefined;
  const covered = base === undefined ? undefined : policy.foreignDomains.find((f) => f.endsWith(`.${base}`));
  return covered === undefined ? undefined : `also matches ${covered}, which is not this target's domain`;
}

const shortHost = (host: string) => host.slice(0, 100);

/** ingress-nginx's annotations under its default prefix or a custom one ending in it (--annotations-prefix). */
const NGINX_ANNOTATION = /^(?:[a-z0-9.-]*\.)?nginx\.ingress\.kubernetes\.io\/([a-z0-9-]+)$/i;
/** ingress-nginx serves these extra names (comma or space separated) for the same backends as the rules' hosts. */
const SERVER_ALIAS = "server-alias";
/** Absolute URLs nginx sends requests (auth-url, mirror-target) or visitors (auth-signin, redirects) to. */
const URL_ANNOTATIONS = new Set(["auth-url", "auth-signin", "mirror-target", "permanent-redirect", "temporal-redirect"]);
/** Host names nginx sends requests or metrics to. */
const HOST_ANNOTATIONS = new Set(["mirror-host", "influxdb-host"]);
/** Written into nginx.conf as text that nginx parses (not a value it quotes). */
const CONFIGURATION_TEXT: Record<string, string> = {
  "auth-tls-match-cn": "is a pattern written into nginx's configuration (CVE-2025-1097)",
};
/** `namespace/name` references the controller resolves with its own rights, in whichever namespace they name. */
const OBJECT_REFERENCES: Record<string, string> = {
  "auth-secret": "Secret",
  "auth-tls-secret": "Secret",
  "proxy-ssl-secret": "Secret",
  "auth-proxy-set-headers": "ConfigMap",
  "custom-headers": "ConfigMap",
};
/** Characters that end or open an nginx directive or block. */
const DIRECTIVE_SYNTAX = /[\n\r;{}]/;

export function ingressProblems(o: KObject, policy: ContentPolicy, namespace: string): string[] {
  const out: string[] = [];
  const hosts: unknown[] = [];
  const spec = fields(o.spec);
  for (const rule of elements(spec.rules).map(fields)) {
    if (rule.host === undefined || rule.host === "") out.push("an Ingress rule without a host would take every host's traffic");
    else hosts.push(rule.host);
  }
  for (const tls of elements(spec.tls)) hosts.push(...elements(fields(tls).hosts));
  for (const host of new Set(hosts.map((h) => String(h).toLowerCase()))) {
    const why = notOurs(host, policy);
    if (why) out.push(`Ingress host ${shortHost(host)} ${why}`);
  }
  if (spec.defaultBackend !== undefined) out.push("an Ingress defaultBackend would take every unmatched host's traffic");
  for (const [key, value] of Object.entries(fields(o.metadata?.annotations))) {
    const name = NGINX_ANNOTATION.exec(key)?.[1]?.toLowerCase();
    if (name !== undefined) out.push(...nginxAnnotationProblems(key.slice(0, 120), name, String(value), policy, namespace));
  }
  return out;
}

function nginxAnnotationProblems(key: string, name: string, value: string, policy: ContentPolicy, namespace: string): string[] {
  if (name.endsWith("snippet")) return [`annotation ${key} injects ingress-controller configuration and is never applied`];
  if (CONFIGURATION_TEXT[name]) return [`annotation ${key} ${CONFIGURATION_TEXT[name]} and is never applied`];
  if (DIRECTIVE_SYNTAX.test(value)) return [`annotation ${key} contains a line break, ";", "{" or "}", which would write nginx configuration; never applied`];
  if (name === SERVER_ALIAS) {
    const aliases = new Set(value.toLowerCase().split(/[\s,]+/).filter(Boolean));
    return [...aliases].flatMap((alias) => {
      const why = notOurs(alias, policy);
      return why ? [`Ingress host ${shortHost(alias)} (server-alias) ${why}`] : [];
    });
  }
  if (URL_ANNOTATIONS.has(name)) {
    const host = httpHost(value);
    if (host === undefined) return [`annotation ${key} is not an absolute http(s) URL with a host under ${policy.ingressDomains.join(", ") || "a configured domain"}`];
    const why = notOurs(host, policy);
    return why ? [`annotation ${key} sends traffic to ${shortHost(host)}, which ${why}`] : [];
  }
  if (HOST_ANNOTATIONS.has(name)) {
    const host = value.trim().toLowerCase();
    const why = notOurs(host, policy);
    return why ? [`annotation ${key} sends traffic to ${shortHost(host)}, which ${why}`] : [];
  }
  if (name === "enable-global-auth" && value.trim().toLowerCase() === "false") {
    return [`annotation ${key} turns off the authentication the controller's operator requires of every Ingress; never applied`];
  }
  const kind = OBJECT_REFERENCES[name];
  const slash = value.indexOf("/");
  if (kind && slash >= 0 && value.slice(0, slash).trim() !== namespace) {
    return [`annotation ${key} reads ${kind} ${value.slice(0, 120)} of another namespace; only objects in ${namespace} may be used`];
  }
  return [];
}

/**
 * The host of an absolute http(s) URL, lowercased; undefined when the value is not one. nginx expands variables
 * in these values, so a host followed directly by `$request_uri` or `$uri` (which start with "/") is read as that
 * host, and every other variable in the authority makes the host a caller's choice: undefined.
 */
function httpHost(value: string): string | undefined {
  const m = /^(https?):\/\/([^/?#]*)/i.exec(value.trim());
  if (!m) return undefined;
  const authority = m[2]!.replace(/\$(request_uri|uri)$/, "");
  if (authority.includes("$")) return undefined;
  let host: string;
  try {
    host = new URL(`${m[1]}://${authority}/`).hostname.toLowerCase();
  } catch {
    return undefined;
  }
  return /^[a-z0-9.-]+$/.test(host) ? host : undefined;
}
