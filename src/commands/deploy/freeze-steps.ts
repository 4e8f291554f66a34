import type { CommandContext } from "../../core/command.js";
import { mention, plainText, rich } from "../../core/reply.js";
import { requireApprovals } from "../../domain/approvals/require-approvals.js";
import { approvalNeed } from "../../domain/approvals/approval-card.js";
import type { DeploySteps } from "../../domain/deploy/deploy-use-case.js";
import { shortTarget } from "../../domain/deploy/describe-target.js";
import { planReply } from "../../domain/deploy/format-deploy.js";
import { approveBreakGlass, breakGlassRules, checkFreeze } from "../../domain/freeze/break-glass.js";
import type { FreezeWindow } from "../../domain/freeze/freeze-windows.js";
import { coordinationOf } from "../../domain/replicas/coordination.js";
import type { DeployArgs } from "./parse-deploy-args.js";

// The deploy's freeze and approvals steps as chat runs them. A frozen environment refuses the deploy before it is
// planned; with --break-glass it goes on to its plan (and confirmation), and the approvals step then asks for the
// break-glass approval, with the plan on the card. The break-glass approvers are the environment's own when it has
// approval rules (breakGlassRules), so that approval stands for the deploy's too and nobody is asked twice.

export function freezeSteps(args: DeployArgs, ctx: CommandContext, app: string, approvals: NonNullable<DeploySteps["approvals"]>): Pick<DeploySteps, "freeze" | "approvals"> {
  let glass: { windows: FreezeWindow[]; reason: string } | undefined;
  return {
    freeze: async (check) => {
      // A dry run changes nothing, so a freeze does not stop it.
      if (args.dryRun) return undefined;
      // Asked again after the approvals (a freeze may have begun meanwhile): a glass already broken keeps its audit.
      const again = glass !== undefined;
      const decision = await checkFreeze({
        config: ctx.services.config,
        coordination: coordinationOf(ctx.services),
        app,
        env: check.env.env,
        actor: ctx.actor.id,
        breakGlass: args.breakGlass,
        audit: (facts) => (again ? undefined : ctx.audit(facts)),
      });
      if (decision.kind === "refused") return { reason: decision.why };
      if (decision.kind === "break-glass" && !again) glass = { windows: decision.windows, reason: decision.reason };
      return undefined;
    },
    approvals: async (run, preview) => {
      if (!glass) return approvals(run, preview);
      const { windows, reason } = glass;
      const env = run.env.env;
      const rules = breakGlassRules(ctx.services.config, env);
      const note = rich`${env} is frozen: breaking the glass needs ${approvalNeed(rules)} from someone other than ${mention(run.actor)} (${reason}).`;
      const why = await approveBreakGlass({
        config: ctx.services.config,
        app,
        env,
        actor: run.actor,
        windows,
        reason,
        approve: async () => {
          const plan = preview ? planReply(`${run.title}?`, run.env, run.target, run.actor, preview, note, run.changes) : undefined;
          const what = `${shortTarget(run.target)} during a freeze (break glass: ${reason})`;
          const verdict = await requireApprovals({ app, env, asker: run.actor, channel: ctx.channel.id, what, plan, purpose: "break-glass" }, ctx, rules);
          return verdict.approved ? { approved: true, by: verdict.approvers } : { approved: false, why: verdict.reason };
        },
        audit: (facts) => ctx.audit(facts),
        notifier: ctx.services.notifier,
        log: ctx.log,
        now: ctx.services.clock.now(),
      });
      if (!why) return { approved: true };
      ctx.outcome("failure");
      return { approved: false, reason: plainText(why) };
    },
  };
}
