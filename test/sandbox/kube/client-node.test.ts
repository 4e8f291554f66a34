import { expect } from "chai";
import { AppsV1Api, CoreV1Api, CustomObjectsApi, PatchStrategy, Watch, setHeaderOptions, type KubeConfig, type V1Deployment } from "@kubernetes/client-node";
import { startKubeSandbox, TEST_DELAYS, type KubeSandbox } from "@tugboat/sandbox/kube";
import { capiSeedFor, deployment, expectStatus, kubeConfigFor, raw, waitFor } from "./helpers.js";

const SEED = new URL("../../../config/sandbox/kube/staging", import.meta.url).pathname;
// One self-managed server: staging's seed plus its MachineDeployment and Machines from the management seed.
const STAGING_CAPI = capiSeedFor("staging");
const STAGING_MD = "staging-general-7xk2p";
const TABLE = "application/json;as=Table;g=meta.k8s.io;v=v1,application/json";

describe("kube sandbox: client-node", function () {
  this.timeout(20_000);
  let sb: KubeSandbox;
  let kc: KubeConfig;
  let core: CoreV1Api;
  let apps: AppsV1Api;
  let custom: CustomObjectsApi;

  before(async () => {
    sb = await startKubeSandbox({ clusterName: "staging", seedDir: SEED, objects: STAGING_CAPI, delays: TEST_DELAYS, historyLimit: 2000 });
    kc = kubeConfigFor(sb);
    core = kc.makeApiClient(CoreV1Api);
    apps = kc.makeApiClient(AppsV1Api);
    custom = kc.makeApiClient(CustomObjectsApi);
    await core.createNamespace({ body: { metadata: { name: "t" } } });
  });
  after(async () => sb && sb.stop());
  afterEach(() => sb.faults.clear());

  describe("seed", () => {
    it("serves the staging seed fully ready, created days ago", async () => {
      const ds = await apps.listNamespacedDeployment({ namespace: "github-staging" });
      const byName = Object.fromEntries(ds.items.map((d) => [d.metadata!.name, d]));
      expect(Object.keys(byName).sort()).to.deep.equal(["consul-service-router", "unicorn", "unicorn-api"]);
      expect(byName.unicorn.spec!.replicas).to.equal(2);
      expect(byName.unicorn.status!.readyReplicas).to.equal(2);
      expect(byName.unicorn.spec!.template.spec!.containers.map((c: any) => c.image)).to.deep.equal(["registry.example.com/github:4e2b69b7257d0acef565ae51b930fda4288aa759", "prom/statsd-exporter:v0.26.0"]);
      expect(Date.now() - new Date(byName.unicorn.metadata!.creationTimestamp!).getTime()).to.be.greaterThan(2 * 86_400_000);
      const pods = await core.listNamespacedPod({ namespace: "github-staging", labelSelector: "app=unicorn" });
      expect(pods.items).to.have.length(2);
      for (const p of pods.items) expect(p.status!.phase).to.equal("Running");
      const secrets = await core.listNamespacedSecret({ namespace: "tugboat-secrets" });
      expect(secrets.items.map((s) => s.metadata!.name).sort()).to.deep.equal(["common", "github"]);
      const nodes = await core.listNode();
      expect(nodes.items).to.have.length(2);
      const mds: any = await custom.listNamespacedCustomObject({ group: "cluster.x-k8s.io", version: "v1beta1", namespace: "default", plural: "machinedeployments" });
      expect(mds.items.map((m: any) => `${m.metadata.name}:${m.spec.replicas}:${m.status.readyReplicas}`)).to.deep.equal([`${STAGING_MD}:2:2`]);
    });
  });

  describe("CRUD and errors", () => {
    it("creates, reads, updates and deletes a ConfigMap; uid/creationTimestamp/resourceVersion are set", async () => {
      const created = await core.createNamespacedConfigMap({ namespace: "t", body: { metadata: { name: "cm1", labels: { a: "1" } }, data: { k: "v" } } });
      expect(created.metadata!.uid).to.match(/^[0-9a-f-]{36}$/);
      expect(created.metadata!.creationTimestamp).to.be.instanceOf(Date);
      const rv1 = Number(created.metadata!.resourceVersion);
      const got = await core.readNamespacedConfigMap({ name: "cm1", namespace: "t" });
      got.data = { k: "v2" };
      const upd = await core.replaceNamespacedConfigMap({ name: "cm1", namespace: "t", body: got });
      expect(Number(upd.metadata!.resourceVersion)).to.be.greaterThan(rv1);
      expect(upd.data).to.deep.equal({ k: "v2" });
      await core.deleteNamespacedConfigMap({ name: "cm1", namespace: "t" });
      const st = await expectStatus(core.readNamespacedConfigMap({ name: "cm1", namespace: "t" }), 404);
      expect(st).to.deep.include({ kind: "Status", apiVersion: "v1", status: "Failure", reason: "NotFound", code: 404, message: 'configmaps "cm1" not found' });
      expect(st.details).to.deep.equal({ name: "cm1", kind: "configmaps" });
    });

    it("409 Conflict on a stale update, AlreadyExists on a duplicate create", async () => {
      const d = await apps.createNamespacedDeployment({ namespace: "t", body: deployment("stale", "t") });
      // The controllers write status concurrently: re-read until our own update lands, as real clients must.
      let a: V1Deployment;
      for (;;) {
        a = await apps.readNamespacedDeployment({ name: "stale", namespace: "t" });
        a.spec!.replicas = 3;
        try {
          await apps.replaceNamespacedDeployment({ name: "stale", namespace: "t", body: a });
          break; // `a` keeps the resourceVersion our update made stale
        } catch (e: any) {
          if (e.code !== 409) throw e;
        }
      }
      const old = { ...d, spec: { ...d.spec!, replicas: 5 } } as V1Deployment;
      old.metadata!.resourceVersion = a.metadata!.resourceVersion;
      const st = await expectStatus(apps.replaceNamespacedDeployment({ name: "stale", namespace: "t", body: old }), 409);
      expect(st.reason).to.equal("Conflict");
      expect(st.message).to.equal('Operation cannot be fulfilled on deployments.apps "stale": the object has been modified; please apply your changes to the latest version and try again');
      expect(st.details).to.deep.equal({ name: "stale", group: "apps", kind: "deployments" });
      const dup = await expectStatus(apps.createNamespacedDeployment({ namespace: "t", body: deployment("stale", "t") }), 409);
      expect(dup.reason).to.equal("AlreadyExists");
    });

    it("generation bumps on spec change only; controllers set observedGeneration", async () => {
      await apps.createNamespacedDeployment({ namespace: "t", body: deployment("gen", "t", { replicas: 1 }) });
      // controllers write status concurrently, so every update re-reads first (as real clients must)
      const update = async (mutate: (d: V1Deployment) => void): Promise<V1Deployment> => {
        for (;;) {
          const cur = await apps.readNamespacedDeployment({ name: "gen", namespace: "t" });
          mutate(cur);
          try {
            return await apps.replaceNamespacedDeployment({ name: "gen", namespace: "t", body: cur });
          } catch (e: any) {
            if (e.code !== 409) throw e;
          }
        }
      };
      let d = await apps.readNamespacedDeployment({ name: "gen", namespace: "t" });
      expect(d.metadata!.generation).to.equal(1);
      d = await update((x) => (x.metadata!.labels = { ...x.metadata!.labels, extra: "x" }));
      expect(d.metadata!.generation).to.equal(1);
      d = await update((x) => (x.spec!.replicas = 2));
      expect(d.metadata!.generation).to.equal(2);
      await waitFor(async () => (await apps.readNamespacedDeployment({ name: "gen", namespace: "t" })).status?.observedGeneration === 2, 3000, "observedGeneration");
    });

    it("Invalid names (422 with causes), missing namespace (404), terminating namespace (403), method not allowed (405)", async () => {
      const inv = await expectStatus(core.createNamespacedConfigMap({ namespace: "t", body: { metadata: { name: "Bad_Name" } } }), 422);
      expect(inv.reason).to.equal("Invalid");
      expect(inv.details.kind).to.equal("ConfigMap");
      expect(inv.details.causes[0]).to.include({ reason: "FieldValueInvalid", field: "metadata.name" });
      const nsInv = await expectStatus(core.createNamespace({ body: { metadata: { name: "a.b" } } }), 422);
      expect(nsInv.message).to.contain("RFC 1123 label");
      const missing = await expectStatus(core.createNamespacedConfigMap({ namespace: "nope", body: { metadata: { name: "x" } } }), 404);
      expect(missing.message).to.equal('namespaces "nope" not found');
      await core.createNamespace({ body: { metadata: { name: "doomed" } } });
      await core.createNamespacedConfigMap({ namespace: "doomed", body: { metadata: { name: "x" } } });
      sb.setDelays({ namespaceFinalizeMs: 300 });
      await core.deleteNamespace({ name: "doomed" });
      const ns = await core.readNamespace({ name: "doomed" });
      expect(ns.status!.phase).to.equal("Terminating");
      expect(ns.metadata!.deletionTimestamp).to.be.instanceOf(Date);
      const forb = await expectStatus(core.createNamespacedConfigMap({ namespace: "doomed", body: { metadata: { name: "y" } } }), 403);
      expect(forb.reason).to.equal("Forbidden");
      expect(forb.message).to.contain("because it is being terminated");
      await waitFor(async () => {
        try {
          await core.readNamespace({ name: "doomed" });
          return false;
        } catch (e: any) {
          return e.code === 404;
        }
      }, 3000, "namespace removal");
      sb.setDelays({ namespaceFinalizeMs: TEST_DELAYS.namespaceFinalizeMs });
      const r = await raw(sb, "POST", "/api/v1/namespaces/t/configmaps/x", { body: {} });
      expect(r.status).to.equal(405);
      expect(r.json).to.include({ kind: "Status", reason: "MethodNotAllowed" });
      const bad = await raw(sb, "GET", "/api/v1/namespaces/t/pods?labelSelector=a%20in%20(", {});
      expect(bad.status).to.equal(400);
      expect(bad.json.reason).to.equal("BadRequest");
    });

    it("dryRun=All returns the result without storing it", async () => {
      const cm = await core.createNamespacedConfigMap({ namespace: "t", dryRun: "All", body: { metadata: { name: "dry" }, data: { a: "b" } } });
      expect(cm.data).to.deep.equal({ a: "b" });
      await expectStatus(core.readNamespacedConfigMap({ name: "dry", namespace: "t" }), 404);
    });
  });

  describe("lists", () => {
    before(async () => {
      for (let i = 0; i < 7; i++) {
        await core.createNamespacedConfigMap({ namespace: "t", body: { metadata: { name: `sel-${i}`, labels: { tier: i % 2 ? "odd" : "even", idx: String(i), ...(i === 3 ? { special: "yes" } : {}) } } } });
      }
    });

    const names = (l: any) => l.items.map((i: any) => i.metadata.name);
    it("label selectors: =, ==, !=, in, notin, exists, !key", async () => {
      const q = (labelSelector: string) => core.listNamespacedConfigMap({ namespace: "t", labelSelector }).then(names);
      expect(await q("tier=odd")).to.deep.equal(["sel-1", "sel-3", "sel-5"]);
      expect(await q("tier==even,idx!=0")).to.deep.equal(["sel-2", "sel-4", "sel-6"]);
      expect(await q("idx in (1, 2)")).to.deep.equal(["sel-1", "sel-2"]);
      expect(await q("tier,idx notin (0,1,2,3,4)")).to.deep.equal(["sel-5", "sel-6"]);
      expect(await q("special")).to.deep.equal(["sel-3"]);
      expect((await q("!special,tier")).length).to.equal(6);
    });

    it("field selectors: metadata.name, metadata.namespace, status.phase; unsupported field → 400", async () => {
      const l = await core.listConfigMapForAllNamespaces({ fieldSelector: "metadata.name=sel-2" });
      expect(names(l)).to.deep.equal(["sel-2"]);
      const running = await core.listPodForAllNamespaces({ fieldSelector: "status.phase=Running,metadata.namespace=github-staging" });
      expect(running.items.length).to.equal(4);
      const st = await expectStatus(core.listNamespacedConfigMap({ namespace: "t", fieldSelector: "data.k=v" }), 400);
      expect(st.message).to.contain("field label not supported");
    });

    it("limit/continue paging", async () => {
      const p1 = await core.listNamespacedConfigMap({ namespace: "t", labelSelector: "tier", limit: 3 });
      expect(names(p1)).to.deep.equal(["sel-0", "sel-1", "sel-2"]);
      expect(p1.metadata!._continue).to.be.a("string");
      // Like the API server: no count for a selective list (it would count objects the selector leaves out)
      expect(p1.metadata!.remainingItemCount).to.equal(undefined);
      const p2 = await core.listNamespacedConfigMap({ namespace: "t", labelSelector: "tier", limit: 3, _continue: p1.metadata!._continue });
      expect(names(p2)).to.deep.equal(["sel-3", "sel-4", "sel-5"]);
      const p3 = await core.listNamespacedConfigMap({ namespace: "t", labelSelector: "tier", limit: 3, _continue: p2.metadata!._continue });
      expect(names(p3)).to.deep.equal(["sel-6"]);
      expect(p3.metadata!._continue).to.equal(undefined);
      const all = (await core.listNamespacedConfigMap({ namespace: "t" })).items.length;
      const u1 = await core.listNamespacedConfigMap({ namespace: "t", limit: 3 });
      expect(u1.metadata!.remainingItemCount).to.equal(all - 3);
    });

    it("Tables page like lists: limit, continue and remainingItemCount in the Table's metadata", async () => {
      const all = (await core.listPodForAllNamespaces()).items.length;
      expect(all).to.be.greaterThan(2);
      const first = await raw(sb, "GET", "/api/v1/pods?limit=1", { accept: TABLE });
      expect(first.json.kind).to.equal("Table");
      expect(first.json.rows).to.have.length(1);
      expect(first.json.metadata.remainingItemCount).to.equal(all - 1);
      const next = await raw(sb, "GET", `/api/v1/pods?limit=1&continue=${encodeURIComponent(first.json.metadata.continue)}`, { accept: TABLE });
      expect(next.json.rows).to.have.length(1);
      expect(next.json.metadata.remainingItemCount).to.equal(all - 2);
      expect(next.json.rows[0].object.metadata.name).to.not.equal(first.json.rows[0].object.metadata.name);
      const selective = await raw(sb, "GET", "/api/v1/pods?limit=1&labelSelector=app%3Dunicorn", { accept: TABLE });
      expect(selective.json.metadata.continue).to.be.a("string");
      expect(selective.json.metadata).to.not.have.property("remainingItemCount");
    });

    it("Table output with kubectl's columns, paging and selectors", async () => {
      const r = await raw(sb, "GET", "/api/v1/namespaces/github-staging/pods?labelSelector=app%3Dunicorn&limit=1", { accept: TABLE });
      expect(r.json.kind).to.equal("Table");
      expect(r.json.apiVersion).to.equal("meta.k8s.io/v1");
      expect(r.json.columnDefinitions.map((c: any) => `${c.name}:${c.priority}`)).to.deep.equal(["Name:0", "Ready:0", "Status:0", "Restarts:0", "Age:0", "IP:1", "Node:1", "Nominated Node:1", "Readiness Gates:1"]);
      expect(r.json.columnDefinitions[0]).to.include({ type: "string", format: "name" });
      expect(r.json.rows).to.have.length(1);
      expect(r.json.metadata.continue).to.be.a("string");
      const [name, ready, status, restarts, age] = r.json.rows[0].cells;
      expect(name).to.match(/^unicorn-/);
      expect([ready, status, restarts]).to.deep.equal(["2/2", "Running", "0"]);
      expect(age).to.match(/^\d+d(\d+h)?$/);
      expect(r.json.rows[0].object).to.deep.include({ kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1" });
      const d = await raw(sb, "GET", "/apis/apps/v1/namespaces/github-staging/deployments/unicorn?includeObject=Object", { accept: TABLE });
      expect(d.json.columnDefinitions.map((c: any) => c.name)).to.deep.equal(["Name", "Ready", "Up-to-date", "Available", "Age", "Containers", "Images", "Selector"]);
      expect(d.json.rows[0].cells.slice(0, 4)).to.deep.equal(["unicorn", "2/2", 2, 2]);
      expect(d.json.rows[0].object.kind).to.equal("Deployment");
      const nodes = await raw(sb, "GET", "/api/v1/nodes", { accept: TABLE });
      expect(nodes.json.columnDefinitions.map((c: any) => c.name)).to.deep.equal(["Name", "Status", "Roles", "Age", "Version", "Internal-IP", "External-IP", "OS-Image", "Kernel-Version", "Container-Runtime"]);
      expect(nodes.json.rows[0].cells.slice(1, 3)).to.deep.equal(["Ready", "worker"]);
      const svc = await raw(sb, "GET", "/api/v1/namespaces/github-staging/services", { accept: TABLE });
      expect(svc.json.columnDefinitions.map((c: any) => c.name)).to.deep.equal(["Name", "Type", "Cluster-IP", "External-IP", "Port(s)", "Age", "Selector"]);
      const sec = await raw(sb, "GET", "/api/v1/namespaces/tugboat-secrets/secrets", { accept: TABLE });
      expect(sec.json.rows.map((x: any) => x.cells.slice(0, 3))).to.deep.equal([["common", "Opaque", 3], ["github", "Opaque", 3]]);
      const md = await raw(sb, "GET", "/apis/cluster.x-k8s.io/v1beta1/namespaces/default/machinedeployments", { accept: TABLE });
      expect(md.json.columnDefinitions.map((c: any) => c.name)).to.include.members(["Name", "Cluster", "Replicas", "Ready", "Phase", "Age"]);
    });
  });

  describe("watch", () => {
    it("replays from a resourceVersion, sends BOOKMARKs and closes after timeoutSeconds", async () => {
      const l = await core.listNamespacedConfigMap({ namespace: "t" });
      const rv = l.metadata!.resourceVersion!;
      await core.createNamespacedConfigMap({ namespace: "t", body: { metadata: { name: "w1", labels: { w: "1" } } } });
      await core.patchNamespacedConfigMap({ name: "w1", namespace: "t", body: { data: { x: "y" } } }, setHeaderOptions("Content-Type", PatchStrategy.MergePatch));
      const events: Array<[string, any]> = [];
      const start = Date.now();
      await new Promise<void>((resolve, reject) => {
        void new Watch(kc).watch("/api/v1/namespaces/t/configmaps", { resourceVersion: rv, allowWatchBookmarks: true, timeoutSeconds: 1, labelSelector: "w=1" }, (type, obj) => {
          events.push([type, obj]);
          if (events.length === 3) void core.deleteNamespacedConfigMap({ name: "w1", namespace: "t" });
        }, (err) => (err ? reject(err) : resolve()));
      });
      expect(Date.now() - start).to.be.within(900, 3000);
      const types = events.map((e) => e[0]).filter((t) => t !== "BOOKMARK");
      expect(types).to.deep.equal(["ADDED", "MODIFIED", "DELETED"]);
      const bm = events.find((e) => e[0] === "BOOKMARK");
      expect(bm?.[1]).to.deep.include({ kind: "ConfigMap", apiVersion: "v1" });
      expect(Number(bm?.[1].metadata.resourceVersion)).to.be.greaterThan(Number(rv));
    });

    it("a too-old resourceVersion gets a 410 Gone Status", async () => {
      // history is bounded (historyLimit 2000 here): generate more writes than that
      for (let i = 0; i < 1100; i++) {
        sb.putObject({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: `churn-${i % 5}`, namespace: "t" }, data: { i: String(i) } });
        sb.putObject({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: `churn-${i % 5}`, namespace: "t" }, data: { j: String(i) } });
      }
      const events: any[] = [];
      await new Promise<void>((resolve) => {
        void new Watch(kc).watch("/api/v1/namespaces/t/configmaps", { resourceVersion: "2" }, (type, obj) => events.push({ type, obj }), () => resolve());
      });
      expect(events).to.have.length(1);
      expect(events[0].type).to.equal("ERROR");
      expect(events[0].obj).to.deep.include({ kind: "Status", code: 410, reason: "Expired" });
      const cont = await raw(sb, "GET", `/api/v1/namespaces/t/configmaps?limit=1&continue=${Buffer.from(JSON.stringify({ rv: 2, start: "t/a" })).toString("base64")}`);
      expect(cont.status).to.equal(410);
    });
  });

  describe("patch", () => {
    before(async () => {
      await apps.createNamespacedDeployment({ namespace: "t", body: deployment("p", "t", { replicas: 1 }) });
    });

    it("JSON patch (the default), merge patch and strategic merge patch", async () => {
      let d = await apps.patchNamespacedDeployment({ name: "p", namespace: "t", body: [{ op: "replace", path: "/spec/replicas", value: 2 }, { op: "add", path: "/metadata/labels/jp", value: "yes" }] });
      expect(d.spec!.replicas).to.equal(2);
      expect(d.metadata!.labels!.jp).to.equal("yes");
      const bad = await expectStatus(apps.patchNamespacedDeployment({ name: "p", namespace: "t", body: [{ op: "replace", path: "/spec/nope/x", value: 1 }] }), 422);
      expect(bad.kind).to.equal("Status");
      d = await apps.patchNamespacedDeployment({ name: "p", namespace: "t", body: { metadata: { labels: { jp: null, mp: "1" } } } }, setHeaderOptions("Content-Type", PatchStrategy.MergePatch));
      expect(d.metadata!.labels).to.deep.equal({ app: "p", mp: "1" });
      d = await apps.patchNamespacedDeployment({
        name: "p",
        namespace: "t",
        body: { spec: { template: { spec: { containers: [{ name: "side", image: "busybox:1.36" }, { name: "app", env: [{ name: "A", value: "1" }] }] } } } },
      }, setHeaderOptions("Content-Type", PatchStrategy.StrategicMergePatch));
      const cs = d.spec!.template.spec!.containers;
      expect(cs.map((c) => c.name)).to.deep.equal(["app", "side"]);
      expect(cs[0].image).to.equal("nginx:1.25");
      expect(cs[0].env).to.deep.equal([{ name: "A", value: "1" }]);
      d = await apps.patchNamespacedDeployment({ name: "p", namespace: "t", body: { spec: { template: { spec: { containers: [{ name: "side", $patch: "delete" }] } } } } }, setHeaderOptions("Content-Type", PatchStrategy.StrategicMergePatch));
      expect(d.spec!.template.spec!.containers.map((c) => c.name)).to.deep.equal(["app"]);
    });

    it("server-side apply: create, conflicts (409 listing fields), force, removal of fields no longer applied", async () => {
      const ssa = (manager: string, force = false) => setHeaderOptions("Content-Type", PatchStrategy.ServerSideApply);
      const cfg = (replicas: number, labels: Record<string, string>) => ({
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "ssa", namespace: "t", labels },
        spec: { replicas, selector: { matchLabels: { app: "ssa" } }, template: { metadata: { labels: { app: "ssa" } }, spec: { containers: [{ name: "app", image: "nginx:1.25" }] } } },
      });
      const created = await apps.patchNamespacedDeployment({ name: "ssa", namespace: "t", fieldManager: "alice", body: cfg(2, { app: "ssa", owner: "alice", temp: "x" }) }, ssa("alice"));
      expect(created.metadata!.managedFields!.map((m) => `${m.manager}:${m.operation}`)).to.deep.equal(["alice:Apply"]);
      const st = await expectStatus(apps.patchNamespacedDeployment({ name: "ssa", namespace: "t", fieldManager: "bob", body: cfg(5, { app: "ssa" }) }, ssa("bob")), 409);
      expect(st.reason).to.equal("Conflict");
      expect(st.message).to.equal('Apply failed with 1 conflict: conflict with "alice": .spec.replicas');
      expect(st.details.causes).to.deep.equal([{ reason: "FieldManagerConflict", message: 'conflict with "alice"', field: ".spec.replicas" }]);
      const forced = await apps.patchNamespacedDeployment({ name: "ssa", namespace: "t", fieldManager: "bob", force: true, body: cfg(5, { app: "ssa" }) }, ssa("bob"));
      expect(forced.spec!.replicas).to.equal(5);
      // alice stops sending the "temp" label → removed; "owner" stays; replicas now belongs to bob
      const again = await apps.patchNamespacedDeployment({ name: "ssa", namespace: "t", fieldManager: "alice", body: { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "ssa", labels: { app: "ssa", owner: "alice" } }, spec: { selector: { matchLabels: { app: "ssa" } }, template: { metadata: { labels: { app: "ssa" } }, spec: { containers: [{ name: "app", image: "nginx:1.25" }] } } } } }, ssa("alice"));
      expect(again.metadata!.labels).to.deep.equal({ app: "ssa", owner: "alice" });
      expect(again.spec!.replicas).to.equal(5);
      // a YAML body is accepted too
      const yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa-yaml\ndata:\n  a: b\n";
      const r = await raw(sb, "PATCH", "/api/v1/namespaces/t/configmaps/ssa-yaml?fieldManager=carol", { body: yaml, contentType: "application/apply-patch+yaml" });
      expect(r.status).to.equal(201);
      expect(r.json.data).to.deep.equal({ a: "b" });
      const noMgr = await raw(sb, "PATCH", "/api/v1/namespaces/t/configmaps/ssa-yaml", { body: yaml, contentType: "application/apply-patch+yaml" });
      expect(noMgr.status).to.equal(400);
    });
  });

  describe("subresources", () => {
    it("scale subresource for deployments and machinedeployments", async () => {
      await apps.createNamespacedDeployment({ namespace: "t", body: deployment("sc", "t", { replicas: 1 }) });
      const s = await apps.readNamespacedDeploymentScale({ name: "sc", namespace: "t" });
      expect(s).to.deep.include({ kind: "Scale", apiVersion: "autoscaling/v1" });
      expect(s.spec!.replicas).to.equal(1);
      expect(s.status!.selector).to.equal("app=sc");
      await apps.patchNamespacedDeploymentScale({ name: "sc", namespace: "t", body: { spec: { replicas: 3 } } }, setHeaderOptions("Content-Type", PatchStrategy.MergePatch));
      await waitFor(async () => (await apps.readNamespacedDeployment({ name: "sc", namespace: "t" })).status?.readyReplicas === 3, 3000, "3 ready");
      const pods = await core.listNamespacedPod({ namespace: "t", labelSelector: "app=sc" });
      expect(pods.items).to.have.length(3);
      const p = pods.items[0];
      expect(p.spec!.nodeName).to.match(/^ip-/);
      expect(p.status!.podIP).to.match(/^10\.244\./);
      expect(p.status!.containerStatuses![0]).to.deep.include({ ready: true, restartCount: 0, image: "nginx:1.25" });
      expect(p.metadata!.labels!["pod-template-hash"]).to.be.a("string");
      const rs = await apps.listNamespacedReplicaSet({ namespace: "t", labelSelector: "app=sc" });
      expect(rs.items[0].metadata!.name).to.equal(`sc-${p.metadata!.labels!["pod-template-hash"]}`);
      expect(rs.items[0].metadata!.annotations!["deployment.kubernetes.io/revision"]).to.equal("1");
      // logs
      const log = await core.readNamespacedPodLog({ name: p.metadata!.name!, namespace: "t", tailLines: 2 });
      expect(log.trim().split("\n")).to.have.length(2);
      // events
      const ev = await core.listNamespacedEvent({ namespace: "t", fieldSelector: `involvedObject.name=${p.metadata!.name}` });
      expect(ev.items.map((e) => e.reason)).to.include.members(["Scheduled", "Pulling", "Pulled", "Started"]);
      const dev = await core.listNamespacedEvent({ namespace: "t", fieldSelector: "involvedObject.kind=Deployment,involvedObject.name=sc" });
      expect(dev.items.map((e) => e.reason)).to.include("ScalingReplicaSet");
      // deleting the deployment cascades
      await apps.deleteNamespacedDeployment({ name: "sc", namespace: "t" });
      await waitFor(async () => (await core.listNamespacedPod({ namespace: "t", labelSelector: "app=sc" })).items.length === 0, 3000, "cascade");
      expect((await apps.listNamespacedReplicaSet({ namespace: "t", labelSelector: "app=sc" })).items).to.have.length(0);
    });

    it("MachineDeployment scale creates Machines and Nodes that become Ready; nodes-never-ready", async () => {
      const md = (n: string) => ({ group: "cluster.x-k8s.io", version: "v1beta1", namespace: "default", plural: "machinedeployments", name: n });
      await custom.patchNamespacedCustomObjectScale({ ...md(STAGING_MD), body: { spec: { replicas: 4 } } }, setHeaderOptions("Content-Type", PatchStrategy.MergePatch));
      const mdObj: any = await waitFor(async () => {
        const o: any = await custom.getNamespacedCustomObject(md(STAGING_MD));
        return o.status?.readyReplicas === 4 && o.status?.phase === "Running" && o;
      }, 5000, "md ready");
      expect(mdObj.status).to.deep.include({ replicas: 4, availableReplicas: 4, updatedReplicas: 4, observedGeneration: mdObj.metadata.generation });
      const nodes = await core.listNode({ labelSelector: "node.kubernetes.io/instance-type=m5.large" });
      expect(nodes.items).to.have.length(4);
      for (const n of nodes.items) {
        expect(n.status!.nodeInfo!.kubeletVersion).to.equal("v1.32.4");
        expect(n.metadata!.labels).to.have.property("node-role.kubernetes.io/worker");
      }
      const machines: any = await custom.listNamespacedCustomObject({ group: "cluster.x-k8s.io", version: "v1beta1", namespace: "default", plural: "machines" });
      expect(machines.items.map((m: any) => m.status.phase)).to.deep.equal(["Running", "Running", "Running", "Running"]);
      expect(machines.items.every((m: any) => m.status.nodeRef?.name)).to.equal(true);
      // never ready
      await custom.patchNamespacedCustomObject({ ...md(STAGING_MD), body: { metadata: { annotations: { "sandbox.tugboat.dev/nodes-never-ready": "true" } }, spec: { replicas: 5 } } }, setHeaderOptions("Content-Type", PatchStrategy.MergePatch));
      await waitFor(async () => (await core.listNode()).items.length === 5, 3000, "5th node");
      await new Promise((r) => setTimeout(r, 200));
      const o: any = await custom.getNamespacedCustomObject(md(STAGING_MD));
      expect(o.status).to.deep.include({ replicas: 5, readyReplicas: 4, phase: "ScalingUp" });
      const notReady = (await core.listNode()).items.filter((n) => n.status!.conditions!.find((c) => c.type === "Ready")!.status !== "True");
      expect(notReady).to.have.length(1);
      // scale down removes machines and their nodes
      await custom.patchNamespacedCustomObjectScale({ ...md(STAGING_MD), body: { spec: { replicas: 2 } } }, setHeaderOptions("Content-Type", PatchStrategy.MergePatch));
      await waitFor(async () => (await core.listNode()).items.length === 2, 3000, "scale down");
    });

    it("broken images: ImagePullBackOff stalls the rollout until ProgressDeadlineExceeded; crashloop restarts grow", async () => {
      await apps.createNamespacedDeployment({ namespace: "t", body: deployment("brk", "t", { replicas: 2, pds: 1 }) });
      await waitFor(async () => (await apps.readNamespacedDeployment({ name: "brk", namespace: "t" })).status?.availableReplicas === 2, 3000, "available");
      await apps.patchNamespacedDeployment({ name: "brk", namespace: "t", body: [{ op: "replace", path: "/spec/template/spec/containers/0/image", value: "registry.example.com/github:0da8a4352f6e38c3291ab8bf29fc4c9bcf1a4ceb" }] });
      const d = await waitFor(async () => {
        const x = await apps.readNamespacedDeployment({ name: "brk", namespace: "t" });
        const c = x.status?.conditions?.find((k) => k.type === "Progressing");
        return c?.reason === "ProgressDeadlineExceeded" && x;
      }, 5000, "deadline");
      expect(d.status!.conditions!.find((k) => k.type === "Progressing")!.status).to.equal("False");
      expect(d.status!.availableReplicas).to.equal(2);
      const pods = await core.listNamespacedPod({ namespace: "t", labelSelector: "app=brk" });
      const bad = pods.items.filter((p) => p.status!.containerStatuses?.[0]?.state?.waiting?.reason === "ImagePullBackOff");
      expect(bad).to.have.length(1);
      await apps.patchNamespacedDeployment({ name: "brk", namespace: "t", body: [{ op: "replace", path: "/spec/template/spec/containers/0/image", value: "busybox:crashloop" }] });
      const crash = await waitFor(async () => {
        const l = await core.listNamespacedPod({ namespace: "t", labelSelector: "app=brk" });
        return l.items.find((p) => (p.status!.containerStatuses?.[0]?.restartCount ?? 0) >= 2 && p.status!.containerStatuses![0].state?.waiting?.reason === "CrashLoopBackOff");
      }, 5000, "crashloop restarts");
      expect(crash.status!.phase).to.equal("Running");
    });
  });

  describe("faults and request log", () => {
    it("injects errors by verb/resource with count, latency and watch drops; counts requests", async () => {
      sb.requests.reset();
      sb.faults.add({ verb: "list", resource: "configmaps", status: 503, count: 1 });
      await expectStatus(core.listNamespacedConfigMap({ namespace: "t" }), 503);
      await core.listNamespacedConfigMap({ namespace: "t" });
      sb.faults.add({ verb: "update", resource: "deployments", status: 409 });
      const d = await apps.readNamespacedDeployment({ name: "p", namespace: "t" });
      const st = await expectStatus(apps.replaceNamespacedDeployment({ name: "p", namespace: "t", body: d }), 409);
      expect(st.reason).to.equal("Conflict");
      sb.faults.clear();
      sb.faults.add({ verb: "get", resource: "namespaces", latencyMs: 150 });
      const t0 = Date.now();
      await core.readNamespace({ name: "t" });
      expect(Date.now() - t0).to.be.greaterThan(140);
      sb.faults.add({ verb: "watch", resource: "pods", dropWatchAfterMs: 100 });
      const t1 = Date.now();
      await new Promise<void>((resolve) => void new Watch(kc).watch("/api/v1/pods", {}, () => undefined, () => resolve()));
      expect(Date.now() - t1).to.be.lessThan(1000);
      expect(sb.requests.total).to.equal(sb.requests.log.length);
      expect(sb.requests.log[0]).to.deep.include({ method: "GET", path: "/api/v1/namespaces/t/configmaps" });
    });

    it("direct access: getObject/listObjects/putObject", async () => {
      const put = sb.putObject({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "direct", namespace: "t" }, data: { a: "1" } });
      expect(put.metadata.resourceVersion).to.be.a("string");
      expect(sb.getObject("v1", "ConfigMap", "t", "direct").data).to.deep.equal({ a: "1" });
      expect(sb.listObjects("apps/v1", "Deployment", "github-staging").map((x) => x.metadata.name)).to.include("unicorn");
      expect(sb.getObject("v1", "Node", undefined, "nope")).to.equal(undefined);
    });
  });

  describe("discovery and openapi", () => {
    it("serves /version, /api, /apis, resource lists with short names and subresources, openapi v3", async () => {
      expect((await raw(sb, "GET", "/version")).json.gitVersion).to.equal("v1.32.4");
      const core1 = (await raw(sb, "GET", "/api/v1")).json;
      const pods = core1.resources.find((r: any) => r.name === "pods");
      expect(pods).to.deep.include({ namespaced: true, kind: "Pod", singularName: "pod", shortNames: ["po"] });
      expect(core1.resources.map((r: any) => r.name)).to.include.members(["pods/log", "namespaces", "nodes", "services", "configmaps", "secrets", "events"]);
      const a = (await raw(sb, "GET", "/apis/apps/v1")).json;
      expect(a.resources.find((r: any) => r.name === "deployments/scale")).to.deep.include({ group: "autoscaling", version: "v1", kind: "Scale" });
      const capi = (await raw(sb, "GET", "/apis/cluster.x-k8s.io/v1beta1")).json;
      expect(capi.resources.find((r: any) => r.name === "machinedeployments").shortNames).to.deep.equal(["md"]);
      expect(capi.resources.find((r: any) => r.name === "machines").shortNames).to.deep.equal(["ma"]);
      const agg = await raw(sb, "GET", "/apis", { accept: "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json" });
      expect(agg.json.kind).to.equal("APIGroupDiscoveryList");
      const plain = await raw(sb, "GET", "/apis");
      expect(plain.json.kind).to.equal("APIGroupList");
      const idx = (await raw(sb, "GET", "/openapi/v3")).json;
      const doc = (await raw(sb, "GET", idx.paths["apis/apps/v1"].serverRelativeURL)).json;
      expect(doc.paths["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"].patch["x-kubernetes-group-version-kind"]).to.deep.equal({ group: "apps", version: "v1", kind: "Deployment" });
      const crds = (await raw(sb, "GET", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions")).json;
      expect(crds.items.map((c: any) => c.metadata.name)).to.deep.equal(["clusters.cluster.x-k8s.io", "destinationrules.networking.istio.io", "machinedeployments.cluster.x-k8s.io", "machines.cluster.x-k8s.io", "virtualservices.networking.istio.io"]);
    });
  });
});
