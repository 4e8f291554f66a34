// Turns store records into the JSON GitHub answers with (shapes per GitHub's OpenAPI description).
import {
  type CheckRunRecord, type CommentRecord, type CommitRecord, type DeploymentRecord, type DeploymentStatusRecord,
  type GithubStore, type PullRecord, type RepoRecord, type StatusRecord, type UserRecord, fakeSha,
} from "./store.js";

export interface RenderCtx {
  api: string; // e.g. http://127.0.0.1:1234
  html: string; // e.g. https://github.com
  store: GithubStore;
}

type Json = Record<string, unknown>;

export function nodeId(kind: string, id: number | string): string {
  return Buffer.from(`0:${kind}${id}`).toString("base64").replace(/=+$/, "");
}

export function simpleUser(ctx: RenderCtx, u: UserRecord): Json {
  const url = `${ctx.api}/users/${u.login}`;
  return {
    login: u.login,
    id: u.id,
    node_id: nodeId(u.type === "Organization" ? "Organization" : "User", u.id),
    avatar_url: `https://avatars.githubusercontent.com/u/${u.id}?v=4`,
    gravatar_id: "",
    url,
    html_url: `${ctx.html}/${u.login}`,
    followers_url: `${url}/followers`,
    following_url: `${url}/following{/other_user}`,
    gists_url: `${url}/gists{/gist_id}`,
    starred_url: `${url}/starred{/owner}{/repo}`,
    subscriptions_url: `${url}/subscriptions`,
    organizations_url: `${url}/orgs`,
    repos_url: `${url}/repos`,
    events_url: `${url}/events{/privacy}`,
    received_events_url: `${url}/received_events`,
    type: u.type,
    user_view_type: "public",
    site_admin: false,
  };
}

export function userByLogin(ctx: RenderCtx, login: string): Json {
  return simpleUser(ctx, ctx.store.user(login));
}

/** GET /user: the private view of the authenticated user. */
export function privateUser(ctx: RenderCtx, u: UserRecord): Json {
  return {
    ...simpleUser(ctx, u),
    user_view_type: "private",
    name: u.name,
    company: null,
    blog: "",
    location: null,
    email: u.email,
    notification_email: u.email,
    hireable: null,
    bio: null,
    twitter_username: null,
    public_repos: 0,
    public_gists: 0,
    followers: 0,
    following: 0,
    created_at: u.created_at,
    updated_at: u.created_at,
    private_gists: 0,
    total_private_repos: 1,
    owned_private_repos: 0,
    disk_usage: 0,
    collaborators: 0,
    two_factor_authentication: true,
    plan: { name: "free", space: 976562499, collaborators: 0, private_repos: 10000 },
  };
}

export function repoUrl(ctx: RenderCtx, r: RepoRecord): string {
  return `${ctx.api}/repos/${r.owner}/${r.name}`;
}

/** The full repository object (also valid as `repository` and `minimal-repository`). */
export function fullRepo(ctx: RenderCtx, r: RepoRecord): Json {
  const url = repoUrl(ctx, r);
  const html = `${ctx.html}/${r.owner}/${r.name}`;
  const owner = ctx.store.user(r.owner);
  const lastPush = [...r.commits.values()].map((c) => c.date).sort().at(-1) ?? r.created_at;
  const openPulls = [...r.pulls.values()].filter((p) => p.state === "open").length;
  return {
    id: r.id,
    node_id: nodeId("Repository", r.id),
    name: r.name,
    full_name: `${r.owner}/${r.name}`,
    private: r.private,
    owner: simpleUser(ctx, owner),
    html_url: html,
    description: r.description,
    fork: false,
    url,
    forks_url: `${url}/forks`,
    keys_url: `${url}/keys{/key_id}`,
    collaborators_url: `${url}/collaborators{/collaborator}`,
    teams_url: `${url}/teams`,
    hooks_url: `${url}/hooks`,
    issue_events_url: `${url}/issues/events{/number}`,
    events_url: `${url}/events`,
    assignees_url: `${url}/assignees{/user}`,
    branches_url: `${url}/branches{/branch}`,
    tags_url: `${url}/tags`,
    blobs_url: `${url}/git/blobs{/sha}`,
    git_tags_url: `${url}/git/tags{/sha}`,
    git_refs_url: `${url}/git/refs{/sha}`,
    trees_url: `${url}/git/trees{/sha}`,
    statuses_url: `${url}/statuses/{sha}`,
    languages_url: `${url}/languages`,
    stargazers_url: `${url}/stargazers`,
    contributors_url: `${url}/contributors`,
    subscribers_url: `${url}/subscribers`,
    subscription_url: `${url}/subscription`,
    commits_url: `${url}/commits{/sha}`,
    git_commits_url: `${url}/git/commits{/sha}`,
    comments_url: `${url}/comments{/number}`,
    issue_comment_url: `${url}/issues/comments{/number}`,
    contents_url: `${url}/contents/{+path}`,
    compare_url: `${url}/compare/{base}...{head}`,
    merges_url: `${url}/merges`,
    archive_url: `${url}/{archive_format}{/ref}`,
    downloads_url: `${url}/downloads`,
    issues_url: `${url}/issues{/number}`,
    pulls_url: `${url}/pulls{/number}`,
    milestones_url: `${url}/milestones{/number}`,
    notifications_url: `${url}/notifications{?since,all,participating}`,
    labels_url: `${url}/labels{/name}`,
    releases_url: `${url}/releases{/id}`,
    deployments_url: `${url}/deployments`,
    created_at: r.created_at,
    updated_at: lastPush,
    pushed_at: lastPush,
    git_url: `git://github.com/${r.owner}/${r.name}.git`,
    ssh_url: `git@github.com:${r.owner}/${r.name}.git`,
    clone_url: `${html}.git`,
    svn_url: html,
    homepage: null,
    size: 1024,
    stargazers_count: 0,
    watchers_count: 0,
    language: "Ruby",
    has_issues: true,
    has_projects: false,
    has_downloads: true,
    has_wiki: false,
    has_pages: false,
    has_discussions: false,
    forks_count: 0,
    mirror_url: null,
    archived: false,
    disabled: false,
    open_issues_count: openPulls,
    license: null,
    allow_forking: false,
    is_template: false,
    web_commit_signoff_required: false,
    topics: [],
    visibility: r.private ? "private" : "public",
    forks: 0,
    open_issues: openPulls,
    watchers: 0,
    default_branch: r.default_branch,
    permissions: { admin: false, maintain: false, push: true, triage: true, pull: true },
    allow_squash_merge: true,
    allow_merge_commit: true,
    allow_rebase_merge: false,
    allow_auto_merge: false,
    delete_branch_on_merge: true,
    allow_update_branch: false,
    network_count: 0,
    subscribers_count: 0,
  };
}

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

