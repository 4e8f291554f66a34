import { mention, type Block, type ProgressState, type Reply, type Text } from "../../core/reply.js";
import type { DeploymentProgress } from "./follow-rollout.js";
import type { PlanPreview } from "./preview-plan.js";
import type { DeployEnv } from "./resolve-deploy-env.js";
import type { Target } from "../resolve-target.js";
import { describeTarget } from "./describe-target.js";
import { planDiffBlocks } from "./format-plan-diff.js";
import { whatChangedBlocks, type WhatChanged } from "./what-changed.js";

// Reply shapes of deploys, rollbacks and canaries, shared by every entry point (commands, webhooks, buttons).

export function planFields(env: DeployEnv, target: Target, actor: string): Block {
  return {
    type: "fields",
    fields: [
      { label: "App", value: env.app },
      { label: "Environment", value: env.canary ? `${env.env} (one pod next to ${env.baseEnv})` : env.env },
      { label: "Target", value: describeTarget(target) },
      { label: "Sha", value: `\`${target.sha}\`` },
      { label: "Where", value: `${env.cluster} / ${env.namespace}` },
      { label: "Requested by", value: mention(actor) },
    ],
  };
}

/** The plan (confirmation or dry run): what ships where, and what the API server says each object would become. */
export function planReply(title: string, env: DeployEnv, target: Target, actor: string, preview: PlanPreview, note?: Text, changes?: WhatChanged): Reply {
  const diff = planDiffBlocks(preview, `plan-${env.app}-${env.env}-${target.shortSha}.diff`, title);
  const blocks: Block[] = [{ type: "header", text: title }, planFields(env, target, actor), ...whatChangedBlocks(changes, target), ...diff.blocks];
  if (note) blocks.push({ type: "context", text: note });
  const out: Reply = { summary: title, tone: "info", blocks };
  if (diff.attachment) out.attachment = diff.attachment;
  return out;
}

const STATE: Record<DeploymentProgress["phase"], ProgressState> = { waiting: "running", done: "done", failed: "failed" };

export function progressBlock(progress: DeploymentProgress[], final?: "done" | "failed"): Block {
  return {
    type: "progress",
    items: progress.map((p) => ({
      label: p.name,
      state: final === "done" && p.phase === "waiting" ? "done" : STATE[p.phase],
      detail: p.detail.startsWith(`${p.name} `) ? p.detail.slice(p.name.length + 1) : p.detail.replace(new RegExp(`^${p.name}: `), ""),
    })),
  };
}

export function stepsBlock(steps: Array<[string, ProgressState, string?]>): Block {
  return { type: "progress", items: steps.map(([label, state, detail]) => ({ label, state, detail })) };
}

export function seconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)}s` : ms < 120_000 ? `${Math.round(ms / 1000)}s` : `${Math.floor(ms / 60_000)}m${Math.round((ms % 60_000) / 1000)}s`;
}
