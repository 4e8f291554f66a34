// In-memory state of the GitHub sandbox. Plain data plus the helpers tests use to arrange and assert.
// Repos are keyed "owner/name". Nothing here knows about HTTP.
import { createHash } from "node:crypto";

export type CommitState = "error" | "failure" | "pending" | "success";
export type CheckStatus = "queued" | "in_progress" | "completed" | "waiting" | "requested" | "pending";
export type CheckConclusion =
  | "success" | "failure" | "neutral" | "cancelled" | "skipped" | "timed_out" | "action_required" | null;
export type DeploymentState = "error" | "failure" | "inactive" | "in_progress" | "queued" | "pending" | "success";

export interface UserRecord {
  login: string;
  id: number;
  type: "User" | "Organization" | "Bot";
  name: string | null;
  email: string | null;
  created_at: string;
}

export interface CommitRecord {
  sha: string;
  message: string;
  parents: string[];
  author: string; // login
  date: string;
}

export interface PullRecord {
  number: number;
  id: number;
  title: string;
  body: string | null;
  user: string;
  head: string; // branch name
  /** The fork ("owner/name") whose branch the PR is from; absent for a branch of the repository itself. */
  headRepo?: string;
  sha: string; // head sha
  base: string; // base branch
  state: "open" | "closed";
  merged: boolean;
  draft: boolean;
  labels: string[];
  created_at: string;
  updated_at: string;
  closed_at: string | null;
  merged_at: string | null;
  merge_commit_sha: string | null;
  /** The login that merged it (PUT /pulls/{n}/merge's caller); GitHub's merged_by. */
  merged_by?: string;
}

/**
 * The sandbox CI is a GitHub App ("sandbox-ci"): its commit statuses are made by its bot account. Statuses written
 * straight into the store (the seed, tests) are CI's unless they name another creator.
 */
export const SANDBOX_CI_LOGIN = "sandbox-ci[bot]";

export interface StatusRecord {
  id: number;
  sha: string;
  context: string;
  state: CommitState;
  description: string | null;
  target_url: string | null;
  creator: string;
  created_at: string;
  updated_at: string;
}

export interface CheckRunRecord {
  id: number;
  /** The slug of the GitHub App that created it (only Apps create check runs). */
  app: string;
  head_sha: string;
  name: string;
  status: CheckStatus;
  conclusion: CheckConclusion;
  details_url: string | null;
  started_at: string;
  completed_at: string | null;
}

export interface DeploymentRecord {
  id: number;
  sha: string;
  ref: string;
  task: string;
  environment: string;
  original_environment: string;
  description: string | null;
  payload: Record<string, unknown> | string;
  transient_environment: boolean;
  production_environment: boolean;
  creator: string;
  created_at: string;
  updated_at: string;
}

export interface DeploymentStatusRecord {
  id: number;
  deployment_id: number;
  state: DeploymentState;
  description: string;
  environment: string;
  target_url: string;
  log_url: string;
  environment_url: string;
  creator: string;
  created_at: string;
  updated_at: string;
}

export interface CommentRecord {
  id: number;
  issue_number: number;
  body: string;
  user: string;
  created_at: string;
  updated_at: string;
}

export interface RepoRecord {
  owner: string;
  name: string;
  id: number;
  description: string | null;
  private: boolean;
  default_branch: string;
  created_at: string;
  commits: Map<string, CommitRecord>;
  branches: Map<string, string>;
  pulls: Map<number, PullRecord>;
  statuses: StatusRecord[];
  checkRuns: CheckRunRecord[];
  deployments: DeploymentRecord[];
  deploymentStatuses: DeploymentStatusRecord[];
  comments: CommentRecord[];
  /** Files every commit has (path -> content), usually read from config/sandbox/repos/<owner>-<repo>/. */
  baseFiles: Map<string, string>;
  /** Overrides per sha (or "*" for every commit): path -> content, or null for "removed". */
  fileOverrides: Map<string, Map<string, string | null>>;
}

