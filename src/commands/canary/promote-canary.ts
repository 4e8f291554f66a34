import type { CommandContext } from "../../core/command.js";
import { UserError } from "../../core/errors.js";
import { removeCanaries } from "../../domain/deploy/canary.js";
import { resolveAppName } from "../../domain/deploy/resolve-deploy-env.js";
import { isClosedUnmerged, resolveTarget } from "../../domain/resolve-target.js";
import type { RunDeploy } from "../../domain/deploy/deploy-request.js";
import { closeCanaryDeployment } from "./abort-canary.js";
import { findCanary } from "./find-canary.js";
import { CANARY_PROMOTE_USAGE, type CanaryArgs } from "./parse-canary-args.js";

// /canary promote: deploy the canary's sha to production through the normal path (gate, confirmation,
// lock, rollback on failure), then remove the canary. The deploy flow is handed in (see deploy-request.ts).

export async function promoteCanary(args: CanaryArgs, ctx: CommandContext, runDeploy: RunDeploy): Promise<void> {
  const { config, kube, github } = ctx.services;
  const app = resolveAppName(config, ctx.channel.id, args.app, CANARY_PROMOTE_USAGE);
  const state = await findCanary(config, kube, app);
  const base = state.env.baseEnv;
  await ctx.auth.require(`deploy:${base}`);
  if (state.canaries.length === 0) throw new UserError(`${app} has no canary running in ${base}; start one with \`/deploy PR… to ${state.env.env}\`.`);
  if (!state.sha) throw new UserError(`The ${app} canaries disagree on (or lack) their sha; abort and start the canary again.`);
  const target = await resolveTarget(github, state.env.repo, { kind: "sha", sha: state.sha, running: true });
  if (state.pr) {
    const pr = await github.getPull(state.env.repo, state.pr).catch(() => undefined);
    if (pr) {
      // A PR closed without being merged while its canary ran is not shipped to production.
      if (isClosedUnmerged(pr)) throw new UserError(`The canary's PR #${pr.number} ("${pr.title}") was closed without being merged; abort the canary, or reopen the PR to promote it.`);
      target.pr = pr;
      target.label = `PR #${pr.number}`;
    }
  }
  const names = state.canaries.map((c) => c.metadata!.name!);
  ctx.audit({ canary: names });
  await runDeploy(
    {
      app,
      target: { kind: "resolved", target },
      env: base,
      dryRun: false,
      force: args.force,
      verb: "Promote canary",
      afterSuccess: async (_env, cluster) => {
        const removed = await removeCanaries(cluster, state.env.namespace, names);
        await closeCanaryDeployment(github, state.env, "inactive", `Promoted to ${base}`, ctx.log);
        return `Removed the canary (${removed.join(", ") || "already gone"}).`;
      },
    },
    ctx,
  );
}
