// Pull requests, with their head and base branch references.
import type { PullRecord, RepoRecord } from "../store.js";
import { fullRepo } from "./repos.js";
import { type Json, type RenderCtx, nodeId, repoUrl } from "./shared.js";
import { userByLogin } from "./users.js";

function branchRef(ctx: RenderCtx, r: RepoRecord, ref: string, sha: string, userLogin: string): Json {
  return {
    label: `${r.owner}:${ref}`,
    ref,
    sha,
    user: userByLogin(ctx, userLogin),
    repo: fullRepo(ctx, r),
  };
}

/** A PR's head: a branch of the repository, or of the fork it came from. */
function headRef(ctx: RenderCtx, r: RepoRecord, p: PullRecord): Json {
  const fork = p.headRepo !== undefined ? ctx.store.repo(p.headRepo) : r;
  return branchRef(ctx, fork, p.head, p.sha, fork.owner);
}

/** A label of a pull request; its id is made from the PR's and the label's place in its list. */
export function labelJson(ctx: RenderCtx, r: RepoRecord, p: PullRecord, name: string, i: number): Json {
  const id = p.id * 100 + i;
  return { id, node_id: nodeId("Label", id), url: `${repoUrl(ctx, r)}/labels/${encodeURIComponent(name)}`, name, color: "ededed", default: false, description: null };
}

/** A pull request's labels, as GET /issues/{n}/labels and the PR itself list them. */
export function labelsJson(ctx: RenderCtx, r: RepoRecord, p: PullRecord): Json[] {
  return p.labels.map((name, i) => labelJson(ctx, r, p, name, i));
}

/** A pull request; `full` adds the fields only GET /pulls/{n} has. */
export function pullJson(ctx: RenderCtx, r: RepoRecord, p: PullRecord, full: boolean): Json {
  const url = repoUrl(ctx, r);
  const html = `${ctx.html}/${r.owner}/${r.name}`;
  const self = `${url}/pulls/${p.number}`;
  const out: Json = {
    url: self,
    id: p.id,
    node_id: nodeId("PullRequest", p.id),
    html_url: `${html}/pull/${p.number}`,
    diff_url: `${html}/pull/${p.number}.diff`,
    patch_url: `${html}/pull/${p.number}.patch`,
    issue_url: `${url}/issues/${p.number}`,
    number: p.number,
    state: p.state,
    locked: false,
    title: p.title,
    user: userByLogin(ctx, p.user),
    body: p.body,
    created_at: p.created_at,
    updated_at: p.updated_at,
    closed_at: p.closed_at,
    merged_at: p.merged_at,
    merge_commit_sha: p.merge_commit_sha,
    assignee: null,
    assignees: [],
    requested_reviewers: [],
    requested_teams: [],
    labels: labelsJson(ctx, r, p),
    milestone: null,
    draft: p.draft,
    commits_url: `${self}/commits`,
    review_comments_url: `${self}/comments`,
    review_comment_url: `${url}/pulls/comments{/number}`,
    comments_url: `${url}/issues/${p.number}/comments`,
    statuses_url: `${url}/statuses/${p.sha}`,
    head: headRef(ctx, r, p),
    base: branchRef(ctx, r, p.base, r.branches.get(p.base) ?? p.sha, r.owner),
    _links: {
      self: { href: self },
      html: { href: `${html}/pull/${p.number}` },
      issue: { href: `${url}/issues/${p.number}` },
      comments: { href: `${url}/issues/${p.number}/comments` },
      review_comments: { href: `${self}/comments` },
      review_comment: { href: `${url}/pulls/comments{/number}` },
      commits: { href: `${self}/commits` },
      statuses: { href: `${url}/statuses/${p.sha}` },
    },
    author_association: "MEMBER",
    auto_merge: null,
    active_lock_reason: null,
  };
  if (full) {
    const open = p.state === "open";
    Object.assign(out, {
      merged: p.merged,
      mergeable: open ? true : null,
      rebaseable: open ? true : null,
      mergeable_state: open ? "clean" : "unknown",
      merged_by: p.merged ? userByLogin(ctx, p.merged_by ?? r.owner) : null,
      comments: ctx.store.issueComments(`${r.owner}/${r.name}`, p.number).length,
      review_comments: 0,
      maintainer_can_modify: false,
      commits: 1,
      additions: 10,
      deletions: 2,
      changed_files: 1,
    });
  }
  return out;
}
