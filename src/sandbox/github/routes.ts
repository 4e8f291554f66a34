// The GitHub REST endpoints the sandbox serves. Handlers get a parsed request and return a reply;
// errors are thrown as HttpError and rendered like GitHub's.
import {
  type CommitState, type DeploymentRecord, type DeploymentState, type GithubStore, type RepoRecord,
  fakeSha, gitBlobSha, normalizePath, nowIso,
} from "./store.js";
import { checkRunJson, combinedStatusJson, commitJson, statusJson } from "./render/commits.js";
import { deploymentJson, deploymentStatusJson } from "./render/deployments.js";
import { commentJson } from "./render/issues.js";
import { pullJson } from "./render/pulls.js";
import { fullRepo } from "./render/repos.js";
import { type RenderCtx, nodeId, repoUrl } from "./render/shared.js";
import { privateUser } from "./render/users.js";

export const DOCS = "https://docs.github.com/rest";

export interface ApiRequest {
  method: string;
  pathname: string; // raw, as received
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  login: string; // the authenticated user
}

export interface ApiReply {
  status: number;
  body?: unknown; // JSON unless `raw` is set
  raw?: string;
  contentType?: string;
  headers?: Record<string, string>;
}

export class HttpError extends Error {
  constructor(readonly status: number, readonly body: Record<string, unknown>) {
    super(String(body.message));
  }
}

const err = (status: number, message: string, extra: Record<string, unknown> = {}): HttpError =>
  new HttpError(status, { message, documentation_url: DOCS, status: String(status), ...extra });
export const notFound = (message = "Not Found"): HttpError => err(404, message);
const unprocessable = (message: string, errors?: Array<Record<string, unknown>>): HttpError =>
  err(422, message, errors ? { errors } : {});

export interface RouteCtx extends RenderCtx {
  store: GithubStore;
}

type Params = Record<string, string>;
type Handler = (ctx: RouteCtx, req: ApiRequest, p: Params) => ApiReply;

interface Route { method: string; re: RegExp; keys: string[]; handler: Handler }

/** Template "/repos/:owner/:repo/branches/*branch": ":x" is one segment, "*x" the rest (may hold "/", may be empty). */
function route(method: string, template: string, handler: Handler): Route {
  const keys: string[] = [];
  const src = template.split("/").map((seg) => {
    if (seg.startsWith(":")) { keys.push(seg.slice(1)); return "([^/]+)"; }
    if (seg.startsWith("*")) { keys.push(seg.slice(1)); return "?(.*)"; }
    return seg.replace(/[.*+?^${}()|[\]\\-]/g, "\\$&");
  }).join("/");
  return { method, re: new RegExp(`^${src}/?$`), keys, handler };
}

// ---- helpers --------------------------------------------------------------------------------------

function repoOf(ctx: RouteCtx, p: Params): RepoRecord {
  const r = ctx.store.findRepo(p.owner!, p.repo!);
  if (!r) throw notFound();
  return r;
}

function resolveOr(ctx: RouteCtx, r: RepoRecord, ref: string, make: () => HttpError): { sha: string; branch?: string } {
  const res = ctx.store.resolve(r, ref);
  if (!res.ok) throw make();
  return res;
}

const noCommit = (ref: string) => () => unprocessable(`No commit found for SHA: ${ref}`);

function intParam(q: URLSearchParams, name: string, def: number, min: number, max: number): number {
  const v = q.get(name);
  if (v === null || v === "") return def;
  const n = Number(v);
  if (!Number.isInteger(n)) return def;
  return Math.min(max, Math.max(min, n));
}

/** Slices a list by per_page/page and adds GitHub's Link header. */
function paginate<T>(ctx: RouteCtx, req: ApiRequest, items: T[]): { page: T[]; headers: Record<string, string> } {
  const perPage = intParam(req.query, "per_page", 30, 1, 100);
  const page = intParam(req.query, "page", 1, 1, Number.MAX_SAFE_INTEGER);
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const link = (n: number, rel: string): string => {
    const q = new URLSearchParams(req.query);
    q.set("per_page", String(perPage));
    q.set("page", String(n));
    return `<${ctx.api}${req.pathname}?${q.toString()}>; rel="${rel}"`;
  };
  const links: string[] = [];
  if (page > 1) links.push(link(Math.min(page - 1, last), "prev"));
  if (page < last) links.push(link(page + 1, "next"));
  if (page < last) links.push(link(last, "last"));
  if (page > 1) links.push(link(1, "first"));
  return { page: items.slice((page - 1) * perPage, page * perPage), headers: links.length ? { link: links.join(", ") } : {} };
}

