// Pull requests: one, and the filtered, sorted list.
import { pullJson } from "../render/pulls.js";
import { notFound, unprocessable } from "./errors.js";
import { listReply } from "./pagination.js";
import { repoOf } from "./request.js";
import { type Handler, type Route, REPO, route } from "./route.js";

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

export const pullRoutes: Route[] = [
  route("GET", `${REPO}/pulls`, listPulls),
  route("GET", `${REPO}/pulls/:number`, getPull),
];
