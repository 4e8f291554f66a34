import type { V1Pod, V1PodSpec } from "../../gateways/kube-models.js";
import { ageSince } from "../../domain/format/human-duration.js";
import { describeContainers, describeResources, topologySpread } from "./describe-containers.js";
import type { DescribeCtx } from "./describe-context.js";
import { writeEvents } from "./describe-events.js";
import { describeVolumes } from "./describe-volumes.js";
import { annotationsMultiline, controlledBy, DescribeWriter, labelsMultiline, rfc1123z, tolerationsMultiline } from "./describe-writer.js";

// kubectl's PodDescriber (describePod).

/** qos.GetPodQOS: the status' class, else computed from the containers' requests and limits. */
export function podQOS(pod: V1Pod): string {
  if (pod.status?.qosClass) return pod.status.qosClass;
  const containers = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])];
  let requested = false;
  let guaranteed = true;
  for (const c of containers) {
    const req = c.resources?.requests ?? {};
    const lim = c.resources?.limits ?? {};
    if (Object.keys(req).length || Object.keys(lim).length) requested = true;
    for (const r of ["cpu", "memory"]) {
      if (lim[r] === undefined || (req[r] !== undefined && req[r] !== lim[r])) guaranteed = false;
    }
  }
  if (!requested) return "BestEffort";
  return guaranteed ? "Guaranteed" : "Burstable";
}

export async function describePod(d: DescribeCtx<V1Pod>): Promise<string> {
  const pod = d.obj;
  const spec: Partial<V1PodSpec> = pod.spec ?? {};
  const status = pod.status ?? {};
  const mirror = pod.metadata?.annotations?.["kubernetes.io/config.mirror"];
  const events = await d.events([{ name: pod.metadata?.name ?? "", namespace: pod.metadata?.namespace, uid: mirror ?? pod.metadata?.uid }]);

  const w = new DescribeWriter();
  w.line(0, `Name:\t${pod.metadata?.name ?? ""}`);
  w.line(0, `Namespace:\t${pod.metadata?.namespace ?? ""}`);
  if (spec.priority !== undefined && spec.priority !== null) w.line(0, `Priority:\t${spec.priority}`);
  if (spec.priorityClassName) w.line(0, `Priority Class Name:\t${spec.priorityClassName}`);
  if (spec.runtimeClassName) w.line(0, `Runtime Class Name:\t${spec.runtimeClassName}`);
  if (spec.serviceAccountName) w.line(0, `Service Account:\t${spec.serviceAccountName}`);
  w.line(0, spec.nodeName ? `Node:\t${spec.nodeName}/${status.hostIP ?? ""}` : "Node:\t<none>");
  if (status.startTime) w.line(0, `Start Time:\t${rfc1123z(status.startTime)}`);
  labelsMultiline(w, "Labels", pod.metadata?.labels);
  annotationsMultiline(w, "Annotations", pod.metadata?.annotations);
  if (pod.metadata?.deletionTimestamp && status.phase !== "Failed" && status.phase !== "Succeeded") {
    w.line(0, `Status:\tTerminating (lasts ${ageSince(pod.metadata.deletionTimestamp, d.now)})`);
    w.line(0, `Termination Grace Period:\t${pod.metadata.deletionGracePeriodSeconds ?? 0}s`);
  } else {
    w.line(0, `Status:\t${status.phase ?? ""}`);
  }
  if (status.reason) w.line(0, `Reason:\t${status.reason}`);
  if (status.message) w.line(0, `Message:\t${status.message}`);
  const seccomp = spec.securityContext?.seccompProfile;
  if (seccomp) {
    w.line(0, `SeccompProfile:\t${seccomp.type}`);
    if (seccomp.type === "Localhost") w.line(0, `LocalhostProfile:\t${seccomp.localhostProfile ?? ""}`);
  }
  w.line(0, `IP:\t${status.podIP ?? ""}`);
  const ips = status.podIPs ?? [];
  if (ips.length === 0) w.line(0, "IPs:\t<none>");
  else {
    w.line(0, "IPs:");
    for (const ip of ips) w.line(1, `IP:\t${ip.ip}`);
  }
  const owner = controlledBy(pod);
  if (owner) w.line(0, `Controlled By:\t${owner}`);
  if (status.nominatedNodeName) w.line(0, `NominatedNodeName:\t${status.nominatedNodeName}`);
  if (spec.resources) {
    w.line(0, "Resources:");
    describeResources(w, spec.resources, 1);
  }
  if ((spec.initContainers ?? []).length > 0) describeContainers(w, "Init Containers", spec.initContainers, status.initContainerStatuses ?? [], pod, "");
  describeContainers(w, "Containers", spec.containers, status.containerStatuses ?? [], pod, "");
  if ((spec.ephemeralContainers ?? []).length > 0) describeContainers(w, "Ephemeral Containers", spec.ephemeralContainers, status.ephemeralContainerStatuses ?? [], pod, "");
  const conditions = status.conditions ?? [];
  const gates = spec.readinessGates ?? [];
  if (gates.length > 0) {
    w.write(0, "Readiness Gates:\n  Type\tStatus\n");
    for (const g of gates) {
      const c = conditions.find((x) => x.type === g.conditionType);
      w.line(1, `${g.conditionType} \t${c ? c.status : "<none>"} `);
    }
  }
  if (conditions.length > 0) {
    w.write(0, "Conditions:\n  Type\tStatus\n");
    for (const c of conditions) w.line(1, `${c.type} \t${c.status} `);
  }
  describeVolumes(w, spec.volumes, "");
  w.line(0, `QoS Class:\t${podQOS(pod)}`);
  labelsMultiline(w, "Node-Selectors", spec.nodeSelector);
  tolerationsMultiline(w, "Tolerations", spec.tolerations);
  topologySpread(w, spec.topologySpreadConstraints, "");
  writeEvents(w, events, d.now);
  return w.text();
}
