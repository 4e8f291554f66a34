import type {
  V1Container,
  V1ContainerState,
  V1ContainerStatus,
  V1Pod,
  V1PodTemplateSpec,
  V1Probe,
  V1ResourceRequirements,
  V1TopologySpreadConstraint,
} from "../../gateways/kube-models.js";
import { annotationsMultiline, formatLabelSelector, labelsMultiline, printBool, rfc1123z, tolerationsMultiline, type DescribeWriter } from "./describe-writer.js";
import { describeVolumes } from "./describe-volumes.js";

// kubectl's describeContainers and DescribePodTemplate, shared by the Pod, ReplicaSet and Deployment describers.

function resources(w: DescribeWriter, r: V1ResourceRequirements | undefined, level: number): void {
  for (const [title, list] of [["Limits", r?.limits ?? {}], ["Requests", r?.requests ?? {}]] as const) {
    const names = Object.keys(list).sort();
    if (names.length > 0) w.line(level, `${title}:`);
    for (const n of names) w.line(level + 1, `${n}:\t${list[n]}`);
  }
}
export { resources as describeResources };

function probe(p: V1Probe): string {
  const n = (v: unknown) => Number(v ?? 0);
  const attrs = `delay=${n(p.initialDelaySeconds)}s timeout=${n(p.timeoutSeconds)}s period=${n(p.periodSeconds)}s #success=${n(p.successThreshold)} #failure=${n(p.failureThreshold)}`;
  if (p.exec) return `exec [${(p.exec.command ?? []).join(" ")}] ${attrs}`;
  if (p.httpGet) {
    const g = p.httpGet;
    const port = g.port === undefined ? "" : String(g.port);
    const host = g.host ?? "";
    const hostPort = port ? (host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`) : host;
    return `http-get ${String(g.scheme ?? "").toLowerCase()}://${hostPort}${g.path ?? ""} ${attrs}`;
  }
  if (p.tcpSocket) return `tcp-socket ${p.tcpSocket.host ?? ""}:${String(p.tcpSocket.port ?? "")} ${attrs}`;
  if (p.grpc) return `grpc <pod>:${p.grpc.port} ${p.grpc.service ?? ""} ${attrs}`;
  return `unknown ${attrs}`;
}

function state(w: DescribeWriter, name: string, s: V1ContainerState | undefined): void {
  if (s?.running) {
    w.line(2, `${name}:\tRunning`);
    w.line(3, `Started:\t${rfc1123z(s.running.startedAt)}`);
  } else if (s?.terminated) {
    const t = s.terminated;
    w.line(2, `${name}:\tTerminated`);
    if (t.reason) w.line(3, `Reason:\t${t.reason}`);
    if (t.message) w.line(3, `Message:\t${t.message}`);
    w.line(3, `Exit Code:\t${t.exitCode ?? 0}`);
    if ((t.signal ?? 0) > 0) w.line(3, `Signal:\t${t.signal}`);
    w.line(3, `Started:\t${rfc1123z(t.startedAt)}`);
    w.line(3, `Finished:\t${rfc1123z(t.finishedAt)}`);
  } else {
    w.line(2, `${name}:\tWaiting`);
    if (s?.waiting?.reason) w.line(3, `Reason:\t${s.waiting.reason}`);
  }
}

/** EnvValueRetriever for the fieldRef paths pods allow. */
function fieldValue(pod: V1Pod | undefined, path: string): string {
  if (!pod) return "";
  const m = path.match(/^metadata\.(labels|annotations)\['(.+)'\]$/);
  if (m) return pod.metadata?.[m[1] as "labels" | "annotations"]?.[m[2]!] ?? "";
  const simple: Record<string, unknown> = {
    "metadata.name": pod.metadata?.name,
    "metadata.namespace": pod.metadata?.namespace,
    "metadata.uid": pod.metadata?.uid,
    "spec.nodeName": pod.spec?.nodeName,
    "spec.serviceAccountName": pod.spec?.serviceAccountName,
    "status.hostIP": pod.status?.hostIP,
    "status.podIP": pod.status?.podIP,
    "status.hostIPs": (pod.status?.hostIPs ?? []).map((i) => i.ip).join(","),
    "status.podIPs": (pod.status?.podIPs ?? []).map((i) => i.ip).join(","),
  };
  return String(simple[path] ?? "");
}

function env(w: DescribeWriter, c: V1Container, pod: V1Pod | undefined): void {
  const envFrom = c.envFrom ?? [];
  if (envFrom.length > 0) {
    w.line(2, "Environment Variables from:");
    for (const e of envFrom) {
      const [from, ref] = e.configMapRef ? ["ConfigMap", e.configMapRef] : e.secretRef ? ["Secret", e.secretRef] : ["", { name: undefined, optional: undefined }];
      const optional = ref.optional === true;
      w.line(3, e.prefix ? `${ref.name ?? ""}\t${from} with prefix '${e.prefix}'\tOptional: ${optional}` : `${ref.name ?? ""}\t${from}\tOptional: ${optional}`);
    }
  }
  const vars = c.env ?? [];
  w.line(2, `Environment:${vars.length === 0 ? "\t<none>" : ""}`);
  for (const e of vars) {
    const vf = e.valueFrom;
    if (!vf) {
      String(e.value ?? "")
        .split("\n")
        .forEach((s, i) => w.line(3, i === 0 ? `${e.name}:\t${s}` : `\t${s}`));
    } else if (vf.fieldRef) {
      w.line(3, `${e.name}:\t${fieldValue(pod, vf.fieldRef.fieldPath)} (${vf.fieldRef.apiVersion ?? ""}:${vf.fieldRef.fieldPath})`);
    } else if (vf.resourceFieldRef) {
      const r = vf.resourceFieldRef.resource;
      const [kind, name] = r.split(".");
      let value = String(c.resources?.[kind === "limits" ? "limits" : "requests"]?.[name ?? ""] ?? "0");
      if (value === "0" && (r === "limits.cpu" || r === "limits.memory")) value = "node allocatable";
      w.line(3, `${e.name}:\t${value} (${r})`);
    } else if (vf.secretKeyRef) {
      w.line(3, `${e.name}:\t<set to the key '${vf.secretKeyRef.key}' in secret '${vf.secretKeyRef.name}'>\tOptional: ${vf.secretKeyRef.optional === true}`);
    } else if (vf.configMapKeyRef) {
      w.line(3, `${e.name}:\t<set to the key '${vf.configMapKeyRef.key}' of config map '${vf.configMapKeyRef.name}'>\tOptional: ${vf.configMapKeyRef.optional === true}`);
    }
  }
}

function mounts(w: DescribeWriter, c: V1Container): void {
  const list = [...(c.volumeMounts ?? [])].sort((a, b) => (a.mountPath < b.mountPath ? -1 : a.mountPath > b.mountPath ? 1 : 0));
  w.line(2, `Mounts:${list.length === 0 ? "\t<none>" : ""}`);
  for (const m of list) {
    const flags = [m.readOnly ? "ro" : "rw", ...(m.subPath ? [`path=${JSON.stringify(m.subPath)}`] : [])];
    w.line(3, `${m.mountPath} from ${m.name} (${flags.join(",")})`);
  }
  const devices = [...(c.volumeDevices ?? [])].sort((a, b) => (a.devicePath < b.devicePath ? -1 : a.devicePath > b.devicePath ? 1 : 0));
  if (devices.length > 0) {
    w.line(2, "Devices:");
    for (const d of devices) w.line(3, `${d.devicePath} from ${d.name}`);
  }
}

/** describeContainers: statuses undefined inside a pod template (no Container ID, State, Ready). */
export function describeContainers(w: DescribeWriter, label: string, containers: V1Container[] | undefined, statuses: V1ContainerStatus[] | undefined, pod: V1Pod | undefined, space: string): void {
  const list = containers ?? [];
  const byName = new Map((statuses ?? []).map((s) => [s.name, s]));
  w.line(0, `${space}${label}:${list.length === 0 ? " <none>" : ""}`);
  for (const c of list) {
    const st = byName.get(c.name);
    w.line(1, `${space ? " " : ""}${c.name}:`);
    if (st) w.line(2, `Container ID:\t${st.containerID ?? ""}`);
    w.line(2, `Image:\t${c.image ?? ""}`);
    if (st) w.line(2, `Image ID:\t${st.imageID ?? ""}`);
    const ports = c.ports ?? [];
    const p = ports.map((x) => `${x.containerPort}/${x.protocol ?? ""}`).join(", ");
    const hp = ports.map((x) => `${x.hostPort ?? 0}/${x.protocol ?? ""}`).join(", ");
    w.line(2, p.includes(",") ? `Ports:\t${p}` : `Port:\t${p || "<none>"}`);
    w.line(2, hp.includes(",") ? `Host Ports:\t${hp}` : `Host Port:\t${hp || "<none>"}`);
    const seccomp = c.securityContext?.seccompProfile;
    if (seccomp) {
      w.line(2, `SeccompProfile:\t${seccomp.type}`);
      if (seccomp.type === "Localhost") w.line(3, `LocalhostProfile:\t${seccomp.localhostProfile ?? ""}`);
    }
    for (const [title, items] of [["Command", c.command ?? []], ["Args", c.args ?? []]] as const) {
      if (items.length === 0) continue;
      w.line(2, `${title}:`);
      for (const item of items) for (const s of String(item).split("\n")) w.line(3, s);
    }
    if (st) {
      state(w, "State", st.state);
      if (st.lastState?.terminated) state(w, "Last State", st.lastState);
      w.line(2, `Ready:\t${printBool(st.ready)}`);
      w.line(2, `Restart Count:\t${st.restartCount ?? 0}`);
    }
    resources(w, c.resources, 2);
    if (c.livenessProbe) w.line(2, `Liveness:\t${probe(c.livenessProbe)}`);
    if (c.readinessProbe) w.line(2, `Readiness:\t${probe(c.readinessProbe)}`);
    if (c.startupProbe) w.line(2, `Startup:\t${probe(c.startupProbe)}`);
    env(w, c, pod);
    mounts(w, c);
  }
}

/** describeTopologySpreadConstraints. */
export function topologySpread(w: DescribeWriter, tscs: V1TopologySpreadConstraint[] | undefined, space: string): void {
  if (!tscs || tscs.length === 0) return;
  const list = [...tscs].sort((a, b) => (a.topologyKey < b.topologyKey ? -1 : a.topologyKey > b.topologyKey ? 1 : 0));
  w.write(0, `${space}Topology Spread Constraints:\t`);
  list.forEach((t, i) => {
    if (i !== 0) w.write(0, `${space}\t`);
    const sel = t.labelSelector ? ` for selector ${formatLabelSelector(t.labelSelector)}` : "";
    w.write(0, `${t.topologyKey}:${t.whenUnsatisfiable} when max skew ${t.maxSkew} is exceeded${sel}\n`);
  });
}

/** DescribePodTemplate. */
export function describePodTemplate(w: DescribeWriter, template: V1PodTemplateSpec | undefined): void {
  w.line(0, "Pod Template:");
  if (!template) return w.write(1, "<unset>");
  const spec = template.spec ?? { containers: [] };
  labelsMultiline(w, "  Labels", template.metadata?.labels);
  const annotations = template.metadata?.annotations ?? {};
  if (Object.keys(annotations).length > 0) annotationsMultiline(w, "  Annotations", annotations);
  if (spec.serviceAccountName) w.line(1, `Service Account:\t${spec.serviceAccountName}`);
  if ((spec.initContainers ?? []).length > 0) describeContainers(w, "Init Containers", spec.initContainers, undefined, undefined, "  ");
  describeContainers(w, "Containers", spec.containers, undefined, undefined, "  ");
  describeVolumes(w, spec.volumes, "  ");
  topologySpread(w, spec.topologySpreadConstraints, "  ");
  if (spec.priorityClassName) w.line(1, `Priority Class Name:\t${spec.priorityClassName}`);
  labelsMultiline(w, "  Node-Selectors", spec.nodeSelector);
  tolerationsMultiline(w, "  Tolerations", spec.tolerations);
}
