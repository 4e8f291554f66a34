import type { ResourceDef } from "../resources.js";
import { isPlainObject } from "../util.js";

/** Server-side defaulting as the real API server does it, including allocated cluster IPs and node ports. */
export class Defaulter {
  private ipCounter = 10;
  private nodePortCounter = 30000;

  private allocateIp(dryRun: boolean): string {
    const n = this.ipCounter;
    if (!dryRun) this.ipCounter++;
    return `10.96.${Math.floor(n / 250)}.${(n % 250) + 2}`;
  }

  private defaultPodSpec(spec: any): void {
    if (!isPlainObject(spec)) return;
    spec.restartPolicy ??= "Always";
    spec.terminationGracePeriodSeconds ??= 30;
    spec.dnsPolicy ??= "ClusterFirst";
    spec.securityContext ??= {};
    spec.schedulerName ??= "default-scheduler";
    for (const list of [spec.containers, spec.initContainers]) {
      if (!Array.isArray(list)) continue;
      for (const c of list) {
        if (!isPlainObject(c)) continue;
        const img = String(c.image ?? "");
        const tag = img.includes("@") ? "" : img.slice(img.lastIndexOf("/") + 1).split(":")[1];
        c.imagePullPolicy ??= !img.includes("@") && (tag === undefined || tag === "latest") ? "Always" : "IfNotPresent";
        c.terminationMessagePath ??= "/dev/termination-log";
        c.terminationMessagePolicy ??= "File";
        c.resources ??= {};
        if (Array.isArray(c.ports)) for (const p of c.ports) if (isPlainObject(p)) p.protocol ??= "TCP";
      }
    }
  }

  /** `dryRun`: allocate as for a real write, but reserve nothing (the next real write gets the same address). */
  apply(def: ResourceDef, obj: any, old?: any, dryRun = false): void {
    const spec = obj.spec;
    switch (def.kind) {
      case "Namespace":
        obj.metadata.labels = { ...(obj.metadata.labels ?? {}), "kubernetes.io/metadata.name": obj.metadata.name };
        obj.spec = obj.spec ?? {};
        obj.spec.finalizers ??= ["kubernetes"];
        obj.status = obj.status ?? {};
        obj.status.phase ??= "Active";
        break;
      case "Deployment":
        obj.spec = obj.spec ?? {};
        obj.spec.replicas ??= 1;
        obj.spec.strategy ??= { type: "RollingUpdate" };
        if ((obj.spec.strategy.type ?? "RollingUpdate") === "RollingUpdate") {
          obj.spec.strategy.type = "RollingUpdate";
          obj.spec.strategy.rollingUpdate ??= {};
          obj.spec.strategy.rollingUpdate.maxSurge ??= "25%";
          obj.spec.strategy.rollingUpdate.maxUnavailable ??= "25%";
        }
        obj.spec.revisionHistoryLimit ??= 10;
        obj.spec.progressDeadlineSeconds ??= 600;
        if (obj.spec.template) {
          obj.spec.template.metadata ??= {};
          this.defaultPodSpec(obj.spec.template.spec);
        }
        break;
      case "ReplicaSet":
        obj.spec = obj.spec ?? {};
        obj.spec.replicas ??= 1;
        if (obj.spec.template) this.defaultPodSpec(obj.spec.template.spec);
        break;
      case "Pod":
        obj.spec = obj.spec ?? {};
        this.defaultPodSpec(obj.spec);
        obj.status = obj.status ?? {};
        obj.status.phase ??= "Pending";
        obj.status.qosClass ??= "BestEffort";
        break;
      case "Service": {
        obj.spec = obj.spec ?? {};
        const s = obj.spec;
        s.type ??= "ClusterIP";
        if (s.clusterIP === undefined) s.clusterIP = old?.spec?.clusterIP ?? this.allocateIp(dryRun);
        if (s.clusterIP !== "None") s.clusterIPs ??= [s.clusterIP];
        s.sessionAffinity ??= "None";
        s.ipFamilies ??= ["IPv4"];
        s.ipFamilyPolicy ??= "SingleStack";
        s.internalTrafficPolicy ??= "Cluster";
        let dryRunPorts = 0;
        for (const p of Array.isArray(s.ports) ? s.ports : []) {
          p.protocol ??= "TCP";
          p.targetPort ??= p.port;
          if ((s.type === "NodePort" || s.type === "LoadBalancer") && p.nodePort === undefined) {
            const oldP = (old?.spec?.ports ?? []).find((x: any) => x.port === p.port);
            p.nodePort = oldP?.nodePort ?? (dryRun ? this.nodePortCounter + dryRunPorts++ : this.nodePortCounter++);
          }
        }
        if (s.type === "NodePort" || s.type === "LoadBalancer") s.externalTrafficPolicy ??= "Cluster";
        obj.status = obj.status ?? old?.status ?? { loadBalancer: {} };
        break;
      }
      case "Secret":
        obj.type ??= "Opaque";
        if (isPlainObject(obj.stringData)) {
          obj.data = obj.data ?? {};
          for (const [k, v] of Object.entries(obj.stringData)) obj.data[k] = Buffer.from(String(v)).toString("base64");
          delete obj.stringData;
        }
        break;
      case "MachineDeployment":
        obj.spec = obj.spec ?? {};
        obj.spec.replicas ??= 1;
        obj.spec.selector ??= { matchLabels: {} };
        break;
      // SetDefaults_EndpointPort (core and discovery.k8s.io): protocol TCP; a slice's port name is "" when unset
      case "Endpoints":
        for (const ss of Array.isArray(obj.subsets) ? obj.subsets : []) for (const p of Array.isArray(ss?.ports) ? ss.ports : []) if (isPlainObject(p)) p.protocol ??= "TCP";
        break;
      case "EndpointSlice":
        for (const p of Array.isArray(obj.ports) ? obj.ports : []) {
          if (!isPlainObject(p)) continue;
          p.name ??= "";
          p.protocol ??= "TCP";
        }
        break;
      case "Event":
        obj.count ??= 1;
        obj.type ??= "Normal";
        break;
      default:
        void spec;
    }
  }
}
