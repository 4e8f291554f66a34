// Pod Security admission for namespaces labelled `pod-security.kubernetes.io/enforce` (baseline or restricted):
// the checks a typical app trips over, in the real plugin's order and wording.

interface Check { name: string; detail: string }

const quoteList = (names: string[]) => names.map((n) => JSON.stringify(n)).join(", ");
const containersPhrase = (names: string[]) => `${names.length === 1 ? "container" : "containers"} ${quoteList(names)}`;

function allContainers(pod: any): any[] {
  return [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
}

function baseline(pod: any): Check[] {
  const out: Check[] = [];
  const spec = pod.spec ?? {};
  const hostNs = ["hostNetwork", "hostPID", "hostIPC"].filter((k) => spec[k] === true);
  if (hostNs.length) out.push({ name: "host namespaces", detail: `${hostNs.map((k) => `${k}=true`).join(", ")}` });
  const privileged = allContainers(pod).filter((c) => c.securityContext?.privileged === true).map((c) => c.name);
  if (privileged.length) out.push({ name: "privileged", detail: `${containersPhrase(privileged)} must not set securityContext.privileged=true` });
  return out;
}

function restricted(pod: any): Check[] {
  const out: Check[] = [];
  const cs = allContainers(pod);
  const podSc = pod.spec?.securityContext ?? {};
  const escalation = cs.filter((c) => c.securityContext?.allowPrivilegeEscalation !== false).map((c) => c.name);
  if (escalation.length) out.push({ name: "allowPrivilegeEscalation != false", detail: `${containersPhrase(escalation)} must set securityContext.allowPrivilegeEscalation=false` });
  const caps = cs.filter((c) => !(c.securityContext?.capabilities?.drop ?? []).includes("ALL")).map((c) => c.name);
  if (caps.length) out.push({ name: "unrestricted capabilities", detail: `${containersPhrase(caps)} must set securityContext.capabilities.drop=["ALL"]` });
  const nonRoot = podSc.runAsNonRoot === true
    ? cs.filter((c) => c.securityContext?.runAsNonRoot === false).map((c) => c.name)
    : cs.filter((c) => c.securityContext?.runAsNonRoot !== true).map((c) => c.name);
  if (nonRoot.length) out.push({ name: "runAsNonRoot != true", detail: podSc.runAsNonRoot === true ? `${containersPhrase(nonRoot)} must not set securityContext.runAsNonRoot=false` : `pod or ${containersPhrase(nonRoot)} must set securityContext.runAsNonRoot=true` });
  const okSeccomp = (t: unknown) => t === "RuntimeDefault" || t === "Localhost";
  const seccomp = okSeccomp(podSc.seccompProfile?.type)
    ? []
    : cs.filter((c) => !okSeccomp(c.securityContext?.seccompProfile?.type)).map((c) => c.name);
  if (seccomp.length) out.push({ name: "seccompProfile", detail: `pod or ${containersPhrase(seccomp)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"` });
  return out;
}

/** undefined when the namespace's enforced level admits the pod, else the reason (after `is forbidden: `) */
export function podSecurityDenial(namespace: any, pod: any): string | undefined {
  const labels = namespace?.metadata?.labels ?? {};
  const level = labels["pod-security.kubernetes.io/enforce"];
  if (level !== "baseline" && level !== "restricted") return undefined;
  const version = labels["pod-security.kubernetes.io/enforce-version"] ?? "latest";
  const checks = [...baseline(pod), ...(level === "restricted" ? restricted(pod) : [])];
  if (!checks.length) return undefined;
  return `violates PodSecurity "${level}:${version}": ${checks.map((c) => `${c.name} (${c.detail})`).join(", ")}`;
}
