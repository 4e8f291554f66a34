/**
 * Embedded Kubernetes API sandbox: an in-process HTTP API server that real kubectl and
 * @kubernetes/client-node accept. See docs/sandbox.md.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Api } from "./api/index.js";
import { bootstrapPolicy } from "./auth/index.js";
import { Controllers } from "./controllers/index.js";
import { createKubeControl } from "./control.js";
import { Faults } from "./faults.js";
import { findByKind } from "./resources.js";
import { loadSeedDir, prepareSeed } from "./seed.js";
import { KubeHttp } from "./server.js";
import { Store } from "./store.js";
import { DEMO_DELAYS, type BrokenImageRule, type KubeSandbox, type KubeSandboxOptions, type SimDelays } from "./types.js";
import { isoNow } from "./util.js";
import { linkWorkloadClusters, registerControllers } from "./workload-clusters.js";

export * from "./types.js";
export type { AccessQuestion, FaultHandle, KubeControl, KubeObject, ObjectQuery, ObjectRef, RequestFilter } from "./control.js";
export type { SandboxIdentity, UserInfo } from "./auth/identities.js";
export { loadSeedDir } from "./seed.js";

/** broken images from docs/sandbox-seed-facts.md */
export const DEFAULT_BROKEN_IMAGES: BrokenImageRule[] = [
  { match: "registry.example.com/github:0da8a4352f6e38c3291ab8bf29fc4c9bcf1a4ceb", reason: "ImagePullBackOff" },
  { match: "*:crashloop", reason: "CrashLoopBackOff" },
];

const SYSTEM_NAMESPACES = ["default", "kube-system", "kube-public", "kube-node-lease"];

