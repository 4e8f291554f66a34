import { UserError } from "../../core/errors.js";
import { rich, textReply, type Block, type Reply } from "../../core/reply.js";
import { describeHolder } from "./deploy-lock.js";
import { chatServices, runInChat, type DeployChat } from "./deploy-replies.js";
import { progressBlock, seconds } from "./format-deploy.js";
import { planDiffBlocks } from "./format-plan-diff.js";
import type { PlanPreview } from "./preview-plan.js";
import type { RollbackDeps, RollbackEvent, RollbackOutcome, RollbackPlan } from "./rollback-use-case.js";

// Rollback events as one chat message updated in place (here for the same reason as deploy-replies.ts: a Rollback
// button shows a rollback the way /deploy rollback does).

/** `registry/github:<40 hex>` → `registry/github:eed486a`. */
const short = (image?: string) => (image ? image.replace(/:([0-9a-f]{40})$/, (_m, s: string) => `:${s.slice(0, 7)}`) : "?");

function stepItems(plan: RollbackPlan): Block {
  return { type: "list", items: plan.steps.map((p) => `\`${p.name}\`: revision ${p.current} → ${p.previous} (${short(p.from)} → ${short(p.to)})`) };
}

/** The confirmation prompt: each Deployment's revision and image, and what the API server says it would become. */
export function rollbackConfirmation(plan: RollbackPlan, preview: PlanPreview): Reply {
  const diff = planDiffBlocks(preview, `rollback-${plan.env.app}-${plan.env.env}.diff`, plan.title);
  const ask = textReply(`${plan.title}?`, "info", { type: "header", text: `${plan.title}?` }, stepItems(plan), ...diff.blocks);
  if (diff.attachment) ask.attachment = diff.attachment;
  return ask;
}

export function rollbackReply(e: RollbackEvent): Reply | UserError | undefined {
  switch (e.type) {
    case "reading":
      return textReply(`Rollback of ${e.app} ${e.env.env}: reading revisions…`, "info", { type: "progress", items: [{ label: "read revisions", state: "running" }] });
    case "cancelled":
      return textReply(`Cancelled: ${e.plan.title}. Nothing was changed.`, "warning");
    case "locked":
      return new UserError(rich`${e.plan.env.app} ${e.plan.env.env} is locked (${e.plan.env.lockName}): ${describeHolder(e.holder, e.at)}.`);
    case "rollout-progress":
      return textReply(`Rolling back ${e.plan.env.app} ${e.plan.env.env}…`, "info", { type: "text", text: `*${e.plan.title}*` }, progressBlock(e.progress));
    case "succeeded":
    case "unhealthy": {
      const { env, sha } = e.plan;
      const ok = e.type === "succeeded";
      const blocks: Block[] = [{ type: "text", text: `*${e.plan.title}*` }, stepItems(e.plan), progressBlock(e.progress, ok ? "done" : "failed")];
      blocks.push({ type: "context", text: `${e.deploymentId !== undefined ? `GitHub deployment ${e.deploymentId} · ` : ""}${seconds(e.elapsedMs)}` });
      const summary = ok
        ? `Rolled back ${env.app} ${env.env} to the previous revision${sha ? ` (${sha.slice(0, 7)})` : ""}.`
        : `The rollback of ${env.app} ${env.env} did not become healthy: ${e.type === "unhealthy" ? e.reason : ""}`;
      return textReply(summary, ok ? "success" : "error", { type: "text", text: summary }, ...blocks);
    }
    case "planned":
    case "awaiting-confirmation":
    case "github-deployment-created":
      return undefined;
  }
}

/** Runs a rollback from chat: events as the channel message, Confirm/Cancel as chat's; a failed one recorded so. */
export async function runRollbackInChat(chat: DeployChat, run: (deps: RollbackDeps) => Promise<RollbackOutcome>): Promise<RollbackOutcome> {
  const outcome = await runInChat(chat, rollbackReply, ({ emit, flush }) =>
    run({
      ...chatServices(chat, flush),
      emit,
      confirm: async (plan, preview) => {
        await flush();
        return chat.confirm(rollbackConfirmation(plan, preview));
      },
    }),
  );
  if (outcome === "failure") chat.outcome("failure");
  return outcome;
}