function branchRef(ctx: RenderCtx, r: RepoRecord, ref: string, sha: string, userLogin: string): Json {
  return {
    label: `${r.owner}:${ref}`,
    ref,
    sha,
    user: userByLogin(ctx, userLogin),
    repo: fullRepo(ctx, r),
  };
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
    labels: p.labels.map((name, i) => ({
      id: p.id * 100 + i, node_id: nodeId("Label", p.id * 100 + i), url: `${url}/labels/${encodeURIComponent(name)}`,
      name, color: "ededed", default: false, description: null,
    })),
    milestone: null,
    draft: p.draft,
    commits_url: `${self}/commits`,
    review_comments_url: `${self}/comments`,
    review_comment_url: `${url}/pulls/comments{/number}`,
    comments_url: `${url}/issues/${p.number}/comments`,
    statuses_url: `${url}/statuses/${p.sha}`,
    head: branchRef(ctx, r, p.head, p.sha, r.owner),
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
      merged_by: p.merged ? userByLogin(ctx, r.owner) : null,
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
    app: {
      id: 15368, slug: "github-actions", node_id: nodeId("App", 15368), client_id: "Iv1.sandbox",
      owner: simpleUser(ctx, ctx.store.user(r.owner)), name: "GitHub Actions", description: "Automate your workflow",
      external_url: "https://help.github.com/en/actions", html_url: "https://github.com/apps/github-actions",
      created_at: "2018-07-30T09:30:17Z", updated_at: "2024-04-10T20:33:16Z",
      permissions: { checks: "write", statuses: "write", metadata: "read" }, events: ["check_run", "push"],
    },
    pull_requests: [],
  };
}

export function deploymentJson(ctx: RenderCtx, r: RepoRecord, d: DeploymentRecord): Json {
  const url = `${repoUrl(ctx, r)}/deployments/${d.id}`;
  return {
    url,
    id: d.id,
    node_id: nodeId("Deployment", d.id),
    sha: d.sha,
    ref: d.ref,
    task: d.task,
    payload: d.payload,
    original_environment: d.original_environment,
    environment: d.environment,
    description: d.description,
    creator: userByLogin(ctx, d.creator),
    created_at: d.created_at,
    updated_at: d.updated_at,
    statuses_url: `${url}/statuses`,
    repository_url: repoUrl(ctx, r),
    transient_environment: d.transient_environment,
    production_environment: d.production_environment,
    performed_via_github_app: null,
  };
}

export function deploymentStatusJson(ctx: RenderCtx, r: RepoRecord, s: DeploymentStatusRecord): Json {
  const dUrl = `${repoUrl(ctx, r)}/deployments/${s.deployment_id}`;
  return {
    url: `${dUrl}/statuses/${s.id}`,
    id: s.id,
    node_id: nodeId("DeploymentStatus", s.id),
    state: s.state,
    creator: userByLogin(ctx, s.creator),
    description: s.description,
    environment: s.environment,
    target_url: s.target_url,
    created_at: s.created_at,
    updated_at: s.updated_at,
    deployment_url: dUrl,
    repository_url: repoUrl(ctx, r),
    environment_url: s.environment_url,
    log_url: s.log_url,
    performed_via_github_app: null,
  };
}

export function commentJson(ctx: RenderCtx, r: RepoRecord, c: CommentRecord): Json {
  const url = repoUrl(ctx, r);
  return {
    id: c.id,
    node_id: nodeId("IssueComment", c.id),
    url: `${url}/issues/comments/${c.id}`,
    html_url: `${ctx.html}/${r.owner}/${r.name}/pull/${c.issue_number}#issuecomment-${c.id}`,
    body: c.body,
    user: userByLogin(ctx, c.user),
    created_at: c.created_at,
    updated_at: c.updated_at,
    issue_url: `${url}/issues/${c.issue_number}`,
    author_association: "MEMBER",
    performed_via_github_app: null,
    reactions: {
      url: `${url}/issues/comments/${c.id}/reactions`, total_count: 0,
      "+1": 0, "-1": 0, laugh: 0, hooray: 0, confused: 0, heart: 0, rocket: 0, eyes: 0,
    },
  };
}
