import { errorMessage, UserError } from "../core/errors.js";
import { joinText, rich, textReply, type Reply } from "../core/reply.js";
import { channelMessage } from "../core/channel-message.js";
import type { Services } from "../core/services.js";
import { deployApprovals, type ApprovalContext } from "../domain/approvals/require-approvals.js";
import { deployReply } from "../domain/deploy/deploy-replies.js";
import { deploy, type DeployDeps } from "../domain/deploy/deploy-use-case.js";
import type { DeployOutcome } from "../domain/deploy/deploy-events.js";
import { checkFreeze, environmentChannels } from "../domain/freeze/break-glass.js";
import { coordinationOf } from "../domain/replicas/coordination.js";
import { describeGateProblem, describeIgnored, imageGateOf, readImageGate, type ImageGateConfig } from "../domain/image-gate.js";
import type { GateResult } from "../gateways/types.js";
import { autoDeployChannel, imageDeadline, postTo, waitOutFreeze } from "./auto-deploy-waits.js";
import type { DeliveryContext, GithubEventHandlers } from "./dispatch.js";
import { recordRun, useCaseServices } from "./webhook-runs.js";

// Deploy on merge (apps.<app>.autoDeploy: { branch, environments }): a new commit on the branch is deployed, once
// its image contexts are all success, to each environment in order, through the same deploy use case as /deploy
// (freezes refuse, approvals are waited for, the lock and rollback apply); a failure stops the chain. Nothing is
// remembered between deliveries: the push and every later status or check run of the commit ask again, and only
// while the commit is still the branch's head, so a newer merge supersedes an older one that is still building. Each
// commit is deployed once (`claim`, shared by the replicas).

export interface DeployOnMergeDeps {
  services: Services;
  /** True the first time any replica asks for this key (the webhook endpoint's shared record). */
  claim(key: string): Promise<boolean>;
}

export function deployOnMerge(deps: DeployOnMergeDeps): Pick<GithubEventHandlers, "push" | "status" | "check_run"> {
  const { services } = deps;
  const appsWithAuto = (ctx: DeliveryContext) => ctx.apps.filter((a) => services.config.apps[a]!.autoDeploy);
  return {
    push: [
      async (e, ctx) => {
        if (e.deleted) return;
        for (const app of appsWithAuto(ctx)) {
          const branch = services.config.apps[app]!.autoDeploy!.branch;
          if (e.ref !== `refs/heads/${branch}`) continue;
          const waiting = await consider(deps, ctx, { app, repo: e.repository.full_name, sha: e.after, sender: e.sender.login });
          // Not awaited: the delivery is done; the deadline says so in the channel if the image never turns green.
          if (waiting) void imageDeadline(services, ctx, { app, repo: e.repository.full_name, sha: e.after, branch }, deps.claim);
        }
      },
    ],
    status: [
      async (e, ctx) => {
        if (e.state !== "success") return;
        for (const app of appsWithAuto(ctx)) {
          if (services.config.apps[app]!.imageContexts.includes(e.context)) await consider(deps, ctx, { app, repo: e.repository.full_name, sha: e.sha, sender: e.sender.login });
        }
      },
    ],
    check_run: [
      async (e, ctx) => {
        if (e.check_run.status !== "completed" || e.check_run.conclusion !== "success") return;
        for (const app of appsWithAuto(ctx)) {
          if (services.config.apps[app]!.imageContexts.includes(e.check_run.name)) await consider(deps, ctx, { app, repo: e.repository.full_name, sha: e.check_run.head_sha, sender: e.sender.login });
        }
      },
    ],
  };
}

/**
 * Who a merge's deploy runs as in Tugboat (locks, the GitHub deployment, the approval request): nobody in chat, so
 * no one's own rights or "not the asker" rule apply to it. It is audited as the sender of the delivery that found
 * the commit ready (GitHub vouches for the sender); the commit's author is only named, since git authorship is
 * whatever the pusher wrote (and a squash or rebase merge keeps the PR author's, not the merger's).
 */
export const WEBHOOK_ACTOR = "GITHUB";

