import { expect } from "chai";
import { checkContent, type ContentTarget } from "../../../src/domain/content-policy/check-content.js";
import { resolveContentPolicy, type ContentPolicyConfig } from "../../../src/domain/content-policy/policy.js";
import type { KObject } from "../../../src/gateways/types.js";

// The content policy, one rule at a time: each case is one object and the phrase its refusal must contain
// (or none, for what must pass).

const NS = "github-staging";
const scopes: Record<string, "namespaced" | "cluster"> = { "example.com/Widget": "cluster", "example.com/Gadget": "namespaced" };
const target: ContentTarget = { namespace: NS, what: "deploys to staging", scopeOf: (gk) => scopes[`${gk.group}/${gk.kind}`] ?? "namespaced" };

function policy(config: ContentPolicyConfig = {}, lab = false) {
  return resolveContentPolicy([config], {
    lab,
    ingressDomains: lab ? ["my-branch.review-lab.example.com"] : [],
    defaultIngressDomains: lab ? [] : ["staging.github.example.com"],
    foreignDomains: ["github.example.com", "api.staging.github.example.com"],
    reservedNames: lab ? ["review-lab-env"] : [],
  });
}

const meta = (name: string, extra: Record<string, unknown> = {}) => ({ name, ...extra });
const deployment = (podSpec: Record<string, unknown>, podMeta: Record<string, unknown> = {}): KObject => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: meta("web"),
  spec: { replicas: 1, selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" }, ...podMeta }, spec: podSpec } },
});
const container = (sc: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => ({ name: "app", image: "registry.example.com/github:abc", securityContext: sc, ...extra });
const restrictedContainer = (sc: Record<string, unknown> = {}) =>
  container({ allowPrivilegeEscalation: false, runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" }, capabilities: { drop: ["ALL"] }, ...sc });

function problems(o: KObject, p = policy()): string {
  return checkContent([o], p, target)
    .flatMap((v) => v.problems.map((x) => `${v.object}: ${x}`))
    .join("\n");
}

describe("content policy: kinds", () => {
  const refused: Array<[string, KObject, string]> = [
    ["a Secret", { apiVersion: "v1", kind: "Secret", metadata: meta("unicorn-env") }, "Secret unicorn-env: Secrets never come from manifests"],
    ["a Role", { apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata: meta("r") }, "RBAC objects are never applied"],
    ["a ClusterRole", { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: meta("r") }, "RBAC objects are never applied"],
    ["a RoleBinding", { apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding", metadata: meta("b") }, "RBAC objects are never applied"],
    ["a ClusterRoleBinding", { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRoleBinding", metadata: meta("b") }, "RBAC objects are never applied"],
    ["a Lease", { apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: meta("some-lease") }, "Leases are never applied"],
    ["a MachineDeployment", { apiVersion: "cluster.x-k8s.io/v1beta1", kind: "MachineDeployment", metadata: meta("md") }, "Cluster API objects are never applied"],
    ["an AWSMachineTemplate", { apiVersion: "infrastructure.cluster.x-k8s.io/v1beta2", kind: "AWSMachineTemplate", metadata: meta("t") }, "Cluster API objects are never applied"],
    ["a ValidatingWebhookConfiguration", { apiVersion: "admissionregistration.k8s.io/v1", kind: "ValidatingWebhookConfiguration", metadata: meta("w") }, "admission webhooks"],
    ["a MutatingWebhookConfiguration", { apiVersion: "admissionregistration.k8s.io/v1", kind: "MutatingWebhookConfiguration", metadata: meta("w") }, "admission webhooks"],
    ["a CRD", { apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition", metadata: meta("widgets.example.com") }, "CustomResourceDefinitions are never applied"],
    ["an APIService", { apiVersion: "apiregistration.k8s.io/v1", kind: "APIService", metadata: meta("v1.example.com") }, "API services are never applied"],
    ["a Namespace", { apiVersion: "v1", kind: "Namespace", metadata: meta("owned") }, "Namespace is cluster-scoped"],
    ["a Pod (not in the default list)", { apiVersion: "v1", kind: "Pod", metadata: meta("p"), spec: { containers: [container()] } }, "kind Pod is not allowed in deploys to staging"],
    ["a Job", { apiVersion: "batch/v1", kind: "Job", metadata: meta("j") }, "kind batch/Job is not allowed"],
    ["a Deployment of another API group", { apiVersion: "evil.example.com/v1", kind: "Deployment", metadata: meta("d") }, "kind evil.example.com/Deployment is not allowed"],
    ["an object in another namespace", { apiVersion: "v1", kind: "ConfigMap", metadata: meta("c", { namespace: "kube-system" }) }, "names namespace kube-system"],
    ["an object without a name", { apiVersion: "v1", kind: "ConfigMap", metadata: {} }, "has no metadata.name"],
    ["a tugboat-* name", { apiVersion: "v1", kind: "ConfigMap", metadata: meta("tugboat-lock-github-staging") }, "is reserved for Tugboat's own objects"],
    ["an Istio VirtualService (not configured)", { apiVersion: "networking.istio.io/v1", kind: "VirtualService", metadata: meta("web") }, "kind networking.istio.io/VirtualService is not allowed"],
    ["an Istio DestinationRule (not configured)", { apiVersion: "networking.istio.io/v1", kind: "DestinationRule", metadata: meta("web") }, "kind networking.istio.io/DestinationRule is not allowed"],
    ["a ServiceAccount that mounts its token", { apiVersion: "v1", kind: "ServiceAccount", metadata: meta("sa") }, "automountServiceAccountToken: false"],
  ];
  for (const [what, obj, phrase] of refused) {
    it(`refuses ${what}`, () => expect(problems(obj)).to.include(phrase));
  }

  it("a custom kind allowed by config is still refused when the cluster says it is cluster-scoped", () => {
    const p = policy({ kinds: ["example.com/Widget", "example.com/Gadget"] });
    expect(problems({ apiVersion: "example.com/v1", kind: "Widget", metadata: meta("w") }, p)).to.include("Widget is cluster-scoped");
    expect(problems({ apiVersion: "example.com/v1", kind: "Gadget", metadata: meta("g") }, p)).to.equal("");
  });

  it("passes Istio routing from manifests only when config allows it, and never under Tugboat's canary route names", () => {
    const p = policy({ kinds: ["networking.istio.io/VirtualService"] });
    expect(problems({ apiVersion: "networking.istio.io/v1", kind: "VirtualService", metadata: meta("web") }, p)).to.equal("");
    expect(problems({ apiVersion: "networking.istio.io/v1", kind: "VirtualService", metadata: meta("tugboat-canary-web") }, p)).to.include("is reserved for Tugboat's own objects");
  });

  it("passes the default kinds when they follow the rules", () => {
    const ok: KObject[] = [
      deployment({ containers: [container()] }),
      { apiVersion: "v1", kind: "Service", metadata: meta("web"), spec: { ports: [{ port: 80 }] } },
      { apiVersion: "v1", kind: "ConfigMap", metadata: meta("c", { namespace: NS }), data: {} },
      { apiVersion: "networking.k8s.io/v1", kind: "Ingress", metadata: meta("i"), spec: { rules: [{ host: "staging.github.example.com" }, { host: "x.staging.github.example.com" }] } },
      { apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler", metadata: meta("h"), spec: { maxReplicas: 10 } },
      { apiVersion: "policy/v1", kind: "PodDisruptionBudget", metadata: meta("pdb") },
      { apiVersion: "v1", kind: "ServiceAccount", metadata: meta("sa"), automountServiceAccountToken: false },
    ];
    expect(checkContent(ok, policy(), target)).to.deep.equal([]);
  });

  it("counts objects against the cap and returns every violation, not the first", () => {
    const many = Array.from({ length: 201 }, (_, i): KObject => ({ apiVersion: "v1", kind: "ConfigMap", metadata: meta(`c${i}`) }));
    const v = checkContent([...many, { apiVersion: "v1", kind: "Secret", metadata: meta("s") }, { apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: meta("l") }], policy(), target);
    expect(v.map((x) => x.object)).to.deep.equal(["", "Secret s", "Lease l"]);
    expect(v[0]!.problems[0]).to.equal("203 objects, more than the 200 allowed in one apply");
    expect(checkContent(many.slice(0, 5), policy({ maxObjects: 4 }), target)[0]!.problems[0]).to.include("more than the 4 allowed");
  });

  it("labs: the lab Secret's name is reserved, replicas are capped, LoadBalancer and NodePort need allowing", () => {
    const lab = policy({}, true);
    expect(problems({ apiVersion: "v1", kind: "ConfigMap", metadata: meta("review-lab-env") }, lab)).to.include("review-lab-env is reserved");
    expect(problems({ ...deployment({ containers: [container()] }), spec: { replicas: 40, template: { spec: { containers: [container()] } } } }, lab)).to.include("replicas 40 is more than the 5 allowed");
    expect(problems({ apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler", metadata: meta("h"), spec: { maxReplicas: 50 } }, lab)).to.include("maxReplicas 50");
    for (const type of ["LoadBalancer", "NodePort"]) {
      const svc: KObject = { apiVersion: "v1", kind: "Service", metadata: meta("s"), spec: { type } };
      expect(problems(svc, lab)).to.include(`Service type ${type} is not allowed here (allowed: ClusterIP)`);
      expect(problems(svc, policy({ serviceTypes: ["ClusterIP", type as "NodePort"] }, true))).to.equal("");
      expect(problems(svc)).to.equal("");
    }
  });

  it("Services: ExternalName needs allowing; externalIPs are never applied", () => {
    expect(problems({ apiVersion: "v1", kind: "Service", metadata: meta("s"), spec: { type: "ExternalName", externalName: "db.example.com" } })).to.include("Service type ExternalName");
    expect(problems({ apiVersion: "v1", kind: "Service", metadata: meta("s"), spec: { externalIPs: ["10.0.0.1"] } })).to.include("CVE-2020-8554");
  });

  it("Ingress hosts must be under the environment's domain and not under someone else's more specific one", () => {
    const ingress = (spec: Record<string, unknown>, annotations?: Record<string, string>): KObject => ({
      apiVersion: "networking.k8s.io/v1",
      kind: "Ingress",
      metadata: meta("i", annotations ? { annotations } : {}),
      spec,
    });
    expect(problems(ingress({ rules: [{ host: "github.example.com" }] }))).to.include("Ingress host github.example.com is not under staging.github.example.com");
    expect(problems(ingress({ rules: [{ host: "evilstaging.github.example.com" }] }))).to.include("is not under");
    expect(problems(ingress({ rules: [{ host: "api.staging.github.example.com" }] }))).to.include("Ingress host api.staging.github.example.com");
    expect(problems(ingress({ rules: [{ host: "*.example.com" }] }))).to.include("Ingress host *.example.com");
    expect(problems(ingress({ rules: [{ host: "STAGING.github.example.com" }] }))).to.equal("");
    expect(problems(ingress({ rules: [{ host: "staging.github.example.com" }], tls: [{ hosts: ["login.example.com"] }] }))).to.include("login.example.com");
    expect(problems(ingress({ rules: [{ http: {} }] }))).to.include("rule without a host");
    expect(problems(ingress({ defaultBackend: { service: { name: "x" } } }))).to.include("defaultBackend");
    expect(problems(ingress({ rules: [{ host: "staging.github.example.com" }] }, { "nginx.ingress.kubernetes.io/server-snippet": "lua" }))).to.include("server-snippet");
    expect(problems(ingress({ rules: [{ host: "shop.example.org" }] }), policy({ ingressDomains: ["example.org"] }))).to.equal("");
  });
});

describe("content policy: ingress-nginx annotations and the replica cap", () => {
  const ingress = (annotations: Record<string, string>): KObject => ({
    apiVersion: "networking.k8s.io/v1",
    kind: "Ingress",
    metadata: meta("web", { annotations }),
    spec: { rules: [{ host: "staging.github.example.com" }] },
  });
  const A = "nginx.ingress.kubernetes.io/";

  it("refuses annotations that send traffic or credentials to a host outside the environment's domain", () => {
    const refused: Array<[string, string, string]> = [
      ["auth-url", "https://evil.example.net/collect", "Ingress web: annotation nginx.ingress.kubernetes.io/auth-url sends traffic to evil.example.net, which is not under staging.github.example.com"],
      ["auth-signin", "https://login.evil.example.net/start?rd=$escaped_request_uri", "auth-signin sends traffic to login.evil.example.net"],
      ["mirror-target", "https://1.2.3.4$request_uri", "mirror-target sends traffic to 1.2.3.4"],
      ["mirror-host", "api.github.example.com", "mirror-host sends traffic to api.github.example.com, which is not under"],
      ["permanent-redirect", "https://phish.example.org/", "permanent-redirect sends traffic to phish.example.org"],
      ["temporal-redirect", "http://staging.github.example.com.evil.net/", "sends traffic to staging.github.example.com.evil.net"],
      ["auth-url", "https://staging.github.example.com@evil.net/", "sends traffic to evil.net"],
      ["auth-url", "https://staging.github.example.com$http_x_host/auth", "auth-url is not an absolute http(s) URL"],
      ["auth-url", "https://$http_x_target/auth", "auth-url is not an absolute http(s) URL with a host under staging.github.example.com"],
      ["auth-url", "ftp://auth.staging.github.example.com/", "is not an absolute http(s) URL"],
      ["auth-tls-match-cn", "CN=client", "auth-tls-match-cn is a pattern written into nginx's configuration (CVE-2025-1097) and is never applied"],
      ["auth-snippet", "proxy_set_header X 1;", "auth-snippet injects ingress-controller configuration"],
      ["rewrite-target", "/\n}\nserver { listen 9000;", "rewrite-target contains a line break"],
      ["enable-global-auth", "false", "enable-global-auth turns off the authentication"],
      ["auth-tls-secret", "kube-system/ca", "auth-tls-secret reads Secret kube-system/ca of another namespace; only objects in github-staging may be used"],
      ["auth-proxy-set-headers", "other/headers", "reads ConfigMap other/headers of another namespace"],
    ];
    for (const [name, value, phrase] of refused) {
      expect(problems(ingress({ [`${A}${name}`]: value })), `${name}: ${value}`).to.include(phrase);
    }
    // A custom --annotations-prefix ending in ingress-nginx's is read the same way.
    expect(problems(ingress({ "internal.nginx.ingress.kubernetes.io/auth-url": "https://evil.example.net/" }))).to.include("sends traffic to evil.example.net");
  });

  it("keeps those annotations when they stay inside the environment", () => {
    const kept = {
      [`${A}auth-url`]: "https://auth.staging.github.example.com/oauth2/auth",
      [`${A}auth-signin`]: "https://auth.staging.github.example.com/oauth2/start?rd=$escaped_request_uri",
      [`${A}mirror-target`]: "https://shadow.staging.github.example.com$request_uri",
      [`${A}mirror-host`]: "shadow.staging.github.example.com",
      [`${A}auth-tls-secret`]: `${NS}/ca`,
      [`${A}auth-secret`]: "basic-auth",
      [`${A}enable-global-auth`]: "true",
      [`${A}rewrite-target`]: "/$2",
      [`${A}proxy-body-size`]: "8m",
    };
    expect(problems(ingress(kept))).to.equal("");
  });

  it("caps replicas at 50 in environments by default; the config lowers it, raises it, or lifts it only by saying 0", () => {
    const scaled = (replicas: number): KObject => ({ ...deployment({ containers: [container()] }), spec: { replicas, template: { spec: { containers: [container()] } } } });
    const hpa = (maxReplicas: number): KObject => ({ apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler", metadata: meta("h"), spec: { maxReplicas } });
    expect(problems(scaled(10_000))).to.include("Deployment web: replicas 10000 is more than the 50 allowed (content.maxReplicas; 0 lifts the cap)");
    expect(problems(hpa(51))).to.include("maxReplicas 51 is more than the 50 allowed");
    expect(problems(scaled(50))).to.equal("");
    expect(problems(scaled(200), policy({ maxReplicas: 200 }))).to.equal("");
    expect(problems(scaled(11), policy({ maxReplicas: 10 }))).to.include("more than the 10 allowed");
    expect(problems(scaled(10_000), policy({ maxReplicas: 0 }))).to.equal("");
    expect(problems(scaled(6), policy({}, true))).to.include("more than the 5 allowed");
  });
});

describe("content policy: Pod Security Standards", () => {
  const baseline: Array<[string, Record<string, unknown>, string, Record<string, unknown>?]> = [
    ["hostNetwork", { hostNetwork: true, containers: [container()] }, "hostNetwork: true"],
    ["hostPID", { hostPID: true, containers: [container()] }, "hostPID: true"],
    ["hostIPC", { hostIPC: true, containers: [container()] }, "hostIPC: true"],
    ["a privileged container", { containers: [container({ privileged: true })] }, 'container "app" is privileged'],
    ["a privileged init container", { initContainers: [{ ...container({ privileged: true }), name: "init" }], containers: [container()] }, 'container "init" is privileged'],
    ["a privileged ephemeral container", { ephemeralContainers: [{ ...container({ privileged: true }), name: "debug" }], containers: [container()] }, 'container "debug" is privileged'],
    ["a Windows host process", { securityContext: { windowsOptions: { hostProcess: true } }, containers: [container()] }, "hostProcess"],
    ["an added capability beyond the baseline list", { containers: [container({ capabilities: { add: ["SYS_ADMIN"] } })] }, "adds capability SYS_ADMIN"],
    ["a hostPath volume", { containers: [container()], volumes: [{ name: "root", hostPath: { path: "/" } }] }, 'hostPath volume "root" (/)'],
    ["a hostPort", { containers: [container({}, { ports: [{ containerPort: 80, hostPort: 80 }] })] }, "hostPort 80"],
    ["an unconfined AppArmor annotation", { containers: [container()] }, "AppArmor annotation", { annotations: { "container.apparmor.security.beta.kubernetes.io/app": "unconfined" } }],
    ["an unconfined AppArmor profile", { containers: [container({ appArmorProfile: { type: "Unconfined" } })] }, "appArmorProfile"],
    ["a custom SELinux type", { containers: [container({ seLinuxOptions: { type: "spc_t" } })] }, 'SELinux type "spc_t"'],
    ["a custom SELinux user", { securityContext: { seLinuxOptions: { user: "system_u" } }, containers: [container()] }, "custom SELinux user or role"],
    ["an unmasked /proc", { containers: [container({ procMount: "Unmasked" })] }, 'procMount "Unmasked"'],
    ["an unconfined seccomp profile", { securityContext: { seccompProfile: { type: "Unconfined" } }, containers: [container()] }, "seccompProfile Unconfined"],
    ["an unsafe sysctl", { securityContext: { sysctls: [{ name: "kernel.msgmax", value: "1" }] }, containers: [container()] }, 'sysctl "kernel.msgmax"'],
  ];
  for (const [what, spec, phrase, podMeta] of baseline) {
    it(`baseline refuses ${what}`, () => expect(problems(deployment(spec, podMeta))).to.include(`Pod Security baseline: `).and.include(phrase));
  }

  it("baseline allows the default pod, the baseline capabilities, safe sysctls and runtime/default profiles", () => {
    const spec = {
      securityContext: { sysctls: [{ name: "net.ipv4.ip_unprivileged_port_start", value: "0" }], seccompProfile: { type: "RuntimeDefault" } },
      containers: [container({ capabilities: { add: ["NET_BIND_SERVICE", "CHOWN"] }, seLinuxOptions: { type: "container_t" }, procMount: "Default" })],
      volumes: [{ name: "cfg", configMap: { name: "c" } }, { name: "nfs", nfs: { server: "x", path: "/" } }],
    };
    expect(problems(deployment(spec, { annotations: { "container.apparmor.security.beta.kubernetes.io/app": "runtime/default" } }))).to.equal("");
  });

  const restricted: Array<[string, Record<string, unknown>, string]> = [
    ["a volume type outside the list", { containers: [restrictedContainer()], volumes: [{ name: "n", nfs: { server: "x", path: "/" } }] }, 'volume "n" is of type nfs'],
    ["privilege escalation", { containers: [restrictedContainer({ allowPrivilegeEscalation: true })] }, "allowPrivilegeEscalation: false"],
    ["running as root", { containers: [restrictedContainer({ runAsNonRoot: false })] }, "must run as non-root"],
    ["user 0", { containers: [restrictedContainer({ runAsUser: 0 })] }, "runs as user 0"],
    ["no seccomp profile", { containers: [restrictedContainer({ seccompProfile: undefined })] }, "needs seccompProfile RuntimeDefault or Localhost"],
    ["capabilities not dropped", { containers: [restrictedContainer({ capabilities: {} })] }, "must drop ALL capabilities"],
    ["an added capability other than NET_BIND_SERVICE", { containers: [restrictedContainer({ capabilities: { drop: ["ALL"], add: ["CHOWN"] } })] }, "adds capability CHOWN (restricted allows only NET_BIND_SERVICE)"],
  ];
  for (const [what, spec, phrase] of restricted) {
    it(`restricted refuses ${what}`, () => {
      expect(problems(deployment(spec), policy({ podSecurity: "restricted" }))).to.include("Pod Security restricted: ").and.include(phrase);
    });
  }

  it("restricted passes a hardened pod (pod-level runAsNonRoot and seccomp count for every container)", () => {
    const spec = {
      securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
      containers: [container({ allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"], add: ["NET_BIND_SERVICE"] } })],
      volumes: [{ name: "cfg", configMap: { name: "c" } }, { name: "tmp", emptyDir: {} }],
    };
    expect(problems(deployment(spec), policy({ podSecurity: "restricted" }))).to.equal("");
  });

  it("checks every pod-bearing kind that config allows: Pod, CronJob, StatefulSet", () => {
    const p = policy({ kinds: ["core/Pod", "batch/CronJob", "StatefulSet"] });
    const bad = { hostPID: true, containers: [container()] };
    expect(problems({ apiVersion: "v1", kind: "Pod", metadata: meta("p"), spec: bad }, p)).to.include("hostPID");
    expect(problems({ apiVersion: "batch/v1", kind: "CronJob", metadata: meta("c"), spec: { jobTemplate: { spec: { template: { spec: bad } } } } }, p)).to.include("hostPID");
    expect(problems({ apiVersion: "apps/v1", kind: "StatefulSet", metadata: meta("s"), spec: { template: { spec: bad } } }, p)).to.include("hostPID");
  });
});
