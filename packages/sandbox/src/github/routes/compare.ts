// Comparing two commits (GET /compare/{base}...{head}): how far head is ahead of and behind base.
import { commitJson, compareJson } from "../render/commits.js";
import { paginate } from "./pagination.js";
import { notFound } from "./errors.js";
import { repoOf } from "./request.js";
import { type Handler, type Route, REPO, route } from "./route.js";

const compare: Handler = (ctx, req, p) => {
  const r = repoOf(ctx, p);
  const parts = p.basehead!.split("...");
  if (parts.length !== 2) throw notFound();
  const [base, head] = parts.map((ref) => ctx.store.resolve(r, ref!));
  if (!base?.ok || !head?.ok) throw notFound();
  const fromBase = ctx.store.ancestors(r, base.sha);
  const fromHead = ctx.store.ancestors(r, head.sha);
  const common = [...fromHead].filter((s) => fromBase.has(s));
  // The merge base is the common ancestor with the longest history (the nearest one, as git merge-base picks).
  const depth = (s: string): number => ctx.store.ancestors(r, s).size;
  const mergeBase = common.sort((a, b) => depth(b) - depth(a))[0];
  if (!mergeBase) throw notFound();
  const ahead = [...fromHead].filter((s) => !fromBase.has(s)).sort((a, b) => depth(a) - depth(b));
  const behindBy = [...fromBase].filter((s) => !fromHead.has(s)).length;
  const status = ahead.length === 0 && behindBy === 0 ? "identical" : behindBy === 0 ? "ahead" : ahead.length === 0 ? "behind" : "diverged";
  const body = compareJson(ctx, r, { base: base.sha, head: head.sha, mergeBase, status, ahead, behindBy, basehead: p.basehead! });
  // As GitHub: without per_page or page the first 250 commits (oldest first); with either, pages of them and a Link
  // header, ahead_by, behind_by and total_commits counting them all on every page.
  if (!req.query.has("per_page") && !req.query.has("page")) return { status: 200, body };
  const { page, headers } = paginate(ctx, req, ahead);
  return { status: 200, body: { ...(body as Record<string, unknown>), commits: page.map((sha) => commitJson(ctx, r, r.commits.get(sha)!, false)) }, headers };
};

export const compareRoutes: Route[] = [route("GET", `${REPO}/compare/*basehead`, compare)];
