import { expect } from "chai";
import type { Sandbox } from "@tugboat/sandbox";
import type { Harness } from "../helpers/harness.js";
import { FLOWS, FLOWS_OF, LEASE_NAMESPACES, runFlow, startServiceAccountBot, type ServiceAccountBot } from "./rbac-flows.js";
import { asAdmin, CLUSTERS, yamlOf, type K8sDoc } from "./rbac-helpers.js";

// No rule in deploy/rbac is unneeded: taking away any one rule, or one write verb of it, makes some flow fail for
// want of it (a 403, or a lock left behind because it could not be released). Rules no sandbox flow can need are
// listed in STAYS with the reason (docs/deploy.md says the same). About two minutes, so it runs in .ci/run's
// `npm run check:production` step rather than in npm test.

describe("deploy/ RBAC: no rule is unneeded", function () {
  this.timeout(600_000);
  let bot: ServiceAccountBot;
  let sandbox: Sandbox;
  let h: Harness;
  let applied: Record<string, K8sDoc[]>;

  before(async () => {
    bot = await startServiceAccountBot();
    ({ sandbox, h, applied } = bot);
  });

  after(() => bot?.stop());

  it("taking away any one rule, or any one write verb of a rule, makes some flow fail for want of it (or the rule is listed with why it stays)", async () => {
    const unneeded: string[] = [];
    const stayed = new Set<string>();
    const roles = new Map<string, K8sDoc>();
    for (const docs of Object.values(applied)) for (const d of docs) if (d.kind === "ClusterRole" || d.kind === "Role") roles.set(`${d.kind}/${d.metadata.name}`, d);
    for (const role of roles.values()) {
      const flows = FLOWS.filter((f) => FLOWS_OF[role.metadata.name]?.includes(f.name));
      expect(flows, `flows for ${role.metadata.name}`).not.to.be.empty;
      for (let i = 0; i < role.rules!.length; i++) {
        const rule = role.rules![i]!;
        const verbs = [rule.verbs].flat() as string[];
        const id = `${role.kind} ${role.metadata.name}: ${[rule.apiGroups].flat().join(",") || "core"} ${[rule.resources].flat().join(",")}`;
        const stays = staysBecause(role.metadata.name, rule);
        if (stays) {
          stayed.add(stays);
          continue;
        }
        // Each write verb on its own; the reads together.
        const reads = verbs.filter((v) => READ_VERBS.includes(v));
        const experiments = [...verbs.filter((v) => !READ_VERBS.includes(v)).map((v) => [v]), ...(reads.length > 0 ? [reads] : [])];
        for (const without of experiments) {
          const verbStays = without.length === 1 ? staysBecause(role.metadata.name, rule, without[0]) : undefined;
          if (verbStays) {
            stayed.add(verbStays);
            continue;
          }
          const left = verbs.filter((v) => !without.includes(v));
          const rules = left.length > 0 ? role.rules!.map((r, j) => (j === i ? { ...r, verbs: left } : r)) : role.rules!.filter((_, j) => j !== i);
          await applyWhereApplied(sandbox, applied, { ...role, rules });
          let failure: string | undefined;
          for (const flow of flows) {
            failure = await runFlow(h, sandbox, flow);
            if (failure) break;
          }
          await applyWhereApplied(sandbox, applied, role);
          await cleanUp(sandbox);
          if (!failure || !/forbidden|left a lock behind/i.test(failure)) unneeded.push(`${id} ${without.join(",")}${failure ? ` (failed, but not for want of it: ${failure.slice(0, 300)})` : ""}`);
        }
      }
    }
    expect(unneeded, "rules no flow needs").to.deep.equal([]);
    expect([...stayed], "every STAYS entry matches a rule").to.have.members(STAYS.map((s) => s.why));
  });
});

const READ_VERBS = ["get", "list", "watch"];

/**
 * Rules no flow on the sandbox can need, and why they stay (docs/deploy.md says the same).
 */
const STAYS: Array<{ role: string; resource: string; verb?: string; why: string }> = [
  {
    role: "tugboat-node-pool-locks",
    resource: "leases",
    verb: "update",
    why: "tugboat-node-pool-locks leases update: renews a pool lock held longer than a third of its 30 s (a slow /nodes add)",
  },
  ...["services", "ingresses", "horizontalpodautoscalers", "poddisruptionbudgets"].map((resource) => ({
    role: "tugboat-deploy",
    resource,
    why: `tugboat-deploy ${resource}: a kind the content policy lets an app's manifests hold; the sandbox app deploys Deployments only`,
  })),
  ...["horizontalpodautoscalers", "poddisruptionbudgets"].map((resource) => ({
    role: "tugboat-review-labs",
    resource,
    why: `tugboat-review-labs ${resource}: a kind the content policy lets a lab's templates hold; the sandbox's templates have none`,
  })),
  ...["jobs", "ingresses", "horizontalpodautoscalers", "poddisruptionbudgets", "events.k8s.io/events"].map((resource) => ({
    role: "tugboat-kube-read",
    resource,
    why: `tugboat-kube-read ${resource}: what /kube may show is a choice (the configurable list), not a feature's need`,
  })),
];

/** Why a rule (or, with `verb`, one verb of it) stays although no flow needs it. */
function staysBecause(role: string, rule: Record<string, unknown>, verb?: string): string | undefined {
  const groups = [rule.apiGroups].flat() as string[];
  const resources = ([rule.resources].flat() as string[]).flatMap((r) => [r, ...groups.map((g) => `${g}/${r}`)]);
  return STAYS.find((s) => s.role === role && resources.includes(s.resource) && s.verb === verb)?.why;
}

async function applyWhereApplied(sandbox: Sandbox, applied: Record<string, K8sDoc[]>, doc: K8sDoc): Promise<void> {
  for (const cluster of CLUSTERS) {
    if (applied[cluster]!.some((d) => d.kind === doc.kind && d.metadata.name === doc.metadata.name && d.metadata.namespace === doc.metadata.namespace)) {
      await asAdmin(sandbox, cluster, ["apply", "-f", "-"], yamlOf([doc]));
    }
  }
}

const MIN_SIZE = "cluster.x-k8s.io/cluster-api-autoscaler-node-group-min-size";

/** What a failed flow may leave behind (locks, a canary, a lab, grown pools), so the next experiment starts clean. */
async function cleanUp(sandbox: Sandbox): Promise<void> {
  await asAdmin(sandbox, "management", ["patch", "machinedeployment", "general", "-n", "default", "--type", "merge", "-p", JSON.stringify({ metadata: { annotations: { [MIN_SIZE]: "2" } }, spec: { replicas: 3 } })]);
  await asAdmin(sandbox, "management", ["patch", "cluster", "staging", "-n", "default", "--type", "json", "-p", '[{"op":"replace","path":"/spec/topology/workers/machineDeployments/0/replicas","value":2}]']);
  await asAdmin(sandbox, "production", ["delete", "deployments", "-n", "github-production", "-l", "tugboat.dev/canary-of"]);
  await asAdmin(sandbox, "staging", ["delete", "namespaces", "-l", "tugboat.dev/review-lab=true", "--wait=true", "--timeout=30s"]);
  for (const [cluster, namespaces] of Object.entries(LEASE_NAMESPACES)) {
    for (const ns of namespaces) await asAdmin(sandbox, cluster, ["delete", "leases", "--all", "-n", ns]);
  }
}
