import { UserError, errorMessage } from "../../core/errors.js";
import type { CommandOutcome } from "../../core/command.js";
import type { Logger } from "../../core/logger.js";
import { link, mention, rich, textReply, type Block, type Reply, type RichText } from "../../core/reply.js";
import type { LockInfo } from "../lease-lock.js";
import type { DeploymentProgress } from "./follow-rollout.js";
import { describeHolder } from "./deploy-lock.js";
import type { DeployEvent, DeployOutcome, DeployRun } from "./deploy-events.js";
import type { DeployDeps, DeployServices } from "./deploy-use-case.js";
import { shortTarget } from "./describe-target.js";
import { planReply, progressBlock, seconds, stepsBlock } from "./format-deploy.js";
import type { PlanPreview } from "./preview-plan.js";
import type { DeployEnv } from "./resolve-deploy-env.js";
import { withApprovalPreview } from "../approvals/require-approvals.js";
import { whatChangedBlocks } from "./what-changed.js";
import { buttonBlocks, deployResultButtons } from "./result-buttons.js";

// Deploy events as one chat message updated in place. Here rather than in a command folder because every entry
// point that runs a deploy shows it the same way: /deploy, /canary promote, and webhooks and buttons, none of which
// may import another's folder. Replies are sent in order; a deploy never waits for chat.

/** What a deploy run from chat needs of it (a CommandContext is one): services, the message, confirmation, audit. */
export interface DeployChat {
  services: Pick<DeployDeps, "config" | "kube" | "github" | "clock" | "instanceId">;
  reply: { send(reply: Reply): Promise<void>; permalink(): Promise<string | undefined> };
  confirm(plan: Reply): Promise<boolean>;
  /** Production: the caller types the environment's name, and may give a reason. */
  confirmByName?(plan: Reply, name: string): Promise<{ confirmed: boolean; reason?: string }>;
  log: Logger;
  audit(facts: Record<string, unknown>): void;
  signal: AbortSignal;
  /** How a command that replied without throwing really ended. */
  outcome(outcome: CommandOutcome): void;
  /** Where the deploy was asked for (a dry run names who may approve it there). */
  channel?: { id: string };
}

export function lockedError(env: DeployEnv, info: LockInfo, now: Date): UserError {
  const unlock = info.kind === "manual" ? ` \`/deploy unlock ${env.app} ${env.baseEnv}\` removes it.` : " Try again when it is done.";
  return new UserError(rich`${env.app} ${env.baseEnv} is locked (${env.lockName}): ${describeHolder(info, now)}.${unlock}`);
}

/** The confirmation prompt for a plan: what ships where and what each object would become. */
export function confirmationReply(run: DeployRun, preview: PlanPreview): Reply {
  const note = rich`${run.env.env} needs confirmation: only ${mention(run.actor)} can confirm.`;
  return planReply(`${run.title}?`, run.env, run.target, run.actor, preview, note, run.changes);
}

function links(run: DeployRun): RichText {
  const url = run.env.envConfig.url;
  return rich`GitHub deployment ${run.deploymentId ?? "?"}${url ? rich` · ${link(url, run.env.env)}` : ""} · ${seconds(run.elapsedMs)}`;
}

const header = (run: DeployRun): Block => ({ type: "text", text: `*${run.title}*` });
const changed = (run: DeployRun): Block[] => whatChangedBlocks(run.changes, run.target);

function running(run: DeployRun, text: string, progress?: DeploymentProgress[]): Reply {
  return textReply(text, "info", header(run), progress ? progressBlock(progress) : stepsBlock([["apply", "running"]]), { type: "context", text });
}

