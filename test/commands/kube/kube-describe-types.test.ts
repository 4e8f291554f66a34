import { expect } from "chai";
import { startHarness, type Harness } from "../../helpers/harness.js";
import { kubectl, output, sameAsKubectl } from "./kube-helpers.js";

// kubectl's per-type describers (Pod, Deployment, ReplicaSet, Service, Node, Namespace): Tugboat's text is compared
// with the real kubectl's against the same sandbox, ages normalised. Events are added so each Events table shows.

function iso(msAgo: number): string {
  return new Date(Date.now() - msAgo).toISOString().replace(/\.\d+Z$/, "Z");
}

describe("/kube describe: kubectl's per-type describers", function () {
  this.timeout(60_000);
  let h: Harness;
  const names: Record<string, string> = {};
  before(async () => {
    h = await startHarness();
    const staging = h.sandbox.clusters.staging!;
    const pod = staging.listObjects("v1", "Pod", "github-staging").find((p: any) => /^unicorn-[a-z0-9]+-[a-z0-9]+$/.test(p.metadata.name));
    const rs = staging.listObjects("apps/v1", "ReplicaSet", "github-staging").find((r: any) => /^unicorn-[a-z0-9]+$/.test(r.metadata.name));
    const node = staging.listObjects("v1", "Node")[0];
    const svc = staging.getObject("v1", "Service", "github-staging", "unicorn");
    names.pod = pod.metadata.name;
    names.rs = rs.metadata.name;
    names.node = node.metadata.name;
    let n = 0;
    // `reportingOnly`: an event from a newer recorder, with reportingComponent and no source (kubectl's FROM falls back to it).
    const event = (obj: any, reason: string, message: string, first: number, last: number, count: number, type = "Normal", uid: string = obj.metadata.uid, reportingOnly = false) =>
      staging.putObject({
        apiVersion: "v1",
        kind: "Event",
        metadata: { name: `${obj.metadata.name}.t${n++}`, namespace: obj.metadata.namespace ?? "default" },
        involvedObject: { apiVersion: obj.apiVersion, kind: obj.kind, name: obj.metadata.name, uid, ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}) },
        reason,
        message,
        type,
        ...(reportingOnly ? { reportingComponent: "tugboat-reporter" } : { source: { component: "tugboat-test" } }),
        firstTimestamp: iso(first),
        lastTimestamp: iso(last),
        count,
      });
    event({ ...pod, apiVersion: "v1", kind: "Pod" }, "Pulled", "Container image already present on machine", 40 * 60_000, 40 * 60_000, 1);
    event({ ...pod, apiVersion: "v1", kind: "Pod" }, "BackOff", "Back-off restarting failed container", 50 * 60_000, 5 * 60_000, 3, "Warning");
    event({ ...rs, apiVersion: "apps/v1", kind: "ReplicaSet" }, "SuccessfulCreate", `Created pod: ${pod.metadata.name}`, 3 * 3600_000, 3 * 3600_000, 1);
    event({ ...svc, apiVersion: "v1", kind: "Service" }, "Type", "ClusterIP -> ClusterIP", 2 * 3600_000, 2 * 3600_000, 1, "Normal", svc.metadata.uid, true);
    event({ ...node, apiVersion: "v1", kind: "Node" }, "NodeReady", "Node is ready", 9 * 3600_000, 9 * 3600_000, 1);
    // A pod with what the sandbox's own pods lack: resources, probes, env sources, mounts, volumes, tolerations.
    staging.putObject({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "rich", namespace: "github-staging", uid: "rich-uid", labels: { app: "rich" }, creationTimestamp: iso(3600_000) },
      spec: {
        nodeName: node.metadata.name,
        serviceAccountName: "default",
        priority: 0,
        initContainers: [{ name: "migrate", image: "busybox:1.36", command: ["sh", "-c", "echo hi"] }],
        containers: [
          {
            name: "web",
            image: "nginx:1.27",
            ports: [{ containerPort: 80, protocol: "TCP" }, { containerPort: 443, protocol: "TCP" }],
            resources: { requests: { cpu: "250m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
            livenessProbe: { httpGet: { path: "/healthz", port: 80, scheme: "HTTP" }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 },
            readinessProbe: { tcpSocket: { port: 80 }, initialDelaySeconds: 5, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 },
            env: [
              { name: "POD_NAME", valueFrom: { fieldRef: { apiVersion: "v1", fieldPath: "metadata.name" } } },
              { name: "TOKEN", valueFrom: { secretKeyRef: { name: "unicorn-env", key: "token" } } },
              { name: "MODE", valueFrom: { configMapKeyRef: { name: "cfg", key: "mode", optional: true } } },
            ],
            envFrom: [{ configMapRef: { name: "cfg" }, prefix: "CFG_" }],
            volumeMounts: [{ name: "data", mountPath: "/data" }, { name: "cfg", mountPath: "/etc/cfg", readOnly: true, subPath: "app.conf" }],
          },
        ],
        volumes: [
          { name: "data", emptyDir: {} },
          { name: "cfg", configMap: { name: "cfg" } },
          { name: "secret", secret: { secretName: "unicorn-env", optional: true } },
          { name: "claim", persistentVolumeClaim: { claimName: "pvc-1" } },
        ],
        nodeSelector: { "kubernetes.io/os": "linux" },
        tolerations: [
          { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
          { key: "dedicated", operator: "Equal", value: "web", effect: "NoSchedule" },
        ],
      },
      status: {
        phase: "Running",
        hostIP: "10.1.11.42",
        podIP: "10.244.90.99",
        podIPs: [{ ip: "10.244.90.99" }],
        startTime: iso(3600_000),
        qosClass: "Burstable",
        conditions: [{ type: "Ready", status: "True" }],
        initContainerStatuses: [{ name: "migrate", ready: true, restartCount: 0, image: "busybox:1.36", imageID: "", containerID: "containerd://i1", state: { terminated: { exitCode: 0, reason: "Completed", startedAt: iso(3600_000), finishedAt: iso(3590_000) } } }],
        containerStatuses: [
          {
            name: "web",
            ready: false,
            restartCount: 2,
            image: "nginx:1.27",
            imageID: "",
            containerID: "containerd://c1",
            state: { waiting: { reason: "CrashLoopBackOff" } },
            lastState: { terminated: { exitCode: 1, reason: "Error", startedAt: iso(600_000), finishedAt: iso(590_000) } },
          },
        ],
      },
    });
    event({ ...node, apiVersion: "v1", kind: "Node" }, "Starting", "Starting kubelet.", 10 * 3600_000, 10 * 3600_000, 1, "Normal", node.metadata.name);
  });
  after(async () => {
    await h?.stop();
  });

  const cases: Array<[string, string, () => string[]]> = [
    ["deployment", "staging", () => ["deploy", "unicorn", "-n", "github-staging"]],
    ["deployment (prod)", "production", () => ["deployment", "unicorn-api", "-n", "github-production"]],
    ["replicaset", "staging", () => ["rs", names.rs!, "-n", "github-staging"]],
    ["pod", "staging", () => ["pod", names.pod!, "-n", "github-staging"]],
    ["pod with resources, probes, env, volumes", "staging", () => ["pod", "rich", "-n", "github-staging"]],
    ["node with a pod that has requests and limits", "staging", () => ["node", names.node!]],
    ["service", "staging", () => ["svc", "unicorn", "-n", "github-staging"]],
    ["node", "staging", () => ["node", names.node!]],
    ["namespace", "staging", () => ["ns", "github-staging"]],
  ];
  for (const [what, cluster, args] of cases) {
    it(`${what} prints what kubectl describe prints`, async () => {
      const a = args();
      const line = `/kube describe ${a.join(" ")} --cluster ${cluster}`;
      const [t, k] = await Promise.all([h.run(line, { user: "UADMIN" }), kubectl(h, cluster, ["describe", ...a])]);
      expect(t.final?.tone, t.text).to.equal("success");
      expect(k.stderr, k.stderr).to.equal("");
      expect(sameAsKubectl(output(t), k.stdout), `${output(t)}\n---\n${k.stdout}`).to.equal(true);
    });
  }
});