export class StoreError extends Error {}

export const nowIso = (): string => new Date().toISOString().replace(/\.\d{3}Z$/, "Z");

const HEX = /^[0-9a-f]+$/i;

export function gitBlobSha(content: string): string {
  const buf = Buffer.from(content, "utf8");
  return createHash("sha1").update(`blob ${buf.length}\0`).update(buf).digest("hex");
}

export function fakeSha(...parts: Array<string | number>): string {
  return createHash("sha1").update(parts.join("\0")).digest("hex");
}

/** The result of resolving a ref: a commit, or why not. */
export type Resolved = { ok: true; sha: string; branch?: string } | { ok: false; reason: "unknown" | "ambiguous" };

type IdKind = "status" | "check" | "deployment" | "deploymentStatus" | "comment" | "pull" | "user";

export class GithubStore {
  readonly users = new Map<string, UserRecord>();
  readonly tokens = new Map<string, string>();
  readonly repos = new Map<string, RepoRecord>();
  private nextIds: Record<IdKind, number> = { status: 4_000_001, check: 7_000_001, deployment: 1_000_001, deploymentStatus: 2_000_001, comment: 3_000_001, pull: 5_000_001, user: 8_000_001 };

  nextId(kind: IdKind): number {
    return this.nextIds[kind]++;
  }

  // ---- users and repos -------------------------------------------------------------------------

  addUser(u: { login: string; id?: number; type?: UserRecord["type"]; name?: string | null; email?: string | null }): UserRecord {
    const rec: UserRecord = {
      login: u.login,
      id: u.id ?? this.nextId("user"),
      // A GitHub App acts as its bot account, "<slug>[bot]", of type Bot.
      type: u.type ?? (u.login.endsWith("[bot]") ? "Bot" : "User"),
      name: u.name ?? null,
      email: u.email ?? null,
      created_at: "2020-01-01T00:00:00Z",
    };
    this.users.set(u.login, rec);
    return rec;
  }

  /** The user record for a login, created on first use so tests can name anyone. */
  user(login: string): UserRecord {
    return this.users.get(login) ?? this.addUser({ login });
  }

  addToken(token: string, login: string): void {
    this.user(login);
    this.tokens.set(token, login);
  }

  addRepo(fullName: string, opts: { id?: number; description?: string | null; private?: boolean; default_branch?: string; created_at?: string } = {}): RepoRecord {
    const [owner, name] = splitRepo(fullName);
    if (!this.users.has(owner)) this.addUser({ login: owner, type: "Organization" });
    const rec: RepoRecord = {
      owner, name,
      id: opts.id ?? this.nextId("user"),
      description: opts.description ?? null,
      private: opts.private ?? false,
      default_branch: opts.default_branch ?? "main",
      created_at: opts.created_at ?? "2020-01-01T00:00:00Z",
      commits: new Map(), branches: new Map(), pulls: new Map(),
      statuses: [], checkRuns: [], deployments: [], deploymentStatuses: [], comments: [],
      baseFiles: new Map(), fileOverrides: new Map(),
    };
    this.repos.set(`${owner}/${name}`, rec);
    return rec;
  }

  /** Case-insensitive lookup, like GitHub's. */
  findRepo(owner: string, name: string): RepoRecord | undefined {
    const exact = this.repos.get(`${owner}/${name}`);
    if (exact) return exact;
    const want = `${owner}/${name}`.toLowerCase();
    for (const [k, v] of this.repos) if (k.toLowerCase() === want) return v;
    return undefined;
  }

  repo(fullName: string): RepoRecord {
    const [owner, name] = splitRepo(fullName);
    const r = this.findRepo(owner, name);
    if (!r) throw new StoreError(`unknown repository ${fullName}`);
    return r;
  }

  // ---- commits, branches, refs ------------------------------------------------------------------