/** The reply for one event, a refusal to throw at the end, or nothing (events chat does not show). */
export function deployReply(e: DeployEvent): Reply | UserError | undefined {
  switch (e.type) {
    case "resolving":
      return textReply(`${e.verb}: resolving ${e.what} for ${e.app} ${e.env.env}…`, "info", stepsBlock([["resolve target", "running"]]));
    case "frozen":
      return new UserError(e.reason);
    case "locked":
      return lockedError(e.env, e.holder, e.at);
    case "dry-run": {
      const note = `Dry run: the API server accepted every write of this plan (dryRun=All); nothing was changed.`;
      const r = planReply(`Dry run: ${e.run.title}`, e.run.env, e.run.target, e.run.actor, e.preview, note, e.run.changes);
      r.tone = "success";
      return r;
    }
    case "cancelled":
      return textReply(`Cancelled: ${e.run.title}. Nothing was changed.`, "warning");
    case "rejected":
      return textReply(`Not approved: ${e.run.title}: ${e.reason}. Nothing was changed.`, "warning");
    case "applying":
      return running(e.run, `Applying ${shortTarget(e.run.target)} to ${e.run.env.env}…`);
    case "rollout-progress":
      return e.stage === "rollout"
        ? running(e.run, `Rolling out ${shortTarget(e.run.target)} to ${e.run.env.env}…`, e.progress)
        : running(e.run, `Rolling back ${e.run.env.app} ${e.run.env.env}…`, e.progress);
    case "rolling-back":
      return running(e.run, `${e.run.title} failed (${e.reason}); rolling back…`, e.progress);
    case "succeeded": {
      const { env, target } = e.run;
      const summary = env.canary
        ? `Canary of ${shortTarget(target)} is live in ${env.baseEnv}: one pod next to ${e.followed === 1 ? "its Deployment" : "each Deployment"}. \`/canary promote\` ships it; \`/canary abort\` removes it.`
        : `Deployed ${shortTarget(target)} to ${env.app} ${env.env} in ${seconds(e.run.elapsedMs)}.`;
      const blocks: Block[] = [header(e.run), { type: "text", text: summary }, ...changed(e.run), progressBlock(e.progress, "done")];
      if (e.note) blocks.push({ type: "text", text: e.note });
      blocks.push({ type: "context", text: links(e.run) }, ...buttonBlocks(deployResultButtons(e)));
      return textReply(summary, "success", ...blocks);
    }
    case "failed":
      return textReply(`${e.run.title} failed while applying: ${e.reason}. ${e.undo}`, "error", header(e.run), { type: "text", text: `Applying failed: ${e.reason}\n${e.undo}` }, ...changed(e.run), { type: "context", text: links(e.run) }, ...buttonBlocks(deployResultButtons(e)));
    case "rolled-back":
      return textReply(
        `${e.run.title} failed: ${e.reason}. ${e.undo}`,
        "error",
        header(e.run),
        { type: "text", text: `*Failed:* ${e.reason}\n${e.undo}` },
        ...changed(e.run),
        progressBlock(e.progress, "failed"),
        { type: "context", text: links(e.run) },
        ...buttonBlocks(deployResultButtons(e)),
      );
    case "interrupted": {
      const text = e.stopping
        ? `Tugboat is shutting down while this deploy was rolling out. The rollout continues in the cluster without it; the lock expires in ${e.lockSeconds}s. Check \`/deploy status\`.`
        : `Stopped following this deploy: ${e.reason}. Another deploy may have taken over; check \`/deploy status\`.`;
      return textReply(text, "warning", header(e.run), { type: "text", text }, progressBlock(e.progress), { type: "context", text: links(e.run) });
    }
    case "resolved":
    case "planned":
    case "awaiting-confirmation":
    case "lock-taken":
    case "github-deployment-created":
      return undefined;
  }
}

/**
 * Runs a use case from chat with its events rendered as the channel message, one reply after another (the use case
 * never waits for chat). A refusal the renderer returns (locked, frozen) is thrown as the UserError chat shows, once
 * every earlier reply is out.
 */
export async function runInChat<E, O>(
  chat: DeployChat,
  render: (event: E) => Reply | UserError | undefined,
  run: (parts: { emit(event: E): void; flush(): Promise<void> }) => Promise<O>,
): Promise<O> {
  let queue = Promise.resolve();
  let refusal: UserError | undefined;
  const flush = () => queue;
  const emit = (event: E) => {
    const reply = render(event);
    if (reply instanceof UserError) refusal = reply;
    else if (reply) queue = queue.then(() => chat.reply.send(reply)).catch((err: unknown) => chat.log.warn("could not update the message", { error: errorMessage(err) }));
  };
  let outcome: O;
  try {
    outcome = await run({ emit, flush });
  } finally {
    await flush();
  }
  if (refusal) throw refusal;
  return outcome;
}

/** The services part of a use case's dependencies, from chat: permalink as the log URL, once the message is out. */
export function chatServices(chat: DeployChat, flush: () => Promise<void>): DeployServices {
  return {
    ...chat.services,
    log: chat.log,
    audit: (facts) => chat.audit(facts),
    signal: chat.signal,
    logUrl: async () => {
      await flush();
      return chat.reply.permalink();
    },
  };
}

/**
 * Runs a deploy (or a flow built on it) from chat: its events become the channel message and its confirmation is
 * chat's; a deploy that failed, was rolled back or interrupted is recorded as such.
 */
export async function runDeployInChat(chat: DeployChat, run: (deps: DeployDeps) => Promise<DeployOutcome>): Promise<DeployOutcome> {
  const render = (e: DeployEvent) => (e.type === "dry-run" ? withApprovalPreview(deployReply(e), e.run, chat) : deployReply(e));
  const outcome = await runInChat(chat, render, ({ emit, flush }) =>
    run({
      ...chatServices(chat, flush),
      emit,
      confirm: async (r, preview) => {
        await flush();
        const plan = confirmationReply(r, preview);
        if (!r.env.envConfig.production || !chat.confirmByName) return chat.confirm(plan);
        const named = await chat.confirmByName(plan, r.env.env);
        return named.confirmed && named.reason ? { reason: named.reason } : named.confirmed;
      },
    }),
  );
  if (outcome === "failure" || outcome === "rolled-back" || outcome === "interrupted") chat.outcome(outcome);
  return outcome;
}