function listReply<T>(ctx: RouteCtx, req: ApiRequest, items: T[], render: (t: T) => unknown): ApiReply {
  const { page, headers } = paginate(ctx, req, items);
  return { status: 200, body: page.map(render), headers };
}

function bodyObject(req: ApiRequest): Record<string, unknown> {
  if (req.body === undefined || req.body === null) return {};
  if (typeof req.body !== "object" || Array.isArray(req.body)) {
    throw err(400, "Problems parsing JSON");
  }
  return req.body as Record<string, unknown>;
}

function optString(b: Record<string, unknown>, key: string, resource: string): string | undefined {
  const v = b[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") {
    throw unprocessable(`Invalid request.\n\nFor '${key}', ${JSON.stringify(v)} is not a string.`, [{ resource, code: "invalid", field: key }]);
  }
  return v;
}

function optBool(b: Record<string, unknown>, key: string, resource: string): boolean | undefined {
  const v = b[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "boolean") {
    throw unprocessable(`Invalid request.\n\nFor '${key}', ${JSON.stringify(v)} is not a boolean.`, [{ resource, code: "invalid", field: key }]);
  }
  return v;
}

const encodePath = (p: string): string => p.split("/").map(encodeURIComponent).join("/");

// ---- repository, pulls ----------------------------------------------------------------------------

const getRepo: Handler = (ctx, _req, p) => ({ status: 200, body: fullRepo(ctx, repoOf(ctx, p)) });

const getPull: Handler = (ctx, _req, p) => {
  const r = repoOf(ctx, p);
  const pr = r.pulls.get(Number(p.number));
  if (!pr) throw notFound();
  return { status: 200, body: pullJson(ctx, r, pr, true) };
};

const listPulls: Handler = (ctx, req, p) => {
  const r = repoOf(ctx, p);
  const q = req.query;
  const state = q.get("state") ?? "open";
  if (!["open", "closed", "all"].includes(state)) {
    throw unprocessable("Validation Failed", [{ resource: "PullRequest", field: "state", code: "invalid", value: state }]);
  }
  let pulls = [...r.pulls.values()].filter((x) => state === "all" || x.state === state);
  const head = q.get("head");
  if (head) {
    const [owner, ref] = head.includes(":") ? head.split(/:(.*)/s) as [string, string] : [r.owner, head];
    pulls = owner.toLowerCase() === r.owner.toLowerCase() ? pulls.filter((x) => x.head === ref) : [];
  }
  const base = q.get("base");
  if (base) pulls = pulls.filter((x) => x.base === base);
  const sort = q.get("sort") ?? "created";
  const direction = q.get("direction") ?? (sort === "created" ? "desc" : "asc");
  const key = (x: typeof pulls[number]): string =>
    sort === "updated" ? x.updated_at : sort === "long-running" ? x.created_at : x.created_at;
  pulls.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : a.number - b.number));
  if (direction === "desc") pulls.reverse();
  return listReply(ctx, req, pulls, (x) => pullJson(ctx, r, x, false));
};

// ---- branches, refs, commits ----------------------------------------------------------------------

function branchJson(ctx: RouteCtx, r: RepoRecord, name: string, sha: string): Record<string, unknown> {
  const url = repoUrl(ctx, r);
  const c = r.commits.get(sha)!;
  return {
    name,
    commit: commitJson(ctx, r, c, false),
    _links: { self: `${url}/branches/${encodeURIComponent(name)}`, html: `${ctx.html}/${r.owner}/${r.name}/tree/${name}` },
    protected: false,
    protection: { enabled: false, required_status_checks: { enforcement_level: "off", contexts: [], checks: [] } },
    protection_url: `${url}/branches/${encodeURIComponent(name)}/protection`,
  };
}

