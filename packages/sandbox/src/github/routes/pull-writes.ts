// Opening, editing, closing, reopening and merging pull requests; each is a pull_request delivery (a merge also
// pushes its base branch).
import { nowIso } from "../store.js";
import { pullJson } from "../render/pulls.js";
import { announcePush, pullRequestPayload } from "../webhooks/events.js";
import { mergeInto } from "../writes.js";
import { apiError, notFound, unprocessable } from "./errors.js";
import { bodyObject, optBool, optString, repoOf } from "./request.js";
import { type Handler, type Route, REPO, route } from "./route.js";

const MAX_TITLE = 256;

const createPull: Handler = (ctx, req, p) => {
  const r = repoOf(ctx, p);
  const b = bodyObject(req);
  const title = optString(b, "title", "PullRequest");
  const rawHead = optString(b, "head", "PullRequest");
  const base = optString(b, "base", "PullRequest");
  const body = optString(b, "body", "PullRequest") ?? null;
  const draft = optBool(b, "draft", "PullRequest") ?? false;
  const missing = (["head", "base", "title"] as const).filter((f) => ({ head: rawHead, base, title })[f] === undefined);
  if (missing.length) throw unprocessable("Validation Failed", missing.map((field) => ({ resource: "PullRequest", code: "missing_field", field })));
  // head may be "owner:branch"; forks are not modelled, so the owner must be the repository's.
  const [owner, head] = rawHead!.includes(":") ? (rawHead!.split(/:(.*)/s) as [string, string]) : [r.owner, rawHead!];
  const invalid = (field: string) => unprocessable("Validation Failed", [{ resource: "PullRequest", code: "invalid", field }]);
  if (owner.toLowerCase() !== r.owner.toLowerCase() || !r.branches.has(head)) throw invalid("head");
  if (!r.branches.has(base!)) throw invalid("base");
  if (title!.length > MAX_TITLE) throw unprocessable("Validation Failed", [{ resource: "PullRequest", code: "custom", field: "title", message: `title is too long (maximum is ${MAX_TITLE} characters)` }]);
  const headSha = r.branches.get(head)!;
  if (ctx.store.isAncestor(r, headSha, r.branches.get(base!)!)) {
    throw unprocessable("Validation Failed", [{ resource: "PullRequest", code: "custom", message: `No commits between ${base} and ${head}` }]);
  }
  if ([...r.pulls.values()].some((x) => x.state === "open" && x.head === head && x.base === base)) {
    throw unprocessable("Validation Failed", [{ resource: "PullRequest", code: "custom", message: `A pull request already exists for ${r.owner}:${head}.` }]);
  }
  const pr = ctx.store.addPull(`${r.owner}/${r.name}`, { title: title!, body, user: req.login, head, sha: headSha, base: base!, draft });
  ctx.events?.deliver("pull_request", pullRequestPayload(ctx, r, pr, "opened", req.login));
  return { status: 201, body: pullJson(ctx, r, pr, true) };
};

const updatePull: Handler = (ctx, req, p) => {
  const r = repoOf(ctx, p);
  const pr = r.pulls.get(Number(p.number));
  if (!pr) throw notFound();
  const b = bodyObject(req);
  const state = optString(b, "state", "PullRequest");
  const title = optString(b, "title", "PullRequest");
  const body = optString(b, "body", "PullRequest");
  if (state !== undefined && state !== "open" && state !== "closed") throw unprocessable("Validation Failed", [{ resource: "PullRequest", code: "invalid", field: "state" }]);
  if (title !== undefined && (title === "" || title.length > MAX_TITLE)) throw unprocessable("Validation Failed", [{ resource: "PullRequest", code: "invalid", field: "title" }]);
  if (state === "open" && pr.merged) throw unprocessable("Validation Failed", [{ resource: "PullRequest", code: "custom", field: "state", message: "state cannot be changed. The pull request cannot be reopened." }]);
  const edited = (title !== undefined && title !== pr.title) || (body !== undefined && body !== pr.body);
  if (title !== undefined) pr.title = title;
  if (body !== undefined) pr.body = body;
  if (edited) {
    pr.updated_at = nowIso();
    ctx.events?.deliver("pull_request", pullRequestPayload(ctx, r, pr, "edited", req.login));
  }
  if (state !== undefined && state !== pr.state) {
    if (state === "open") {
      // A reopened PR's head is its branch's tip again.
      pr.sha = r.branches.get(pr.head) ?? pr.sha;
    }
    ctx.store.setPullState(`${r.owner}/${r.name}`, pr.number, state);
    ctx.events?.deliver("pull_request", pullRequestPayload(ctx, r, pr, state === "closed" ? "closed" : "reopened", req.login));
  }
  return { status: 200, body: pullJson(ctx, r, pr, true) };
};

const MERGE_METHODS = ["merge", "squash", "rebase"];

const mergePull: Handler = (ctx, req, p) => {
  const r = repoOf(ctx, p);
  const pr = r.pulls.get(Number(p.number));
  if (!pr) throw notFound();
  const b = bodyObject(req);
  const method = optString(b, "merge_method", "PullRequest") ?? "merge";
  if (!MERGE_METHODS.includes(method)) throw unprocessable("Validation Failed", [{ resource: "PullRequest", code: "invalid", field: "merge_method" }]);
  if (method === "rebase") throw apiError(405, "Rebase merges are not allowed on this repository.");
  if (pr.state !== "open") throw apiError(405, "Pull Request is not mergeable");
  const sha = optString(b, "sha", "PullRequest");
  if (sha !== undefined && sha !== pr.sha) throw apiError(409, "Head branch was modified. Review and try the merge again.");
  const title = optString(b, "commit_title", "PullRequest") ?? (method === "squash" ? `${pr.title} (#${pr.number})` : `Merge pull request #${pr.number} from ${r.owner}/${pr.head}`);
  const before = r.branches.get(pr.base)!;
  const commit = mergeInto(ctx.store, r, { base: pr.base, head: pr.sha, message: title, author: req.login });
  ctx.store.setPullState(`${r.owner}/${r.name}`, pr.number, "closed", true);
  pr.merge_commit_sha = commit.sha;
  pr.merged_by = req.login;
  announcePush(ctx, r, { branch: pr.base, before, after: commit.sha, commits: [commit], sender: req.login });
  ctx.events?.deliver("pull_request", pullRequestPayload(ctx, r, pr, "closed", req.login));
  return { status: 200, body: { sha: commit.sha, merged: true, message: "Pull Request successfully merged" } };
};

export const pullWriteRoutes: Route[] = [
  route("POST", `${REPO}/pulls`, createPull),
  route("PATCH", `${REPO}/pulls/:number`, updatePull),
  route("PUT", `${REPO}/pulls/:number/merge`, mergePull),
];