  addCommit(repo: string, c: { sha: string; message: string; parents?: string[]; author?: string; date?: string }): CommitRecord {
    const r = this.repo(repo);
    if (!/^[0-9a-f]{40}$/.test(c.sha)) throw new StoreError(`commit sha must be 40 lowercase hex characters: ${c.sha}`);
    const rec: CommitRecord = { sha: c.sha, message: c.message, parents: c.parents ?? [], author: c.author ?? r.owner, date: c.date ?? nowIso() };
    this.user(rec.author);
    r.commits.set(c.sha, rec);
    return rec;
  }

  /** Point a branch at a sha (the commit is created if the sandbox doesn't know it yet). */
  setBranch(repo: string, branch: string, sha: string): void {
    const r = this.repo(repo);
    if (!r.commits.has(sha)) this.addCommit(repo, { sha, message: `Commit ${sha.slice(0, 7)}` });
    r.branches.set(branch, sha);
  }

  deleteBranch(repo: string, branch: string): void {
    this.repo(repo).branches.delete(branch);
  }

  /**
   * Resolve a ref like GitHub's commits API: a branch name (also `heads/x`, `refs/heads/x`), a full sha,
   * or a unique sha prefix of at least 4 hex characters.
   */
  resolve(repo: string | RepoRecord, ref: string): Resolved {
    const r = typeof repo === "string" ? this.repo(repo) : repo;
    const branchName = ref.replace(/^refs\/heads\//, "").replace(/^heads\//, "");
    const b = r.branches.get(branchName);
    if (b) return { ok: true, sha: b, branch: branchName };
    if (ref.length >= 4 && ref.length <= 40 && HEX.test(ref)) {
      const want = ref.toLowerCase();
      if (r.commits.has(want)) return { ok: true, sha: want };
      const hits = [...r.commits.keys()].filter((s) => s.startsWith(want));
      if (hits.length === 1) return { ok: true, sha: hits[0]! };
      if (hits.length > 1) return { ok: false, reason: "ambiguous" };
    }
    return { ok: false, reason: "unknown" };
  }

  /** Every commit reachable from `sha` through parents, `sha` included. */
  ancestors(repo: string | RepoRecord, sha: string): Set<string> {
    const r = typeof repo === "string" ? this.repo(repo) : repo;
    const seen = new Set<string>();
    const todo = [sha];
    while (todo.length) {
      const s = todo.pop()!;
      if (seen.has(s) || !r.commits.has(s)) continue;
      seen.add(s);
      todo.push(...r.commits.get(s)!.parents);
    }
    return seen;
  }

  /** Is `ancestor` reachable from `sha` through parents (or the same commit)? */
  isAncestor(repo: string | RepoRecord, ancestor: string, sha: string): boolean {
    return sha === ancestor || this.ancestors(repo, sha).has(ancestor);
  }

  // ---- pulls -----------------------------------------------------------------------------------

  addPull(repo: string, p: {
    number?: number; title: string; body?: string | null; user?: string; head: string; headRepo?: string; sha: string; base?: string;
    state?: "open" | "closed"; merged?: boolean; draft?: boolean; labels?: string[]; created_at?: string; closed_at?: string | null;
  }): PullRecord {
    const r = this.repo(repo);
    const number = p.number ?? Math.max(0, ...r.pulls.keys(), ...r.comments.map((c) => c.issue_number)) + 1;
    // A fork's branch lives in the fork; its commits are readable in the base too (GitHub's refs/pull/N/head).
    const fork = p.headRepo !== undefined && this.repo(p.headRepo) !== r ? this.repo(p.headRepo) : undefined;
    const headRepo = fork && `${fork.owner}/${fork.name}`;
    if (headRepo) {
      this.setBranch(headRepo, p.head, p.sha);
      if (!r.commits.has(p.sha)) this.addCommit(repo, { sha: p.sha, message: `Commit ${p.sha.slice(0, 7)}` });
    } else {
      this.setBranch(repo, p.head, p.sha);
    }
    const created = p.created_at ?? nowIso();
    const merged = p.merged ?? false;
    const state = p.state ?? (merged ? "closed" : "open");
    const closed = state === "closed" ? (p.closed_at ?? created) : null;
    const rec: PullRecord = {
      number, id: this.nextId("pull"), title: p.title, body: p.body ?? null, user: p.user ?? "octocat",
      head: p.head, ...(headRepo ? { headRepo } : {}), sha: p.sha, base: p.base ?? r.default_branch, state, merged, draft: p.draft ?? false,
      labels: p.labels ?? [], created_at: created, updated_at: closed ?? created, closed_at: closed,
      merged_at: merged ? closed : null, merge_commit_sha: merged ? fakeSha("merge", repo, number) : null,
    };
    this.user(rec.user);
    r.pulls.set(number, rec);
    return rec;
  }

  /**
   * The PRs whose commits include `sha`: reachable from the PR's head but not from its base branch. A merged PR
   * whose head is already on its base has no such commits left, so it is taken to hold its head commit and its
   * merge commit only (GitHub associates a merge commit with the PR it merged).
   */
  pullsContaining(repo: string | RepoRecord, sha: string): PullRecord[] {
    const r = typeof repo === "string" ? this.repo(repo) : repo;
    return [...r.pulls.values()].filter((p) => {
      const base = r.branches.get(p.base);
      const onBase = base !== undefined && this.isAncestor(r, sha, base);
      // On its base: a merged PR's head commit, or the merge commit GitHub made of it.
      if (onBase) return p.merged && (p.sha === sha || p.merge_commit_sha === sha);
      return this.isAncestor(r, sha, p.sha);
    });
  }

  pull(repo: string, number: number): PullRecord {
    const p = this.repo(repo).pulls.get(number);
    if (!p) throw new StoreError(`unknown pull request ${repo}#${number}`);
    return p;
  }

  setPullState(repo: string, number: number, state: "open" | "closed", merged = false): PullRecord {
    const p = this.pull(repo, number);
    const t = nowIso();
    p.state = state;
    p.merged = state === "closed" && merged;
    p.closed_at = state === "closed" ? t : null;
    p.merged_at = p.merged ? t : null;
    p.merge_commit_sha = p.merged ? fakeSha("merge", repo, number) : null;
    p.updated_at = t;
    return p;
  }

  /** Move a PR's head (and its branch) to a new sha, as a push would. */
  setPullHead(repo: string, number: number, sha: string): PullRecord {
    const p = this.pull(repo, number);
    this.setBranch(repo, p.head, sha);
    p.sha = sha;
    p.updated_at = nowIso();
    return p;
  }

  // ---- statuses and checks ---------------------------------------------------------------------

  setStatus(repo: string, sha: string, context: string, state: CommitState,
    opts: { description?: string | null; target_url?: string | null; creator?: string } = {}): StatusRecord {
    const r = this.repo(repo);
    const t = nowIso();
    const rec: StatusRecord = {
      id: this.nextId("status"), sha, context, state, description: opts.description ?? null,
      target_url: opts.target_url ?? null, creator: opts.creator ?? SANDBOX_CI_LOGIN, created_at: t, updated_at: t,
    };
    this.user(rec.creator);
    r.statuses.push(rec);
    return rec;
  }

  /** Statuses for a sha, newest first. */
  statusesFor(repo: string | RepoRecord, sha: string): StatusRecord[] {
    const r = typeof repo === "string" ? this.repo(repo) : repo;
    return r.statuses.filter((s) => s.sha === sha).reverse();
  }

  /** The newest status per context, ordered like GitHub's combined status (newest first). */
  latestStatuses(repo: string | RepoRecord, sha: string): StatusRecord[] {
    const seen = new Set<string>();
    return this.statusesFor(repo, sha).filter((s) => (seen.has(s.context) ? false : (seen.add(s.context), true)));
  }

  combinedState(repo: string | RepoRecord, sha: string): CommitState {
    const latest = this.latestStatuses(repo, sha);
    if (latest.some((s) => s.state === "error" || s.state === "failure")) return "failure";
    if (latest.length === 0 || latest.some((s) => s.state === "pending")) return "pending";
    return "success";
  }

  addCheckRun(repo: string, sha: string, name: string, status: CheckStatus, conclusion: CheckConclusion = null,
    opts: { details_url?: string | null; app?: string } = {}): CheckRunRecord {
    const r = this.repo(repo);
    const t = nowIso();
    const rec: CheckRunRecord = {
      id: this.nextId("check"), app: opts.app ?? "github-actions", head_sha: sha, name, status,
      conclusion: status === "completed" ? (conclusion ?? "success") : null,
      details_url: opts.details_url ?? null, started_at: t, completed_at: status === "completed" ? t : null,
    };
    r.checkRuns.push(rec);
    return rec;
  }

  checkRunsFor(repo: string | RepoRecord, sha: string): CheckRunRecord[] {
    const r = typeof repo === "string" ? this.repo(repo) : repo;
    return r.checkRuns.filter((c) => c.head_sha === sha).reverse();
  }

  // ---- deployments and comments (mostly written through the API; read here for assertions) -----

  deployments(repo: string): DeploymentRecord[] {
    return [...this.repo(repo).deployments];
  }

  deployment(repo: string, id: number): DeploymentRecord | undefined {
    return this.repo(repo).deployments.find((d) => d.id === id);
  }

  /** A deployment's statuses, oldest first. */
  deploymentStatuses(repo: string, id: number): DeploymentStatusRecord[] {
    return this.repo(repo).deploymentStatuses.filter((s) => s.deployment_id === id);
  }

  /** The latest status state of a deployment, or undefined when it has none. */
  deploymentState(repo: string, id: number): DeploymentState | undefined {
    return this.deploymentStatuses(repo, id).at(-1)?.state;
  }

  issueComments(repo: string, number: number): CommentRecord[] {
    return this.repo(repo).comments.filter((c) => c.issue_number === number);
  }

  /** Does the issue (or pull request) exist? Every PR is an issue; comments create nothing. */
  hasIssue(repo: string | RepoRecord, number: number): boolean {
    const r = typeof repo === "string" ? this.repo(repo) : repo;
    return r.pulls.has(number);
  }

  // ---- files -----------------------------------------------------------------------------------

  /** Override a file's content for one commit sha, or for every commit with "*". */
  setFile(repo: string, sha: string, path: string, content: string): void {
    this.overrides(repo, sha).set(normalizePath(path), content);
  }

  /** Remove a file from one commit sha, or from every commit with "*". */
  removeFile(repo: string, sha: string, path: string): void {
    this.overrides(repo, sha).set(normalizePath(path), null);
  }

  private overrides(repo: string, sha: string): Map<string, string | null> {
    const r = this.repo(repo);
    let m = r.fileOverrides.get(sha);
    if (!m) r.fileOverrides.set(sha, (m = new Map()));
    return m;
  }

  /** All files of a commit: base files, then "*" overrides, then the sha's own. */
  filesAt(repo: string | RepoRecord, sha: string): Map<string, string> {
    const r = typeof repo === "string" ? this.repo(repo) : repo;
    const out = new Map(r.baseFiles);
    for (const layer of [r.fileOverrides.get("*"), r.fileOverrides.get(sha)]) {
      for (const [p, c] of layer ?? []) {
        if (c === null) out.delete(p);
        else out.set(p, c);
      }
    }
    return out;
  }
}

export function splitRepo(fullName: string): [string, string] {
  const m = /^([^/]+)\/([^/]+)$/.exec(fullName);
  if (!m) throw new StoreError(`repository must be "owner/name": ${fullName}`);
  return [m[1]!, m[2]!];
}

export function normalizePath(p: string): string {
  return p.split("/").filter((s) => s !== "" && s !== ".").join("/");
}
