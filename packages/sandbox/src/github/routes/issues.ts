// Issue (and pull request) comments.
import { nowIso } from "../store.js";
import { commentJson } from "../render/issues.js";
import { apiError, notFound, unprocessable } from "./errors.js";
import { listReply } from "./pagination.js";
import { bodyObject, optString, repoOf } from "./request.js";
import { type ApiRequest, type Handler, type Route, REPO, route } from "./route.js";

const listComments: Handler = (ctx, req, p) => {
  const r = repoOf(ctx, p);
  const n = Number(p.number);
  if (!ctx.store.hasIssue(r, n)) throw notFound();
  let list = r.comments.filter((c) => c.issue_number === n);
  const since = req.query.get("since");
  if (since) list = list.filter((c) => c.updated_at >= since);
  return listReply(ctx, req, list, (c) => commentJson(ctx, r, c));
};

/** A comment's body as GitHub validates it: present, not empty, at most 65536 characters. */
function commentBody(req: ApiRequest): string {
  const body = optString(bodyObject(req), "body", "IssueComment");
  if (body === undefined || body === "") {
    throw unprocessable("Validation Failed", [{ resource: "IssueComment", code: "missing_field", field: "body" }]);
  }
  if (body.length > 65536) {
    throw unprocessable("Validation Failed", [{ resource: "IssueComment", code: "custom", field: "body", message: "body is too long (maximum is 65536 characters)" }]);
  }
  return body;
}

const createComment: Handler = (ctx, req, p) => {
  const r = repoOf(ctx, p);
  const n = Number(p.number);
  if (!ctx.store.hasIssue(r, n)) throw notFound();
  const body = commentBody(req);
  const t = nowIso();
  const c = { id: ctx.store.nextId("comment"), issue_number: n, body, user: req.login, created_at: t, updated_at: t };
  r.comments.push(c);
  return { status: 201, body: commentJson(ctx, r, c) };
};

/** Only the comment's author may edit it here (on GitHub, also a repository admin); as on GitHub, an empty body is 422. */
const updateComment: Handler = (ctx, req, p) => {
  const r = repoOf(ctx, p);
  const c = r.comments.find((x) => x.id === Number(p.id));
  if (!c) throw notFound();
  if (c.user !== req.login) throw apiError(403, "Must have admin rights to Repository.");
  const body = commentBody(req);
  c.body = body;
  c.updated_at = nowIso();
  return { status: 200, body: commentJson(ctx, r, c) };
};

export const issueRoutes: Route[] = [
  route("GET", `${REPO}/issues/:number/comments`, listComments),
  route("POST", `${REPO}/issues/:number/comments`, createComment),
  route("PATCH", `${REPO}/issues/comments/:id`, updateComment),
];