const getBranch: Handler = (ctx, _req, p) => {
  const r = repoOf(ctx, p);
  const sha = r.branches.get(p.branch!);
  if (!sha) throw notFound("Branch not found");
  return { status: 200, body: branchJson(ctx, r, p.branch!, sha) };
};

const listBranches: Handler = (ctx, req, p) => {
  const r = repoOf(ctx, p);
  const prot = req.query.get("protected");
  const names = [...r.branches.keys()].sort().filter(() => prot !== "true");
  return listReply(ctx, req, names, (name) => ({
    name,
    commit: { sha: r.branches.get(name)!, url: `${repoUrl(ctx, r)}/commits/${r.branches.get(name)!}` },
    protected: false,
  }));
};

function gitRefJson(ctx: RouteCtx, r: RepoRecord, ref: string, sha: string): Record<string, unknown> {
  const url = repoUrl(ctx, r);
  return {
    ref: `refs/${ref}`,
    node_id: nodeId("Ref", `${r.id}:${ref}`),
    url: `${url}/git/refs/${encodePath(ref)}`,
    object: { sha, type: "commit", url: `${url}/git/commits/${sha}` },
  };
}

function allRefs(r: RepoRecord): Array<[string, string]> {
  return [...r.branches.entries()].map(([b, sha]) => [`heads/${b}`, sha] as [string, string]).sort((a, b) => (a[0] < b[0] ? -1 : 1));
}

