import type { CommandContext } from "../../core/command.js";
import { outside, rich, textReply } from "../../core/reply.js";
import { resolveAppName } from "../../domain/deploy/resolve-deploy-env.js";
import { isGatewayError } from "../../gateways/types.js";
import type { LabelArgs, MergeArgs, OpenArgs, PullArgs, PushArgs, StatusArgs } from "./parse-github-args.js";

// /github: the clicks of github.com, through the GitHub gateway, against the app's repository. Every change it makes
// reaches Tugboat again the way GitHub's own would: as a webhook delivery (push, pull_request, status).

function repoOf(ctx: CommandContext, app: string | undefined, usage: string): string {
  const name = resolveAppName(ctx.services.config, ctx.channel.id, app, usage);
  return ctx.services.config.apps[name]!.repo;
}

const short = (sha: string) => sha.slice(0, 7);

export async function pushFile(a: PushArgs, ctx: CommandContext, usage: string): Promise<void> {
  const repo = repoOf(ctx, a.app, usage);
  const github = ctx.services.github;
  let created = "";
  const exists = await github.getCommit(repo, a.branch).then(
    () => true,
    (err: unknown) => {
      if (isGatewayError(err, "not-found")) return false;
      throw err;
    },
  );
  if (!exists) {
    const base = await github.getDefaultBranch(repo);
    const from = await github.getCommit(repo, base);
    await github.createBranch(repo, a.branch, from.sha);
    created = ` (new branch from ${base} at ${short(from.sha)})`;
  }
  const message = a.message ?? `Update ${a.path}`;
  const { commitSha } = await github.writeFile(repo, { branch: a.branch, path: a.path, content: `${a.text}\n`, message });
  ctx.audit({ repo, branch: a.branch, path: a.path, sha: commitSha });
  await ctx.reply.send(textReply(`Pushed ${short(commitSha)} to ${a.branch}${created}: ${a.path} in ${repo}, "${message}".`, "success"));
}

export async function openPull(a: OpenArgs, ctx: CommandContext, usage: string): Promise<void> {
  const repo = repoOf(ctx, a.app, usage);
  const github = ctx.services.github;
  const base = a.base ?? (await github.getDefaultBranch(repo));
  const title = a.title ?? (await github.getCommit(repo, a.branch)).message.split("\n")[0]!.slice(0, 256);
  const pr = await github.openPull(repo, { head: a.branch, base, title });
  ctx.audit({ repo, pr: pr.number, branch: a.branch });
  await ctx.reply.send(textReply(rich`Opened PR #${pr.number} "${outside(pr.title)}": ${a.branch} into ${base} (head ${short(pr.headSha)}) ${pr.url}`, "success"));
}

export async function mergePull(a: MergeArgs, ctx: CommandContext, usage: string): Promise<void> {
  const repo = repoOf(ctx, a.app, usage);
  const github = ctx.services.github;
  const pr = await github.getPull(repo, a.pr);
  // The head checked here is the one merged: a push in between makes GitHub refuse instead of merging unseen code.
  const { sha } = await github.mergePull(repo, pr.number, { method: a.method, sha: pr.headSha });
  ctx.audit({ repo, pr: pr.number, sha, method: a.method });
  await ctx.reply.send(textReply(rich`Merged PR #${pr.number} "${outside(pr.title)}" into ${pr.baseRef} as ${short(sha)}.`, "success"));
}

export async function setPullState(a: PullArgs, state: "open" | "closed", ctx: CommandContext, usage: string): Promise<void> {
  const repo = repoOf(ctx, a.app, usage);
  const pr = await ctx.services.github.setPullState(repo, a.pr, state);
  ctx.audit({ repo, pr: pr.number, state });
  await ctx.reply.send(textReply(rich`${state === "closed" ? "Closed" : "Reopened"} PR #${pr.number} "${outside(pr.title)}".`, "success"));
}

export async function changeLabel(a: LabelArgs, add: boolean, ctx: CommandContext, usage: string): Promise<void> {
  const repo = repoOf(ctx, a.app, usage);
  const github = ctx.services.github;
  const labels = add ? await github.addLabels(repo, a.pr, [a.label]) : await github.removeLabel(repo, a.pr, a.label);
  ctx.audit({ repo, pr: a.pr, label: a.label, added: add });
  const now = labels.length > 0 ? labels.join(", ") : "none";
  await ctx.reply.send(textReply(`${add ? "Labelled" : "Unlabelled"} PR #${a.pr} "${a.label}" (labels now: ${now}).`, "success"));
}

export async function setStatus(a: StatusArgs, ctx: CommandContext, usage: string): Promise<void> {
  const repo = repoOf(ctx, a.app, usage);
  const github = ctx.services.github;
  const pr = /^(?:pr|#|pr#)(\d{1,9})$/i.exec(a.ref);
  const sha = pr ? (await github.getPull(repo, Number(pr[1]))).headSha : (await github.getCommit(repo, a.ref)).sha;
  await github.setCommitStatus(repo, sha, { context: a.context, state: a.state, description: a.description });
  ctx.audit({ repo, sha, context: a.context, state: a.state });
  await ctx.reply.send(textReply(`Set ${a.context} of ${short(sha)} to ${a.state}.`, "success"));
}