interface Candidate {
  app: string;
  repo: string;
  sha: string;
  /** The GitHub login of the delivery's sender (the pusher for a push; CI for a status or check run). */
  sender: string;
  /** The commit's author as git says (not verified: anyone may write anyone's email into a commit). */
  commitAuthor?: string;
  /** The merged pull request this commit is the merge of, and who merged it, as GitHub's API records it. */
  merge?: { pr: number; mergedBy: string };
}

const GITHUB_LOGIN = /^[A-Za-z0-9-]{1,39}(\[bot\])?$/;

/**
 * The merged PR whose merge made this commit the branch's head, and its merger (GitHub's merged_by, which GitHub
 * sets itself, unlike git authorship): who a merge's deploy is attributed to. Undefined for a direct push.
 */
async function mergeOf(services: Services, repo: string, sha: string, branch: string): Promise<Candidate["merge"]> {
  const pulls = await services.github.listPullsForCommit(repo, sha);
  const merged = pulls.find((p) => p.merged && p.baseRef === branch);
  if (!merged) return undefined;
  const pull = await services.github.getPull(repo, merged.number);
  return pull.mergedBy && GITHUB_LOGIN.test(pull.mergedBy) ? { pr: pull.number, mergedBy: pull.mergedBy } : undefined;
}

/** True when the commit is the head and waits for its image (the push then starts the image's deadline). */
async function consider(deps: DeployOnMergeDeps, ctx: DeliveryContext, c: Candidate): Promise<boolean> {
  const { config, github } = deps.services;
  const appConfig = config.apps[c.app]!;
  const auto = appConfig.autoDeploy!;
  const commit = await github.getCommit(c.repo, auto.branch);
  const head = commit.sha;
  if (head !== c.sha) {
    ctx.log.info("auto-deploy: the branch has moved on; this commit is superseded", { app: c.app, sha: c.sha, head });
    return false;
  }
  const imageGate = imageGateOf(c.app, appConfig);
  const gate = await readImageGate(github, c.repo, c.sha, imageGate);
  if (gate.some((g) => g.state !== "success")) {
    ctx.log.info("auto-deploy: waiting for the image", { app: c.app, sha: c.sha, gate: gate.map((g) => `${g.context}=${g.state}`) });
    await sayUntrustedIgnored(deps, ctx, c, gate.filter((g) => g.state !== "success" && g.ignored?.some((r) => r.state === "success")), imageGate);
    return true;
  }
  if (!(await deps.claim(`auto-deploy:${c.app}:${c.sha}`))) return false;
  const commitAuthor = commit.author && GITHUB_LOGIN.test(commit.author) ? commit.author : undefined;
  const merge = await mergeOf(deps.services, c.repo, c.sha, auto.branch).catch(() => undefined);
  for (const env of auto.environments) {
    // A newer merge while an earlier environment deployed: the rest is the newer commit's.
    if (env !== auto.environments[0] && (await github.getCommit(c.repo, auto.branch)).sha !== c.sha) {
      ctx.log.info("auto-deploy: superseded before the next environment", { app: c.app, sha: c.sha, env });
      return false;
    }
    if (auto.duringFreeze === "queue" && !(await waitOutFreeze(deps.services, ctx, { app: c.app, repo: c.repo, sha: c.sha, branch: auto.branch }, env))) return false;
    const outcome = await deployTo(deps.services, ctx, { ...c, commitAuthor, merge }, env, auto.branch);
    if (outcome !== "success") return false;
  }
  return false;
}

/**
 * A green status from someone not trusted to vouch for the image (apps.<app>.imageTrust) deploys nothing: the
 * channel hears whose it was, once per commit across replicas, so nobody waits for a deploy that will not come.
 */
async function sayUntrustedIgnored(deps: DeployOnMergeDeps, ctx: DeliveryContext, c: Candidate, untrusted: GateResult[], gate: ImageGateConfig): Promise<void> {
  if (untrusted.length === 0 || !(await deps.claim(`auto-deploy-untrusted:${c.app}:${c.sha}`))) return;
  ctx.log.warn("auto-deploy: ignored image statuses from untrusted reporters", { app: c.app, sha: c.sha, ignored: untrusted.map((g) => `${g.context}: ${describeIgnored(g)}`) });
  const problems = joinText(untrusted.map((g) => describeGateProblem(g, gate)), "; ");
  await postTo(deps.services, ctx, autoDeployChannel(deps.services, c.app), textReply(rich`Auto-deploy of ${c.app} ${c.sha.slice(0, 7)} waits for its image: ${problems}.`, "warning"));
}

