import { elements, fields, type JsonFields } from "../../core/json-fields.js";

// Kubernetes Pod Security Standards (https://kubernetes.io/docs/concepts/security/pod-security-standards/),
// checked on every pod template a deploy or review lab would create. `baseline` prevents known privilege
// escalations; `restricted` adds the hardening rules. Each problem names the container or volume.

export type PodSecurityLevel = "baseline" | "restricted";

const BASELINE_CAPABILITIES = new Set([
  "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
]);
const SAFE_SYSCTLS = new Set([
  "kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start", "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range",
  "net.ipv4.ip_local_reserved_ports", "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes",
]);
const SELINUX_TYPES = new Set(["", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"]);
const RESTRICTED_VOLUMES = new Set(["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"]);
const APPARMOR_ANNOTATION = "container.apparmor.security.beta.kubernetes.io/";

const obj = fields;
const list = elements;
const label = (s: unknown): string => JSON.stringify(String(s).slice(0, 63));

/** Every Pod Security Standards problem of one pod template (spec and metadata), as short phrases. */
export function podSecurityProblems(specIn: unknown, metadataIn: unknown, level: PodSecurityLevel): string[] {
  const spec = obj(specIn);
  const metadata = obj(metadataIn);
  const podSc = obj(spec.securityContext);
  const out: string[] = [];
  const add = (p: string) => {
    if (!out.includes(p)) out.push(p);
  };
  const containers = [...list(spec.initContainers), ...list(spec.containers), ...list(spec.ephemeralContainers)].map(obj);

  // Baseline.
  for (const ns of ["hostNetwork", "hostPID", "hostIPC"]) if (spec[ns] === true) add(`${ns}: true shares the node's namespaces`);
  if (obj(podSc.windowsOptions).hostProcess === true) add("windowsOptions.hostProcess runs on the host");
  for (const v of list(spec.volumes).map(obj)) if (v.hostPath !== undefined) add(`hostPath volume ${label(v.name)} (${String(obj(v.hostPath).path ?? "?")}) mounts the node's files`);
  for (const s of list(podSc.sysctls).map(obj)) if (!SAFE_SYSCTLS.has(String(s.name))) add(`sysctl ${label(s.name)} is not in the safe set`);
  checkCommonContext(podSc, "the pod", add);
  for (const [key, value] of Object.entries(obj(metadata.annotations))) {
    if (key.startsWith(APPARMOR_ANNOTATION) && value !== "runtime/default" && !String(value).startsWith("localhost/")) add(`AppArmor annotation ${label(key)} is ${label(value)}`);
  }
  for (const c of containers) {
    const name = `container ${label(c.name)}`;
    const sc = obj(c.securityContext);
    if (sc.privileged === true) add(`${name} is privileged`);
    if (obj(sc.windowsOptions).hostProcess === true) add(`${name} runs as a Windows host process`);
    for (const cap of list(obj(sc.capabilities).add)) if (!BASELINE_CAPABILITIES.has(String(cap))) add(`${name} adds capability ${String(cap)}`);
    for (const p of list(c.ports).map(obj)) if (p.hostPort !== undefined && p.hostPort !== 0) add(`${name} uses hostPort ${String(p.hostPort)}`);
    if (sc.procMount !== undefined && sc.procMount !== "Default") add(`${name} sets procMount ${label(sc.procMount)}`);
    checkCommonContext(sc, name, add);
  }
  if (level === "baseline") return out;

  // Restricted.
  for (const v of list(spec.volumes).map(obj)) {
    const type = Object.keys(v).find((k) => k !== "name");
    if (type !== undefined && !RESTRICTED_VOLUMES.has(type) && type !== "hostPath") add(`volume ${label(v.name)} is of type ${type} (restricted allows ${[...RESTRICTED_VOLUMES].join(", ")})`);
  }
  if (podSc.runAsUser === 0) add("the pod runs as user 0 (root)");
  const podSeccomp = obj(podSc.seccompProfile).type;
  for (const c of containers) {
    const name = `container ${label(c.name)}`;
    const sc = obj(c.securityContext);
    if (sc.allowPrivilegeEscalation !== false) add(`${name} must set allowPrivilegeEscalation: false`);
    const nonRoot = sc.runAsNonRoot ?? podSc.runAsNonRoot;
    if (nonRoot !== true) add(`${name} must run as non-root (runAsNonRoot: true)`);
    if (sc.runAsUser === 0) add(`${name} runs as user 0 (root)`);
    const seccomp = obj(sc.seccompProfile).type ?? podSeccomp;
    if (seccomp !== "RuntimeDefault" && seccomp !== "Localhost") add(`${name} needs seccompProfile RuntimeDefault or Localhost`);
    const caps = obj(sc.capabilities);
    if (!list(caps.drop).includes("ALL")) add(`${name} must drop ALL capabilities`);
    for (const cap of list(caps.add)) if (cap !== "NET_BIND_SERVICE") add(`${name} adds capability ${String(cap)} (restricted allows only NET_BIND_SERVICE)`);
  }
  return out;
}

/** The rules the pod and its containers share: seccomp not Unconfined, AppArmor, SELinux type/user/role. */
function checkCommonContext(sc: JsonFields, who: string, add: (p: string) => void): void {
  if (obj(sc.seccompProfile).type === "Unconfined") add(`${who} sets seccompProfile Unconfined`);
  const apparmor = obj(sc.appArmorProfile).type;
  if (apparmor !== undefined && apparmor !== "RuntimeDefault" && apparmor !== "Localhost") add(`${who} sets appArmorProfile ${label(apparmor)}`);
  const se = obj(sc.seLinuxOptions);
  if (se.type !== undefined && !SELINUX_TYPES.has(String(se.type))) add(`${who} sets SELinux type ${label(se.type)}`);
  if ((se.user ?? "") !== "" || (se.role ?? "") !== "") add(`${who} sets a custom SELinux user or role`);
}

/** The pod templates of an object: a Pod's own spec, a CronJob's job template, or `spec.template` of a workload. */
export function podTemplates(o: { kind?: string; metadata?: unknown; spec?: unknown }): Array<{ spec: unknown; metadata: unknown }> {
  if (o.kind === "Pod") return [{ spec: o.spec, metadata: o.metadata }];
  if (o.kind === "CronJob") {
    const t = obj(obj(obj(o.spec).jobTemplate).spec).template;
    return t === undefined ? [] : [{ spec: obj(t).spec, metadata: obj(t).metadata }];
  }
  const t = obj(o.spec).template;
  return t === undefined ? [] : [{ spec: obj(t).spec, metadata: obj(t).metadata }];
}
