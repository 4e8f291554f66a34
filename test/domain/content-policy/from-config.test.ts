import { expect } from "chai";
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { buildConfigSchema } from "../../../src/config/schema.js";
import { deployContentPolicy, labContentPolicy } from "../../../src/domain/content-policy/from-config.js";

// The content policy's config: validated at load (kinds that can never be allowed are a config error), layered
// environment → app override, with defaults from Tugboat and the environment's url.

const raw = () => parse(readFileSync("config/sandbox/tugboat.yaml", "utf8"));

describe("content policy config", () => {
  it("defaults: the default kinds, baseline, 200 objects, 1 MiB, the environment's url host as its Ingress domain", () => {
    const config = buildConfigSchema().parse(raw());
    const p = deployContentPolicy(config, "github", "staging");
    expect(p.kinds.map((k) => `${k.group}/${k.kind}`)).to.deep.equal([
      "apps/Deployment", "/Service", "/ConfigMap", "networking.k8s.io/Ingress", "autoscaling/HorizontalPodAutoscaler", "policy/PodDisruptionBudget", "/ServiceAccount",
    ]);
    expect(p).to.deep.include({ podSecurity: "baseline", maxObjects: 200, maxBytes: 1024 * 1024, ingressDomains: ["staging.github.example.com"] });
    expect(p.serviceTypes).to.include("LoadBalancer");
    expect(p.foreignDomains).to.include.members(["github.example.com", "review-lab.example.com"]);
    const lab = labContentPolicy(config, "x.review-lab.example.com");
    expect(lab).to.deep.include({ podSecurity: "baseline", maxObjects: 200, serviceTypes: ["ClusterIP"], maxReplicas: 5, ingressDomains: ["x.review-lab.example.com"], reservedNames: ["review-lab-env"] });
  });

  it("layers the environment, then the app's override, and reviewlab.content for labs", () => {
    const c = raw();
    c.environments.production.content = { podSecurity: "restricted", kinds: ["Deployment", "core/Pod"], maxObjects: 50 };
    c.apps.github.environments = { production: { content: { maxObjects: 20, ingressDomains: ["example.org"] } } };
    c.reviewlab.content = { serviceTypes: ["ClusterIP", "NodePort"], maxReplicas: 2 };
    const config = buildConfigSchema().parse(c);
    const p = deployContentPolicy(config, "github", "production");
    expect(p).to.deep.include({ podSecurity: "restricted", maxObjects: 20, ingressDomains: ["example.org"] });
    expect(p.kinds.map((k) => k.kind)).to.deep.equal(["Deployment", "Pod"]);
    expect(deployContentPolicy(config, "github", "staging").podSecurity).to.equal("baseline");
    expect(labContentPolicy(config, "x.review-lab.example.com")).to.deep.include({ serviceTypes: ["ClusterIP", "NodePort"], maxReplicas: 2 });
  });

  it("maxReplicas: 50 for environments unless configured; 0 in the config lifts the cap, a negative one does not load", () => {
    expect(deployContentPolicy(buildConfigSchema().parse(raw()), "github", "production").maxReplicas).to.equal(50);
    const c = raw();
    c.environments.production.content = { maxReplicas: 0 };
    c.environments.staging.content = { maxReplicas: 120 };
    const config = buildConfigSchema().parse(c);
    expect(deployContentPolicy(config, "github", "production").maxReplicas).to.equal(undefined);
    expect(deployContentPolicy(config, "github", "staging").maxReplicas).to.equal(120);
    c.environments.staging.content = { maxReplicas: -1 };
    expect(buildConfigSchema().safeParse(c).success).to.equal(false);
  });

  it("refuses kinds that can never be allowed, and kind names it cannot place, naming the path", () => {
    for (const [kinds, message] of [
      [["Secret"], "Secret cannot be allowed: Secrets never come from manifests"],
      [["Lease"], "Leases are never applied"],
      [["core/Secret"], "Secrets never come from manifests"],
      [["rbac.authorization.k8s.io/RoleBinding"], "RBAC objects"],
      [["coordination.k8s.io/Lease"], "Leases"],
      [["cluster.x-k8s.io/MachineDeployment"], "Cluster API"],
      [["Widget"], "not a built-in kind; write it as group/Kind"],
    ] as Array<[string[], string]>) {
      const c = raw();
      c.environments.staging.content = { kinds };
      const res = buildConfigSchema().safeParse(c);
      expect(res.success, kinds[0]).to.equal(false);
      const text = res.success ? "" : res.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("\n");
      expect(text).to.include("environments.staging.content.kinds.0");
      expect(text).to.include(message);
    }
  });
});
