// Writing through the API as a person's tools do: a file on a branch (PUT contents, one commit) and a new branch
// (POST git/refs). Each is a push to the hooks.
import { type GithubStore, gitBlobSha, normalizePath } from "../store.js";
import { gitRefJson } from "../render/branches.js";
import { commitJson } from "../render/commits.js";
import { announcePush, ZERO_SHA } from "../webhooks/events.js";
import { commitFile } from "../writes.js";
import { contentEntry } from "./contents.js";
import { apiError, notFound, unprocessable } from "./errors.js";
import { bodyObject, optString, repoOf } from "./request.js";
import { type Handler, type Route, REPO, route } from "./route.js";

const BASE64 = /^[A-Za-z0-9+/\r\n]*={0,2}[\r\n]*$/;

const putContents: Handler = (ctx, req, p) => {
  const r = repoOf(ctx, p);
  const path = normalizePath(p.path ?? "");
  const b = bodyObject(req);
  const message = optString(b, "message", "Commit");
  const content = optString(b, "content", "Commit");
  const missing = [message === undefined && "message", content === undefined && "content"].filter(Boolean);
  if (missing.length) throw unprocessable(`Invalid request.\n\n${missing.map((m) => `"${m}" wasn't supplied.`).join("\n")}`);
  if (!BASE64.test(content!)) throw unprocessable("content is not valid Base64");
  if (!path || path.split("/").some((s) => s === "..")) throw unprocessable("path is invalid");
  const branch = optString(b, "branch", "Commit") ?? r.default_branch;
  const tip = r.branches.get(branch);
  if (!tip) throw notFound(`Branch ${branch} not found`);
  const existing = ctx.store.filesAt(r, tip).get(path);
  const sha = optString(b, "sha", "Commit");
  if (existing !== undefined && sha === undefined) throw unprocessable(`Invalid request.\n\n"sha" wasn't supplied.`);
  if (existing !== undefined && sha !== gitBlobSha(existing)) throw apiError(409, `${path} does not match ${sha}`);
  const text = Buffer.from(content!, "base64").toString("utf8");
  const commit = commitFile(ctx.store, r, { branch, path, content: text, message: message!, author: commitAuthor(ctx.store, b, req.login) });
  announcePush(ctx, r, {
    branch, before: tip, after: commit.sha, commits: [commit], sender: req.login,
    changes: new Map([[commit.sha, existing === undefined ? { added: [path], modified: [] } : { added: [], modified: [path] }]]),
  });
  const c = commitJson(ctx, r, commit, false);
  const inner = c.commit as Record<string, unknown>;
  return {
    status: existing === undefined ? 201 : 200,
    body: {
      content: contentEntry(ctx, r, commit.sha, branch, "file", path, text),
      commit: {
        sha: commit.sha, node_id: c.node_id, url: inner.url, html_url: c.html_url,
        author: inner.author, committer: inner.committer, message: commit.message, tree: inner.tree,
        parents: c.parents, verification: inner.verification,
      },
    },
  };
};

/**
 * PUT contents' optional `author` ({ name, email }): as on GitHub, the commit is then another person's, whoever pushes
 * it (git authorship is not checked). GitHub links the email to an account; the sandbox knows its users' emails and
 * the noreply form ([id+]login@users.noreply.github.com), and refuses an email it cannot link (GitHub would keep an
 * unlinked author).
 */
function commitAuthor(store: GithubStore, b: Record<string, unknown>, pusher: string): string {
  const a = b.author;
  if (a === undefined || a === null) return pusher;
  const email = typeof a === "object" && !Array.isArray(a) ? (a as Record<string, unknown>).email : undefined;
  const name = typeof a === "object" && !Array.isArray(a) ? (a as Record<string, unknown>).name : undefined;
  if (typeof email !== "string" || typeof name !== "string") throw unprocessable(`Invalid request.\n\n"name" and "email" are required for "author".`, [{ resource: "Commit", code: "invalid", field: "author" }]);
  const noreply = /^(?:\d+\+)?([A-Za-z0-9-]+(?:\[bot\])?)@users\.noreply\.github\.com$/i.exec(email)?.[1];
  const user = [...store.users.values()].find((u) => (noreply !== undefined && u.login.toLowerCase() === noreply.toLowerCase()) || (u.email !== null && u.email.toLowerCase() === email.toLowerCase()));
  if (!user) throw unprocessable(`Invalid request.\n\nthe sandbox links commit authors to its users only; no user has ${email}.`, [{ resource: "Commit", code: "invalid", field: "author" }]);
  return user.login;
}

const createRef: Handler = (ctx, req, p) => {
  const r = repoOf(ctx, p);
  const b = bodyObject(req);
  const ref = optString(b, "ref", "Reference");
  const sha = optString(b, "sha", "Reference");
  if (ref === undefined || sha === undefined) throw unprocessable(`Invalid request.\n\n${ref === undefined ? '"ref"' : '"sha"'} wasn't supplied.`);
  const m = /^refs\/heads\/(.+)$/.exec(ref);
  if (!/^refs\/.+\/.+/.test(ref)) throw unprocessable("Reference name must start with 'refs/' and have at least two slashes.");
  if (!m) throw unprocessable("Only branches (refs/heads/…) can be created in the sandbox");
  const branch = m[1]!;
  if (!/^(?!.*\.\.)(?!.*\/\/)(?!.*@\{)(?![-/.])(?!.*[/.]$)(?!.*\.lock$)[A-Za-z0-9._/-]{1,255}$/.test(branch)) throw unprocessable(`${ref} is not a valid ref name.`);
  if (r.branches.has(branch)) throw unprocessable("Reference already exists");
  if (!/^[0-9a-f]{40}$/.test(sha) || !r.commits.has(sha)) throw unprocessable("Object does not exist");
  r.branches.set(branch, sha);
  announcePush(ctx, r, { branch, before: ZERO_SHA, after: sha, commits: [], sender: req.login });
  return { status: 201, body: gitRefJson(ctx, r, `heads/${branch}`, sha) };
};

export const contentWriteRoutes: Route[] = [
  route("PUT", `${REPO}/contents/*path`, putContents),
  route("POST", `${REPO}/git/refs`, createRef),
];