const getGitRef: Handler = (ctx, _req, p) => {
  const r = repoOf(ctx, p);
  const ref = p.ref!.replace(/^refs\//, "");
  const hit = allRefs(r).find(([name]) => name === ref);
  if (!hit) throw notFound();
  return { status: 200, body: gitRefJson(ctx, r, hit[0], hit[1]) };
};

const matchingRefs: Handler = (ctx, _req, p) => {
  const r = repoOf(ctx, p);
  const prefix = (p.ref ?? "").replace(/^refs\//, "");
  return { status: 200, body: allRefs(r).filter(([name]) => name.startsWith(prefix)).map(([n, s]) => gitRefJson(ctx, r, n, s)) };
};

const getCommit: Handler = (ctx, _req, p) => {
  const r = repoOf(ctx, p);
  const { sha } = resolveOr(ctx, r, p.ref!, noCommit(p.ref!));
  return { status: 200, body: commitJson(ctx, r, r.commits.get(sha)!) };
};

// ---- commit statuses and check runs ---------------------------------------------------------------

const combinedStatus: Handler = (ctx, _req, p) => {
  const r = repoOf(ctx, p);
  const { sha } = resolveOr(ctx, r, p.ref!, () => notFound(`No commit found for SHA: ${p.ref}`));
  return { status: 200, body: combinedStatusJson(ctx, r, sha) };
};

const listStatuses: Handler = (ctx, req, p) => {
  const r = repoOf(ctx, p);
  const { sha } = resolveOr(ctx, r, p.ref!, () => notFound(`No commit found for SHA: ${p.ref}`));
  return listReply(ctx, req, ctx.store.statusesFor(r, sha), (s) => statusJson(ctx, r, s));
};

const COMMIT_STATES = ["error", "failure", "pending", "success"];

const createStatus: Handler = (ctx, req, p) => {
  const r = repoOf(ctx, p);
  const b = bodyObject(req);
  const state = b.state;
  if (typeof state !== "string" || !COMMIT_STATES.includes(state)) {
    throw unprocessable("Validation Failed", [{ resource: "Status", field: "state", code: state === undefined ? "missing_field" : "invalid" }]);
  }
  const { sha } = resolveOr(ctx, r, p.sha!, noCommit(p.sha!));
  const rec = ctx.store.setStatus(`${r.owner}/${r.name}`, sha, optString(b, "context", "Status") ?? "default", state as CommitState, {
    description: optString(b, "description", "Status") ?? null,
    target_url: optString(b, "target_url", "Status") ?? null,
    creator: req.login,
  });
  return { status: 201, body: statusJson(ctx, r, rec) };
};

const listCheckRuns: Handler = (ctx, req, p) => {
  const r = repoOf(ctx, p);
  const { sha } = resolveOr(ctx, r, p.ref!, () => notFound(`No commit found for SHA: ${p.ref}`));
  let runs = ctx.store.checkRunsFor(r, sha);
  if ((req.query.get("filter") ?? "latest") === "latest") {
    const seen = new Set<string>();
    runs = runs.filter((c) => (seen.has(c.name) ? false : (seen.add(c.name), true)));
  }
  const name = req.query.get("check_name");
  if (name) runs = runs.filter((c) => c.name === name);
  const status = req.query.get("status");
  if (status) runs = runs.filter((c) => c.status === status);
  const { page, headers } = paginate(ctx, req, runs);
  return { status: 200, body: { total_count: runs.length, check_runs: page.map((c) => checkRunJson(ctx, r, c)) }, headers };
};

// ---- deployments ----------------------------------------------------------------------------------

/** The state of each status context and check run on a commit, as deployments' required_contexts see it. */
function contextStates(ctx: RouteCtx, r: RepoRecord, sha: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const s of ctx.store.latestStatuses(r, sha)) out.set(s.context, s.state);
  const seen = new Set<string>();
  for (const c of ctx.store.checkRunsFor(r, sha)) {
    if (seen.has(c.name)) continue;
    seen.add(c.name);
    const state = c.status !== "completed" ? "pending"
      : ["success", "neutral", "skipped"].includes(c.conclusion ?? "") ? "success" : "failure";
    if (!out.has(c.name)) out.set(c.name, state);
  }
  return out;
}

const createDeployment: Handler = (ctx, req, p) => {
  const r = repoOf(ctx, p);
  const b = bodyObject(req);
  const R = "Deployment";
  const ref = optString(b, "ref", R);
  if (!ref) throw unprocessable(`Invalid request.\n\n"ref" wasn't supplied.`, [{ resource: R, code: "missing_field", field: "ref" }]);
  const rc = b.required_contexts;
  if (rc !== undefined && rc !== null && (!Array.isArray(rc) || rc.some((x) => typeof x !== "string"))) {
    throw unprocessable("Invalid request.\n\nFor 'required_contexts', the value is not an array of strings.", [{ resource: R, code: "invalid", field: "required_contexts" }]);
  }
  const task = optString(b, "task", R) ?? "deploy";
  const environment = optString(b, "environment", R) ?? "production";
  const description = optString(b, "description", R) ?? "";
  const autoMerge = optBool(b, "auto_merge", R) ?? true;
  const transient = optBool(b, "transient_environment", R) ?? false;
  const production = optBool(b, "production_environment", R) ?? environment === "production";
  let payload: DeploymentRecord["payload"] = {};
  if (typeof b.payload === "string") {
    try {
      const parsed: unknown = b.payload === "" ? {} : JSON.parse(b.payload);
      payload = parsed && typeof parsed === "object" && !Array.isArray(parsed) ? parsed as Record<string, unknown> : b.payload;
    } catch {
      payload = b.payload;
    }
  } else if (b.payload && typeof b.payload === "object" && !Array.isArray(b.payload)) {
    payload = b.payload as Record<string, unknown>;
  } else if (b.payload !== undefined && b.payload !== null) {
    throw unprocessable("Invalid request.\n\nFor 'payload', the value is not an object or a string.", [{ resource: R, code: "invalid", field: "payload" }]);
  }
  const res = ctx.store.resolve(r, ref);
  if (!res.ok) throw err(422, `No ref found for: ${ref}`, { errors: [{ resource: R, code: "invalid", field: "ref" }] });

  // auto_merge: a branch that is behind the default branch gets the default branch merged in (202, no deployment).
  const defaultSha = r.branches.get(r.default_branch);
  if (autoMerge && res.branch && res.branch !== r.default_branch && defaultSha && !ctx.store.isAncestor(r, defaultSha, res.sha)) {
    const mergeSha = fakeSha("auto-merge", r.owner, r.name, res.branch, res.sha, defaultSha);
    ctx.store.addCommit(`${r.owner}/${r.name}`, {
      sha: mergeSha, message: `Merge branch '${r.default_branch}' into ${res.branch}`, parents: [res.sha, defaultSha], author: req.login,
    });
    ctx.store.setBranch(`${r.owner}/${r.name}`, res.branch, mergeSha);
    for (const pr of r.pulls.values()) if (pr.head === res.branch && pr.state === "open") pr.sha = mergeSha;
    return { status: 202, body: { message: `Auto-merged ${r.default_branch} into ${res.branch} on deployment.` } };
  }

  const states = contextStates(ctx, r, res.sha);
  const required = (rc as string[] | undefined | null) ?? [...states.keys()];
  const failing = required.filter((c) => states.get(c) !== "success").map((c) => ({ context: c, state: states.get(c) ?? "missing" }));
  if (failing.length) {
    throw err(409, `Conflict: Commit status checks failed for ${ref}.`, {
      errors: [{ contexts: failing, resource: R, field: "required_contexts", code: "invalid" }],
    });
  }

  const t = nowIso();
  const d: DeploymentRecord = {
    id: ctx.store.nextId("deployment"), sha: res.sha, ref, task, environment, original_environment: environment, description,
    payload, transient_environment: transient, production_environment: production, creator: req.login, created_at: t, updated_at: t,
  };
  r.deployments.push(d);
  return { status: 201, body: deploymentJson(ctx, r, d) };
};

const listDeployments: Handler = (ctx, req, p) => {
  const r = repoOf(ctx, p);
  const q = req.query;
  let ds = [...r.deployments].reverse();
  for (const key of ["sha", "ref", "task", "environment"] as const) {
    const v = q.get(key);
    if (v !== null && v !== "" && v !== "none") ds = ds.filter((d) => d[key] === v);
  }
  return listReply(ctx, req, ds, (d) => deploymentJson(ctx, r, d));
};

function deploymentOf(ctx: RouteCtx, r: RepoRecord, p: Params): DeploymentRecord {
  const d = r.deployments.find((x) => x.id === Number(p.id));
  if (!d) throw notFound();
  return d;
}

const getDeployment: Handler = (ctx, _req, p) => {
  const r = repoOf(ctx, p);
  return { status: 200, body: deploymentJson(ctx, r, deploymentOf(ctx, r, p)) };
};

const deleteDeployment: Handler = (ctx, _req, p) => {
  const r = repoOf(ctx, p);
  const d = deploymentOf(ctx, r, p);
  const latest = r.deploymentStatuses.filter((s) => s.deployment_id === d.id).at(-1)?.state;
  if (r.deployments.length > 1 && latest !== "inactive") {
    throw err(422, "We cannot delete an active deployment unless it is the only deployment in a given environment.", {
      errors: ["Deployment is active: set an inactive status on it first."],
    });
  }
  r.deployments = r.deployments.filter((x) => x.id !== d.id);
  r.deploymentStatuses = r.deploymentStatuses.filter((s) => s.deployment_id !== d.id);
  return { status: 204 };
};

const DEPLOYMENT_STATES = ["error", "failure", "inactive", "in_progress", "queued", "pending", "success"];

const createDeploymentStatus: Handler = (ctx, req, p) => {
  const r = repoOf(ctx, p);
  const d = deploymentOf(ctx, r, p);
  const b = bodyObject(req);
  const R = "DeploymentStatus";
  const state = b.state;
  if (typeof state !== "string" || !DEPLOYMENT_STATES.includes(state)) {
    throw unprocessable("Validation Failed", [{
      resource: R, field: "state", code: state === undefined ? "missing_field" : "invalid",
      ...(state === undefined ? {} : { message: "state is not included in the list" }),
    }]);
  }
  const description = optString(b, "description", R) ?? "";
  if (description.length > 140) {
    throw unprocessable("Validation Failed", [{ resource: R, field: "description", code: "custom", message: "description is too long (maximum is 140 characters)" }]);
  }
  const logUrl = optString(b, "log_url", R) ?? optString(b, "target_url", R) ?? "";
  const environmentUrl = optString(b, "environment_url", R) ?? "";
  const autoInactive = optBool(b, "auto_inactive", R) ?? true;
  const environment = optString(b, "environment", R);
  if (environment) d.environment = environment;
  const t = nowIso();
  d.updated_at = t;
  const rec = {
    id: ctx.store.nextId("deploymentStatus"), deployment_id: d.id, state: state as DeploymentState, description,
    environment: d.environment, target_url: logUrl, log_url: logUrl, environment_url: environmentUrl,
    creator: req.login, created_at: t, updated_at: t,
  };
  r.deploymentStatuses.push(rec);
  if (state === "success" && autoInactive) {
    for (const other of r.deployments) {
      if (other.id >= d.id || other.environment !== d.environment || other.transient_environment) continue;
      const latest = r.deploymentStatuses.filter((s) => s.deployment_id === other.id).at(-1);
      if (latest?.state !== "success") continue;
      r.deploymentStatuses.push({
        ...latest, id: ctx.store.nextId("deploymentStatus"), state: "inactive", description: "", creator: req.login, created_at: t, updated_at: t,
      });
      other.updated_at = t;
    }
  }
  return { status: 201, body: deploymentStatusJson(ctx, r, rec) };
};

const listDeploymentStatuses: Handler = (ctx, req, p) => {
  const r = repoOf(ctx, p);
  const d = deploymentOf(ctx, r, p);
  const list = r.deploymentStatuses.filter((s) => s.deployment_id === d.id).reverse();
  return listReply(ctx, req, list, (s) => deploymentStatusJson(ctx, r, s));
};

// ---- issue comments -------------------------------------------------------------------------------

const listComments: Handler = (ctx, req, p) => {
  const r = repoOf(ctx, p);
  const n = Number(p.number);
  if (!ctx.store.hasIssue(r, n)) throw notFound();
  let list = r.comments.filter((c) => c.issue_number === n);
  const since = req.query.get("since");
  if (since) list = list.filter((c) => c.updated_at >= since);
  return listReply(ctx, req, list, (c) => commentJson(ctx, r, c));
};

const createComment: Handler = (ctx, req, p) => {
  const r = repoOf(ctx, p);
  const n = Number(p.number);
  if (!ctx.store.hasIssue(r, n)) throw notFound();
  const b = bodyObject(req);
  const body = optString(b, "body", "IssueComment");
  if (body === undefined || body === "") {
    throw unprocessable("Validation Failed", [{ resource: "IssueComment", code: "missing_field", field: "body" }]);
  }
  if (body.length > 65536) {
    throw unprocessable("Validation Failed", [{ resource: "IssueComment", code: "custom", field: "body", message: "body is too long (maximum is 65536 characters)" }]);
  }
  const t = nowIso();
  const c = { id: ctx.store.nextId("comment"), issue_number: n, body, user: req.login, created_at: t, updated_at: t };
  r.comments.push(c);
  return { status: 201, body: commentJson(ctx, r, c) };
};

// ---- contents -------------------------------------------------------------------------------------

function wrapBase64(s: string): string {
  const b64 = Buffer.from(s, "utf8").toString("base64");
  return (b64.match(/.{1,60}/g) ?? [""]).join("\n") + "\n";
}

export function rawUrl(ctx: RouteCtx, r: RepoRecord, sha: string, path: string): string {
  return `${ctx.api}/_raw/${r.owner}/${r.name}/${sha}/${encodePath(path)}`;
}

const getContents: Handler = (ctx, req, p) => {
  const r = repoOf(ctx, p);
  const path = normalizePath(p.path ?? "");
  const ref = req.query.get("ref") || r.default_branch;
  const res = ctx.store.resolve(r, ref);
  if (!res.ok) throw notFound(`No commit found for the ref ${ref}`);
  const files = ctx.store.filesAt(r, res.sha);
  const url = repoUrl(ctx, r);
  const html = `${ctx.html}/${r.owner}/${r.name}`;
  const q = `?ref=${encodeURIComponent(ref)}`;
  const entry = (type: "file" | "dir", entryPath: string, content?: string): Record<string, unknown> => {
    const name = entryPath.split("/").at(-1)!;
    const sha = type === "file" ? gitBlobSha(content!) : fakeSha("tree", res.sha, entryPath);
    const self = `${url}/contents/${encodePath(entryPath)}${q}`;
    const git = `${url}/git/${type === "file" ? "blobs" : "trees"}/${sha}`;
    const htmlUrl = `${html}/${type === "file" ? "blob" : "tree"}/${encodePath(ref)}/${encodePath(entryPath)}`;
    return {
      name, path: entryPath, sha, size: type === "file" ? Buffer.byteLength(content!, "utf8") : 0,
      url: self, html_url: htmlUrl, git_url: git,
      download_url: type === "file" ? rawUrl(ctx, r, res.sha, entryPath) : null,
      type, _links: { self, git, html: htmlUrl },
    };
  };
  const file = path ? files.get(path) : undefined;
  if (file !== undefined) {
    const accept = String(req.headers.accept ?? "");
    if (/\.raw\b|vnd\.github\.raw/.test(accept)) {
      return { status: 200, raw: file, contentType: "text/plain; charset=utf-8" };
    }
    return { status: 200, body: { ...entry("file", path, file), content: wrapBase64(file), encoding: "base64" } };
  }
  const prefix = path ? `${path}/` : "";
  const children = new Map<string, Record<string, unknown>>();
  for (const [fp, content] of files) {
    if (!fp.startsWith(prefix)) continue;
    const rest = fp.slice(prefix.length);
    const [first, ...more] = rest.split("/");
    const childPath = prefix + first!;
    if (children.has(childPath)) continue;
    children.set(childPath, more.length ? entry("dir", childPath) : entry("file", childPath, content));
  }
  if (children.size === 0) throw notFound();
  const list = [...children.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([, v]) => v);
  return { status: 200, body: list };
};

// ---- user, rate limit -----------------------------------------------------------------------------

const getUser: Handler = (ctx, req) => ({ status: 200, body: privateUser(ctx, ctx.store.user(req.login)) });

export interface RateState { limit: number; used: number; reset: number }

export function rateLimitBody(rate: RateState): Record<string, unknown> {
  const core = { limit: rate.limit, used: rate.used, remaining: Math.max(0, rate.limit - rate.used), reset: rate.reset };
  const other = (limit: number) => ({ limit, used: 0, remaining: limit, reset: rate.reset });
  return { resources: { core, search: other(30), graphql: other(5000), integration_manifest: other(5000), code_search: other(10) }, rate: core };
}

// ---- the table ------------------------------------------------------------------------------------

const R = "/repos/:owner/:repo";
export const routes: Route[] = [
  route("GET", "/user", getUser),
  route("GET", R, getRepo),
  route("GET", `${R}/pulls`, listPulls),
  route("GET", `${R}/pulls/:number`, getPull),
  route("GET", `${R}/branches`, listBranches),
  route("GET", `${R}/branches/*branch`, getBranch),
  route("GET", `${R}/git/ref/*ref`, getGitRef),
  route("GET", `${R}/git/matching-refs/*ref`, matchingRefs),
  route("GET", `${R}/commits/*ref/status`, combinedStatus),
  route("GET", `${R}/commits/*ref/statuses`, listStatuses),
  route("GET", `${R}/commits/*ref/check-runs`, listCheckRuns),
  route("GET", `${R}/commits/*ref`, getCommit),
  route("POST", `${R}/statuses/:sha`, createStatus),
  route("GET", `${R}/deployments`, listDeployments),
  route("POST", `${R}/deployments`, createDeployment),
  route("GET", `${R}/deployments/:id`, getDeployment),
  route("DELETE", `${R}/deployments/:id`, deleteDeployment),
  route("GET", `${R}/deployments/:id/statuses`, listDeploymentStatuses),
  route("POST", `${R}/deployments/:id/statuses`, createDeploymentStatus),
  route("GET", `${R}/issues/:number/comments`, listComments),
  route("POST", `${R}/issues/:number/comments`, createComment),
  route("GET", `${R}/contents`, getContents),
  route("GET", `${R}/contents/*path`, getContents),
];

/** Finds the handler for a request; 404 for unknown paths, 404 (like GitHub) for known paths with other methods. */
export function dispatch(ctx: RouteCtx, req: ApiRequest): ApiReply {
  for (const rt of routes) {
    if (rt.method !== req.method) continue;
    const m = rt.re.exec(req.pathname);
    if (!m) continue;
    const params: Params = {};
    try {
      rt.keys.forEach((k, i) => { params[k] = decodeURIComponent(m[i + 1] ?? ""); });
    } catch {
      throw notFound();
    }
    return rt.handler(ctx, req, params);
  }
  throw notFound();
}