async function deployTo(services: Services, ctx: DeliveryContext, c: Candidate, env: string, branch: string): Promise<DeployOutcome | "error"> {
  const channel = environmentChannels(services.config, c.app, env)[0];
  const actor = WEBHOOK_ACTOR;
  const requestId = `gh-${ctx.deliveryId}-${env}`;
  const started = services.clock.now();
  const facts: Record<string, unknown> = { app: c.app, environment: env, sha: c.sha, branch, delivery: ctx.deliveryId, autoDeploy: true, commitAuthor: c.commitAuthor, mergedPr: c.merge?.pr, mergedBy: c.merge?.mergedBy, foundReadyBy: c.sender };
  const byWhom = c.merge
    ? `PR #${c.merge.pr} merged by ${c.merge.mergedBy}`
    : c.commitAuthor && c.commitAuthor !== c.sender
      ? `${c.sender} (commit by ${c.commitAuthor})`
      : c.sender;
  const cannotPost = (err: unknown) => ctx.log.warn("auto-deploy: cannot post to the channel", { error: errorMessage(err) });
  // The deploy is one message in the channel, updated in place as chat shows a deploy (the approval card included);
  // a failure is also posted anew, so the channel is notified.
  const message = channelMessage(services.notifier, channel, cannotPost);
  const failures: Array<Promise<unknown>> = [];
  const show = (reply: Reply) => {
    message.send(reply);
    if (reply.tone === "error" && channel) failures.push(message.flush().then(() => services.notifier.post(channel, reply)).catch(cannotPost));
  };
  const emit: DeployDeps["emit"] = (event) => {
    const reply = deployReply(event);
    if (reply instanceof UserError) show(textReply(reply.text, "warning"));
    else if (reply) show(reply);
  };
  const approvalCtx: ApprovalContext = {
    services,
    log: ctx.log,
    signal: ctx.signal,
    reply: { send: async (reply) => show(reply) },
    audit: (more) => Object.assign(facts, more),
  };
  let outcome: DeployOutcome | "error" = "error";
  try {
    outcome = await deploy(
      { app: c.app, env, target: { kind: "sha", sha: c.sha }, actor, channel: channel ?? "", requestId, dryRun: false, force: false, reason: c.merge ? `${byWhom} to ${branch}` : `merged to ${branch}, found ready by ${byWhom} on GitHub` },
      {
        ...useCaseServices(services, ctx, facts),
        emit,
        // Listing the environment in autoDeploy is the confirmation; approvals and freezes still apply.
        confirm: async () => true,
        steps: {
          freeze: async () => {
            const decision = await checkFreeze({ config: services.config, coordination: coordinationOf(services), app: c.app, env, actor, audit: (more) => Object.assign(facts, more) });
            return decision.kind === "refused" ? { reason: decision.why } : undefined;
          },
          approvals: deployApprovals(approvalCtx, channel ?? ""),
        },
      },
    );
  } catch (err) {
    facts.error = errorMessage(err);
    show(textReply(`Auto-deploy of ${c.sha.slice(0, 7)} to ${env} failed: ${errorMessage(err)}`, "error"));
  }
  await message.flush();
  await Promise.all(failures);
  recordRun(services.audit, {
    requestId,
    // The merger when GitHub says who merged; else the sender of the delivery that found the commit ready.
    actor: `github:${c.merge?.mergedBy ?? c.sender}`,
    command: `auto-deploy ${c.sha.slice(0, 7)} to ${env} (merged to ${branch}, GitHub webhook)`,
    outcome: outcome === "success" || outcome === "rolled-back" || outcome === "interrupted" ? outcome : "failure",
    reason: outcome,
    started,
    now: services.clock.now(),
    facts,
  });
  return outcome;
}
