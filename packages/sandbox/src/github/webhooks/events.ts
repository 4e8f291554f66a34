// Webhook payloads, in the shapes of GitHub's deliveries (checked in tests against @octokit/webhooks-schemas), and
// what makes them: every change a route makes is said here once, and the sender takes it to the hook URLs.
import { type CheckRunRecord, type CommitRecord, type PullRecord, type RepoRecord, type StatusRecord, nowIso } from "../store.js";
import { checkRunJson, commitJson } from "../render/commits.js";
import { labelJson, pullJson } from "../render/pulls.js";
import { fullRepo } from "../render/repos.js";
import { type Json, type RenderCtx, nodeId, repoUrl } from "../render/shared.js";
import { userByLogin } from "../render/users.js";

export const ZERO_SHA = "0".repeat(40);

/** Where the routes tell what changed. */
export interface GithubEvents {
  /** One webhook event (the sender signs and delivers it to every hook URL). */
  deliver(event: string, payload: Json): void;
  /** A branch moved to a new commit (the simulated CI builds it). */
  pushed?(ctx: RenderCtx, r: RepoRecord, branch: string, sha: string): void;
}

/** The repository as deliveries carry it: the REST object without the fields only the REST API has. */
export function hookRepository(ctx: RenderCtx, r: RepoRecord): Json {
  const { network_count: _n, subscribers_count: _s, ...repo } = fullRepo(ctx, r);
  return { ...repo, owner: hookUser(userByLogin(ctx, r.owner)), custom_properties: {} };
}

/** simple-user without `user_view_type`, which webhook users do not have. */
function hookUser(user: Json): Json {
  const { user_view_type: _v, ...rest } = user;
  return rest;
}

function common(ctx: RenderCtx, r: RepoRecord, sender: string): Json {
  return { repository: hookRepository(ctx, r), sender: hookUser(userByLogin(ctx, sender)) };
}

function gitUser(ctx: RenderCtx, login: string): Json {
  const u = ctx.store.user(login);
  return { name: u.name ?? u.login, email: u.email ?? `${u.login}@users.noreply.github.com`, username: u.login };
}

function pushCommit(ctx: RenderCtx, r: RepoRecord, c: CommitRecord, changed: { added: string[]; modified: string[] }): Json {
  const author = { ...gitUser(ctx, c.author), date: c.date };
  return {
    id: c.sha,
    tree_id: (commitJson(ctx, r, c, false).commit as { tree: { sha: string } }).tree.sha,
    distinct: true,
    message: c.message,
    timestamp: c.date,
    url: `${ctx.html}/${r.owner}/${r.name}/commit/${c.sha}`,
    author,
    committer: author,
    added: changed.added,
    removed: [],
    modified: changed.modified,
  };
}

export interface PushInput {
  branch: string;
  before: string;
  after: string;
  commits: CommitRecord[];
  sender: string;
  /** The paths each commit added and changed (a commit made through the contents API names its file). */
  changes?: Map<string, { added: string[]; modified: string[] }>;
}

export function pushPayload(ctx: RenderCtx, r: RepoRecord, p: PushInput): Json {
  const created = p.before === ZERO_SHA;
  const html = `${ctx.html}/${r.owner}/${r.name}`;
  const commits = p.commits.map((c) => pushCommit(ctx, r, c, p.changes?.get(c.sha) ?? { added: [], modified: [] }));
  const head = r.commits.get(p.after);
  return {
    ref: `refs/heads/${p.branch}`,
    before: p.before,
    after: p.after,
    repository: { ...hookRepository(ctx, r), stargazers: 0, master_branch: r.default_branch },
    pusher: { name: p.sender, email: gitUser(ctx, p.sender).email },
    sender: hookUser(userByLogin(ctx, p.sender)),
    created,
    deleted: false,
    forced: false,
    base_ref: null,
    compare: created ? `${html}/commit/${p.after.slice(0, 12)}` : `${html}/compare/${p.before.slice(0, 12)}...${p.after.slice(0, 12)}`,
    commits,
    head_commit: head ? (commits.find((c) => c.id === head.sha) ?? pushCommit(ctx, r, head, { added: [], modified: [] })) : null,
  };
}

export type PullAction = "opened" | "synchronize" | "labeled" | "unlabeled" | "closed" | "reopened" | "edited";