export async function startKubeSandbox(opts: KubeSandboxOptions): Promise<KubeSandbox> {
  const store = new Store(opts.historyLimit ?? 10000);
  const api = new Api(store, opts.clusterName);
  const delays: SimDelays = { ...DEMO_DELAYS, ...(opts.delays ?? {}) };
  const controllers = new Controllers(api, store, delays, opts.brokenImages ?? DEFAULT_BROKEN_IMAGES, opts.clusterName);
  const faults = new Faults();
  if (opts.workloadClusters) linkWorkloadClusters(controllers, opts.workloadClusters);

  // ---- seed (synchronously, then let the controllers settle with past timestamps)
  controllers.bootstrapping = true;
  const seed: any[] = [];
  if (opts.seedDir) seed.push(...loadSeedDir(opts.seedDir));
  if (opts.objects) seed.push(...(opts.objects as any[]));
  const prepared = prepareSeed(seed);
  const sysAt = isoNow(Date.now() - 60 * 86_400_000);
  for (const ns of SYSTEM_NAMESPACES) {
    if (!prepared.some((o) => o.kind === "Namespace" && o.metadata?.name === ns)) {
      api.put({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns, creationTimestamp: sysAt } });
    }
  }
  const order = (o: any) => (o.kind === "Namespace" ? 0 : o.kind === "CustomResourceDefinition" ? 1 : o.kind === "Node" ? 2 : o.kind === "MachineDeployment" ? 3 : 4);
  for (const o of [...prepared].sort((a, b) => order(a) - order(b))) api.put(o, { keepTimestamps: true });
  ensureCrds(api);
  // The API server's default roles and bindings (cluster-admin for system:masters, discovery for everyone…).
  for (const o of bootstrapPolicy()) api.put(o, { keepTimestamps: true });
  controllers.bootstrap();

  // ---- HTTP
  const http = new KubeHttp(api, store, faults, () => address);
  if (opts.watchBookmarkMs !== undefined) http.watchBookmarkMs = opts.watchBookmarkMs;
  const server: Server = createServer((req, res) => {
    void http.handle(req, res);
  });
  server.on("connection", (s) => http.trackSocket(s));
  server.keepAliveTimeout = 5000;
  const host = opts.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const address = `${host}:${port}`;
  controllers.kick();

  const requests = {
    get total() {
      return http.requests.total;
    },
    set total(v: number) {
      http.requests.total = v;
    },
    get log() {
      return http.requests.log;
    },
    reset() {
      http.requests.total = 0;
      http.requests.log.length = 0;
    },
  };

  const setDelays = (d: Partial<SimDelays>) => {
    Object.assign(delays, d);
    controllers.delays = delays;
    controllers.resync();
  };
  const control = createKubeControl({ cluster: opts.clusterName, store, api, controllers, faults, auth: http.auth, delays, requests, setDelays });
  const sandbox: KubeSandbox = {
    url: `http://${address}`,
    clusterName: opts.clusterName,
    control,
    requests,
    faults: {
      add: (r) => {
        faults.add(r);
      },
      clear: () => faults.clear(),
    },
    setDelays,
    // The older members, kept for the tests that use them: control.objects is the same, typed.
    getObject: (apiVersion, kind, namespace, name) => control.objects.get({ apiVersion, kind, namespace, name }),
    listObjects: (apiVersion, kind, namespace) => (findByKind(apiVersion, kind) ? control.objects.list({ apiVersion, kind, namespace }) : []),
    putObject: (obj: any) => control.objects.put(obj),
    async stop() {
      controllers.stop();
      http.closeAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  registerControllers(sandbox, controllers);
  return sandbox;
}

function ensureCrds(api: Api): void {
  const at = isoNow(Date.now() - 45 * 86_400_000);
  for (const [kind, plural, short] of [["MachineDeployment", "machinedeployments", "md"], ["Machine", "machines", "ma"], ["Cluster", "clusters", "cl"]] as const) {
    const def = findByKind("cluster.x-k8s.io/v1beta1", kind)!;
    const v1beta2 = findByKind("cluster.x-k8s.io/v1beta2", kind)!;
    const subresources = def.subresources.includes("scale")
      ? { status: {}, scale: { specReplicasPath: ".spec.replicas", statusReplicasPath: ".status.replicas", labelSelectorPath: ".status.selector" } }
      : { status: {} };
    const schema = { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } };
    api.put({
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name: `${plural}.cluster.x-k8s.io`, creationTimestamp: at, labels: { "cluster.x-k8s.io/provider": "cluster-api" } },
      spec: {
        group: "cluster.x-k8s.io",
        names: { kind, listKind: `${kind}List`, plural, singular: kind.toLowerCase(), shortNames: [short], categories: ["cluster-api"] },
        scope: "Namespaced",
        // as CAPI 1.11+ installs them: v1beta2 stored, v1beta1 still served (and deprecated)
        versions: [
          { name: "v1beta2", served: true, storage: true, subresources, additionalPrinterColumns: v1beta2.printerColumns ?? [], schema },
          { name: "v1beta1", served: true, storage: false, deprecated: true, subresources, additionalPrinterColumns: def.printerColumns ?? [], schema },
        ],
      },
      status: {
        acceptedNames: { kind, listKind: `${kind}List`, plural, singular: kind.toLowerCase(), shortNames: [short], categories: ["cluster-api"] },
        conditions: [
          { type: "NamesAccepted", status: "True", reason: "NoConflicts", message: "no conflicts found", lastTransitionTime: at },
          { type: "Established", status: "True", reason: "InitialNamesAccepted", message: "the initial names have been accepted", lastTransitionTime: at },
        ],
        storedVersions: ["v1beta1", "v1beta2"],
      },
    }, { keepTimestamps: true });
  }
  for (const [kind, plural, short] of [["VirtualService", "virtualservices", "vs"], ["DestinationRule", "destinationrules", "dr"]] as const) {
    const names = { kind, listKind: `${kind}List`, plural, singular: kind.toLowerCase(), shortNames: [short], categories: ["istio-io", "networking-istio-io"] };
    api.put({
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name: `${plural}.networking.istio.io`, creationTimestamp: at, labels: { app: "istio-pilot", chart: "istio" } },
      spec: {
        group: "networking.istio.io",
        names,
        scope: "Namespaced",
        // The fields' types live in validation/istio-kinds.ts; the published schema stays open here.
        versions: [{ name: "v1", served: true, storage: true, subresources: { status: {} }, schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } } }],
      },
      status: {
        acceptedNames: names,
        conditions: [{ type: "Established", status: "True", reason: "InitialNamesAccepted", message: "the initial names have been accepted", lastTransitionTime: at }],
        storedVersions: ["v1"],
      },
    }, { keepTimestamps: true });
  }
}
