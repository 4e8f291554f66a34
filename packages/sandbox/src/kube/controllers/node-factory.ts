import { fnv32 } from "../util.js";

/**
 * Capacity by EC2 instance type, for nodes the machine controller provisions and seeded nodes. In the canonical form
 * a real API server answers with (a kubelet's 64737280Ki is served as 63220Mi), which kubectl describe prints.
 */
const INSTANCE_CAPACITY: Record<string, { cpu: string; memory: string }> = {
  "m5.large": { cpu: "2", memory: "7934488Ki" },
  "m5.xlarge": { cpu: "4", memory: "15896936Ki" },
  "m5.2xlarge": { cpu: "8", memory: "32366000Ki" },
  "r5.2xlarge": { cpu: "8", memory: "63220Mi" },
};

/** A kubelet-registered Node as a real cluster reports it; not Ready (and tainted not-ready) unless `ready`. */
export function makeNode(name: string, o: { labels?: Record<string, string>; annotations?: Record<string, string>; providerID?: string; ip: string; ready: boolean; at: string; instanceType?: string; version?: string }): any {
  const cap = INSTANCE_CAPACITY[o.instanceType ?? "m5.large"] ?? INSTANCE_CAPACITY["m5.large"];
  const ready = o.ready;
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name,
      labels: {
        "beta.kubernetes.io/arch": "amd64",
        "beta.kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        "kubernetes.io/hostname": name,
        "kubernetes.io/os": "linux",
        "node-role.kubernetes.io/worker": "",
        "topology.kubernetes.io/region": "us-east-1",
        ...(o.labels ?? {}),
      },
      annotations: { "node.alpha.kubernetes.io/ttl": "0", "volumes.kubernetes.io/controller-managed-attach-detach": "true", ...(o.annotations ?? {}) },
    },
    spec: {
      ...(o.providerID ? { providerID: o.providerID } : {}),
      podCIDR: `10.244.${(fnv32(name) % 200) + 1}.0/24`,
      podCIDRs: [`10.244.${(fnv32(name) % 200) + 1}.0/24`],
      ...(ready ? {} : { taints: [{ key: "node.kubernetes.io/not-ready", effect: "NoSchedule" }] }),
    },
    status: {
      capacity: { cpu: cap.cpu, "ephemeral-storage": "83873772Ki", "hugepages-1Gi": "0", "hugepages-2Mi": "0", memory: cap.memory, pods: "110" },
      allocatable: { cpu: cap.cpu, "ephemeral-storage": "77299011866", "hugepages-1Gi": "0", "hugepages-2Mi": "0", memory: cap.memory, pods: "110" },
      conditions: [
        { type: "MemoryPressure", status: "False", lastHeartbeatTime: o.at, lastTransitionTime: o.at, reason: "KubeletHasSufficientMemory", message: "kubelet has sufficient memory available" },
        { type: "DiskPressure", status: "False", lastHeartbeatTime: o.at, lastTransitionTime: o.at, reason: "KubeletHasNoDiskPressure", message: "kubelet has no disk pressure" },
        { type: "PIDPressure", status: "False", lastHeartbeatTime: o.at, lastTransitionTime: o.at, reason: "KubeletHasSufficientPID", message: "kubelet has sufficient PID available" },
        ready
          ? { type: "Ready", status: "True", lastHeartbeatTime: o.at, lastTransitionTime: o.at, reason: "KubeletReady", message: "kubelet is posting ready status" }
          : { type: "Ready", status: "False", lastHeartbeatTime: o.at, lastTransitionTime: o.at, reason: "KubeletNotReady", message: "container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized" },
      ],
      addresses: [{ type: "InternalIP", address: o.ip }, { type: "InternalDNS", address: name }, { type: "Hostname", address: name }],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        machineID: fnv32(name + "m").toString(16).padStart(8, "0").repeat(4),
        systemUUID: `ec2${fnv32(name).toString(16).padStart(8, "0")}-0000-0000-0000-000000000000`.slice(0, 36),
        bootID: `${fnv32(name + "b").toString(16).padStart(8, "0")}-1111-2222-3333-444455556666`,
        kernelVersion: "6.5.0-1022-aws",
        osImage: "Ubuntu 22.04.4 LTS",
        containerRuntimeVersion: "containerd://1.7.13",
        kubeletVersion: o.version ?? "v1.32.4",
        kubeProxyVersion: o.version ?? "v1.32.4",
        operatingSystem: "linux",
        architecture: "amd64",
      },
    },
  };
}
