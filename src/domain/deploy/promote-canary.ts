import { UserError } from "../../core/errors.js";
import { outside, rich } from "../../core/reply.js";
import { isClosedUnmerged, resolveTarget } from "../resolve-target.js";
import { removeCanaries } from "./canary.js";
import { closeCanaryDeployment } from "./abort-canary.js";
import type { DeployOutcome } from "./deploy-events.js";
import { runDeployFlow, type DeployDeps, type DeployInput } from "./deploy-use-case.js";
import { findCanary } from "./find-canary.js";
import { removeCanaryRoutes } from "../canary-analysis/istio-canary.js";

// Canary promote: deploy the canary's sha to its base environment through the deploy use case (gate, freeze,
// confirmation, approvals, lock, rollback on failure), then, still inside the lock, remove the canary.

export type PromoteInput = Omit<DeployInput, "env" | "target" | "dryRun">;

export async function promoteCanary(input: PromoteInput, deps: DeployDeps): Promise<DeployOutcome> {
  const { config, kube, github } = deps;
  const state = await findCanary(config, kube, input.app);
  const base = state.env.baseEnv;
  if (state.canaries.length === 0) throw new UserError(`${input.app} has no canary running in ${base}; start one with \`/deploy PR… to ${state.env.env}\`.`);
  if (!state.sha) throw new UserError(`The ${input.app} canaries disagree on (or lack) their sha; abort and start the canary again.`);
  const target = await resolveTarget(github, state.env.repo, { kind: "sha", sha: state.sha, running: true });
  if (state.pr) {
    const pr = await github.getPull(state.env.repo, state.pr).catch(() => undefined);
    if (pr) {
      // A PR closed without being merged while its canary ran is not shipped to production.
      if (isClosedUnmerged(pr)) throw new UserError(rich`The canary's PR #${pr.number} ("${outside(pr.title)}") was closed without being merged; abort the canary, or reopen the PR to promote it.`);
      target.pr = pr;
      target.label = `PR #${pr.number}`;
    }
  }
  const names = state.canaries.map((c) => c.metadata!.name!);
  deps.audit({ canary: names });
  return runDeployFlow({ ...input, env: base, target: { kind: "resolved", target }, dryRun: false }, deps, {
    verb: "Promote canary",
    afterSuccess: async (_env, cluster) => {
      const removed = await removeCanaries(cluster, state.env.namespace, names);
      // Istio: the canary reached 100%; with its sha now stable, Tugboat's routes go and the Service routes as before.
      if (config.apps[input.app]?.canary?.mode === "istio") await removeCanaryRoutes(cluster, state.env.namespace);
      await closeCanaryDeployment(github, state.env, "inactive", `Promoted to ${base}`, deps.log);
      return `Removed the canary (${removed.join(", ") || "already gone"}).`;
    },
  });
}
