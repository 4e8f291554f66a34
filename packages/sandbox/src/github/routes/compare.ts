// Comparing two commits (GET /compare/{base}...{head}): how far head is ahead of and behind base.
import { compareJson } from "../render/commits.js";
import { notFound } from "./errors.js";
import { repoOf } from "./request.js";
import { type Handler, type Route, REPO, route } from "./route.js";

const compare: Handler = (ctx, _req, p) => {
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
  return { status: 200, body: compareJson(ctx, r, { base: base.sha, head: head.sha, mergeBase, status, ahead, behindBy, basehead: p.basehead! }) };
};

export const compareRoutes: Route[] = [route("GET", `${REPO}/compare/*basehead`, compare)];
