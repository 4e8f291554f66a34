// The repository itself, its branches and its git refs.
import type { RepoRecord } from "../store.js";
import { branchJson, gitRefJson } from "../render/branches.js";
import { fullRepo } from "../render/repos.js";
import { repoUrl } from "../render/shared.js";
import { notFound } from "./errors.js";
import { listReply } from "./pagination.js";
import { repoOf } from "./request.js";
import { type Handler, type Route, REPO, route } from "./route.js";

const getRepo: Handler = (ctx, _req, p) => ({ status: 200, body: fullRepo(ctx, repoOf(ctx, p)) });

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

export const repoRoutes: Route[] = [
  route("GET", REPO, getRepo),
  route("GET", `${REPO}/branches`, listBranches),
  route("GET", `${REPO}/branches/*branch`, getBranch),
  route("GET", `${REPO}/git/ref/*ref`, getGitRef),
  route("GET", `${REPO}/git/matching-refs/*ref`, matchingRefs),
];
