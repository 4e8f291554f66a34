// Commits and what CI reports on them: commit statuses, the combined status, check runs; the PRs that hold a commit.
import type { CommitState } from "../store.js";
import { checkRunJson, combinedStatusJson, commitJson, statusJson } from "../render/commits.js";
import { pullJson } from "../render/pulls.js";
import { notFound, unprocessable } from "./errors.js";
import { listReply, paginate } from "./pagination.js";
import { statusPayload } from "../webhooks/events.js";
import { bodyObject, noCommit, optString, repoOf, resolveOr } from "./request.js";
import { type Handler, type Route, REPO, route } from "./route.js";

const getCommit: Handler = (ctx, _req, p) => {
  const r = repoOf(ctx, p);
  const { sha } = resolveOr(ctx, r, p.ref!, noCommit(p.ref!));
  return { status: 200, body: commitJson(ctx, r, r.commits.get(sha)!) };
};

// GitHub: the merged PR that brought a commit onto the default branch; for a commit not on it, the open and merged
// PRs that contain it. PRs closed without being merged are not listed.
const pullsForCommit: Handler = (ctx, req, p) => {
  const r = repoOf(ctx, p);
  const { sha } = resolveOr(ctx, r, p.ref!, noCommit(p.ref!));
  const defaultTip = r.branches.get(r.default_branch);
  const onDefault = defaultTip !== undefined && ctx.store.isAncestor(r, sha, defaultTip);
  const pulls = ctx.store.pullsContaining(r, sha)
    .filter((x) => x.merged || (!onDefault && x.state === "open"))
    .sort((a, b) => b.number - a.number);
  return listReply(ctx, req, pulls, (x) => pullJson(ctx, r, x, false));
};

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
  ctx.events?.deliver("status", statusPayload(ctx, r, rec, req.login));
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

// The more specific commits/*ref/... templates come before commits/*ref, which would swallow them.
export const commitRoutes: Route[] = [
  route("GET", `${REPO}/commits/*ref/status`, combinedStatus),
  route("GET", `${REPO}/commits/*ref/statuses`, listStatuses),
  route("GET", `${REPO}/commits/*ref/check-runs`, listCheckRuns),
  route("GET", `${REPO}/commits/*ref/pulls`, pullsForCommit),
  route("GET", `${REPO}/commits/*ref`, getCommit),
  route("POST", `${REPO}/statuses/:sha`, createStatus),
];
