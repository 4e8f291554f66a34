// Commits and what CI reports on them: commit statuses, the combined status, check runs.
import { type CheckRunRecord, type CommitRecord, type RepoRecord, type StatusRecord, fakeSha } from "../store.js";
import { fullRepo } from "./repos.js";
import { type Json, type RenderCtx, nodeId, repoUrl } from "./shared.js";
import { simpleUser } from "./users.js";

export function commitJson(ctx: RenderCtx, r: RepoRecord, c: CommitRecord, withFiles = true): Json {
  const url = repoUrl(ctx, r);
  const html = `${ctx.html}/${r.owner}/${r.name}`;
  const author = ctx.store.user(c.author);
  const gitUser = { name: author.name ?? author.login, email: author.email ?? `${author.login}@users.noreply.github.com`, date: c.date };
  const tree = fakeSha("tree", c.sha);
  const out: Json = {
    sha: c.sha,
    node_id: nodeId("Commit", c.sha),
    commit: {
      author: gitUser,
      committer: gitUser,
      message: c.message,
      tree: { sha: tree, url: `${url}/git/trees/${tree}` },
      url: `${url}/git/commits/${c.sha}`,
      comment_count: 0,
      verification: { verified: false, reason: "unsigned", signature: null, payload: null, verified_at: null },
    },
    url: `${url}/commits/${c.sha}`,
    html_url: `${html}/commit/${c.sha}`,
    comments_url: `${url}/commits/${c.sha}/comments`,
    author: simpleUser(ctx, author),
    committer: simpleUser(ctx, author),
    parents: c.parents.map((p) => ({ sha: p, url: `${url}/commits/${p}`, html_url: `${html}/commit/${p}` })),
  };
  if (withFiles) {
    out.stats = { total: 0, additions: 0, deletions: 0 };
    out.files = [];
  }
  return out;
}

export function statusJson(ctx: RenderCtx, r: RepoRecord, s: StatusRecord): Json {
  const creator = ctx.store.user(s.creator);
  return {
    url: `${repoUrl(ctx, r)}/statuses/${s.sha}`,
    avatar_url: `https://avatars.githubusercontent.com/u/${creator.id}?v=4`,
    id: s.id,
    node_id: nodeId("StatusContext", s.id),
    state: s.state,
    description: s.description,
    target_url: s.target_url,
    context: s.context,
    created_at: s.created_at,
    updated_at: s.updated_at,
    creator: simpleUser(ctx, creator),
  };
}

export function combinedStatusJson(ctx: RenderCtx, r: RepoRecord, sha: string): Json {
  const latest = ctx.store.latestStatuses(r, sha);
  return {
    state: ctx.store.combinedState(r, sha),
    statuses: latest.map((s) => {
      const { creator: _creator, ...rest } = statusJson(ctx, r, s);
      return { ...rest, required: false };
    }),
    sha,
    total_count: latest.length,
    repository: fullRepo(ctx, r),
    commit_url: `${repoUrl(ctx, r)}/commits/${sha}`,
    url: `${repoUrl(ctx, r)}/commits/${sha}/status`,
  };
}

export function checkRunJson(ctx: RenderCtx, r: RepoRecord, c: CheckRunRecord): Json {
  const url = repoUrl(ctx, r);
  const html = `${ctx.html}/${r.owner}/${r.name}`;
  return {
    id: c.id,
    name: c.name,
    node_id: nodeId("CheckRun", c.id),
    head_sha: c.head_sha,
    external_id: "",
    url: `${url}/check-runs/${c.id}`,
    html_url: `${html}/runs/${c.id}`,
    details_url: c.details_url ?? `${html}/runs/${c.id}`,
    status: c.status,
    conclusion: c.conclusion,
    started_at: c.started_at,
    completed_at: c.completed_at,
    output: { title: null, summary: null, text: null, annotations_count: 0, annotations_url: `${url}/check-runs/${c.id}/annotations` },
    check_suite: { id: c.id + 1_000_000 },
    app: appJson(ctx, r, c.app),
    pull_requests: [],
  };
}

export interface Comparison {
  basehead: string;
  base: string;
  head: string;
  mergeBase: string;
  status: "identical" | "ahead" | "behind" | "diverged";
  /** Commits on head and not on base, oldest first. */
  ahead: string[];
  behindBy: number;
}

export function compareJson(ctx: RenderCtx, r: RepoRecord, c: Comparison): Json {
  const url = repoUrl(ctx, r);
  const html = `${ctx.html}/${r.owner}/${r.name}`;
  const commit = (sha: string): Json => commitJson(ctx, r, r.commits.get(sha)!, false);
  return {
    url: `${url}/compare/${c.basehead}`,
    html_url: `${html}/compare/${c.basehead}`,
    permalink_url: `${html}/compare/${r.owner}:${c.base.slice(0, 7)}...${r.owner}:${c.head.slice(0, 7)}`,
    diff_url: `${html}/compare/${c.basehead}.diff`,
    patch_url: `${html}/compare/${c.basehead}.patch`,
    base_commit: commit(c.base),
    merge_base_commit: commit(c.mergeBase),
    status: c.status,
    ahead_by: c.ahead.length,
    behind_by: c.behindBy,
    total_commits: c.ahead.length,
    // GitHub lists at most 250 commits here.
    commits: c.ahead.slice(0, 250).map(commit),
    files: [],
  };
}

/** The GitHub App that made a check run: GitHub Actions as GitHub describes it, or a sandbox App acting as "<slug>[bot]". */
function appJson(ctx: RenderCtx, r: RepoRecord, slug: string): Json {
  const common = {
    client_id: "Iv1.sandbox", owner: simpleUser(ctx, ctx.store.user(r.owner)),
    permissions: { checks: "write", statuses: "write", metadata: "read" }, events: ["check_run", "push"],
  };
  if (slug === "github-actions") {
    return {
      id: 15368, slug, node_id: nodeId("App", 15368), name: "GitHub Actions", description: "Automate your workflow",
      external_url: "https://help.github.com/en/actions", html_url: "https://github.com/apps/github-actions",
      created_at: "2018-07-30T09:30:17Z", updated_at: "2024-04-10T20:33:16Z", ...common,
    };
  }
  // The sandbox's Apps take their bot account's id as theirs.
  const id = ctx.store.user(`${slug}[bot]`).id;
  return {
    id, slug, node_id: nodeId("App", id), name: slug, description: null, external_url: `${ctx.html}/apps/${slug}`,
    html_url: `${ctx.html}/apps/${slug}`, created_at: "2020-01-01T00:00:00Z", updated_at: "2020-01-01T00:00:00Z", ...common,
  };
}