export function pullRequestPayload(ctx: RenderCtx, r: RepoRecord, pr: PullRecord, action: PullAction, sender: string, extra: { label?: string; before?: string } = {}): Json {
  const pull = pullJson(ctx, r, pr, true);
  const payload: Json = {
    action,
    number: pr.number,
    pull_request: { ...pull, user: hookUser(pull.user as Json), merged_by: pr.merged ? hookUser(userByLogin(ctx, sender)) : null, head: hookRef(ctx, pull.head as Json), base: hookRef(ctx, pull.base as Json) },
    ...common(ctx, r, sender),
  };
  if (extra.label !== undefined) payload.label = labelJson(ctx, r, pr, extra.label, Math.max(0, pr.labels.indexOf(extra.label)));
  if (action === "synchronize") Object.assign(payload, { before: extra.before ?? pr.sha, after: pr.sha });
  if (action === "edited") payload.changes = {};
  return payload;
}

function hookRef(ctx: RenderCtx, ref: Json): Json {
  const repo = ref.repo as Json;
  const [owner, name] = String(repo.full_name).split("/");
  const r = ctx.store.findRepo(owner!, name!)!;
  return { ...ref, user: hookUser(ref.user as Json), repo: hookRepository(ctx, r) };
}


export function statusPayload(ctx: RenderCtx, r: RepoRecord, s: StatusRecord, sender: string): Json {
  const commit = r.commits.get(s.sha)!;
  const c = commitJson(ctx, r, commit, false);
  const branches = [...r.branches.entries()]
    .filter(([, sha]) => sha === s.sha)
    .map(([name, sha]) => ({ name, commit: { sha, url: `${repoUrl(ctx, r)}/commits/${sha}` }, protected: false }));
  const inner = c.commit as Json;
  const { verified_at: _v, ...verification } = inner.verification as Json;
  return {
    id: s.id,
    sha: s.sha,
    name: `${r.owner}/${r.name}`,
    target_url: s.target_url,
    avatar_url: null,
    context: s.context,
    description: s.description,
    state: s.state,
    commit: { ...c, commit: { ...inner, verification }, author: hookUser(c.author as Json), committer: hookUser(c.committer as Json) },
    branches,
    created_at: s.created_at,
    updated_at: s.updated_at,
    ...common(ctx, r, sender),
  };
}

export function checkRunPayload(ctx: RenderCtx, r: RepoRecord, run: CheckRunRecord, action: "created" | "completed", sender: string): Json {
  const json = checkRunJson(ctx, r, run);
  // The app as deliveries describe it: no client_id, a webhook user as its owner.
  const { client_id: _c, ...app } = json.app as Json;
  const rest = { ...json, app: { ...app, owner: hookUser(app.owner as Json) } };
  const suite = {
    id: run.id + 1_000_000,
    node_id: nodeId("CheckSuite", run.id + 1_000_000),
    head_branch: [...r.branches.entries()].find(([, sha]) => sha === run.head_sha)?.[0] ?? null,
    head_sha: run.head_sha,
    status: run.status === "completed" ? "completed" : "in_progress",
    conclusion: run.conclusion,
    url: `${repoUrl(ctx, r)}/check-suites/${run.id + 1_000_000}`,
    before: null,
    after: run.head_sha,
    pull_requests: [],
    app: rest.app,
    created_at: run.started_at,
    updated_at: run.completed_at ?? run.started_at,
  };
  return { action, check_run: { ...rest, check_suite: suite }, ...common(ctx, r, sender) };
}

// ---- what the routes call --------------------------------------------------------------------------------------

/** A branch moved from `before` (ZERO_SHA when it is new) to `after`: a push, and synchronize for its open PRs. */
export function announcePush(ctx: RenderCtx & { events?: GithubEvents }, r: RepoRecord, p: PushInput): void {
  ctx.events?.deliver("push", pushPayload(ctx, r, p));
  ctx.events?.pushed?.(ctx, r, p.branch, p.after);
  for (const pr of r.pulls.values()) {
    if (pr.state !== "open" || pr.head !== p.branch || pr.sha === p.after) continue;
    const before = pr.sha;
    pr.sha = p.after;
    pr.updated_at = nowIso();
    ctx.events?.deliver("pull_request", pullRequestPayload(ctx, r, pr, "synchronize", p.sender, { before }));
  }
}
