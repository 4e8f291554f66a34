// Labels on issues and pull requests (every sandbox issue is a pull request); each change is a pull_request
// labeled/unlabeled delivery.
import { nowIso } from "../store.js";
import { labelsJson } from "../render/pulls.js";
import { pullRequestPayload } from "../webhooks/events.js";
import { notFound, unprocessable } from "./errors.js";
import { bodyObject, repoOf } from "./request.js";
import { type Handler, type Route, REPO, route } from "./route.js";

const MAX_LABEL = 50;

const addLabels: Handler = (ctx, req, p) => {
  const r = repoOf(ctx, p);
  const pr = r.pulls.get(Number(p.number));
  if (!pr) throw notFound();
  const b = bodyObject(req);
  // GitHub takes {labels: [...]}, {labels: [{name}]} or a bare array of names.
  const raw = Array.isArray(req.body) ? req.body : b.labels;
  if (!Array.isArray(raw) || raw.length === 0) throw unprocessable("Invalid request.\n\nNo subschema in \"anyOf\" matched.");
  const names = raw.map((l) => (typeof l === "string" ? l : l && typeof l === "object" && typeof (l as { name?: unknown }).name === "string" ? (l as { name: string }).name : undefined));
  if (names.some((n) => n === undefined || n.trim() === "" || n.length > MAX_LABEL)) {
    throw unprocessable("Validation Failed", [{ resource: "Label", code: "invalid", field: "name" }]);
  }
  for (const name of names as string[]) {
    if (pr.labels.includes(name)) continue;
    pr.labels.push(name);
    pr.updated_at = nowIso();
    ctx.events?.deliver("pull_request", pullRequestPayload(ctx, r, pr, "labeled", req.login, { label: name }));
  }
  return { status: 200, body: labelsJson(ctx, r, pr) };
};

const removeLabel: Handler = (ctx, req, p) => {
  const r = repoOf(ctx, p);
  const pr = r.pulls.get(Number(p.number));
  if (!pr) throw notFound();
  const i = pr.labels.indexOf(p.name!);
  if (i < 0) throw notFound("Label does not exist");
  // The delivery names the label as it was, before it left the list.
  const payloadLabel = p.name!;
  pr.labels.splice(i, 1);
  pr.updated_at = nowIso();
  ctx.events?.deliver("pull_request", pullRequestPayload(ctx, r, pr, "unlabeled", req.login, { label: payloadLabel }));
  return { status: 200, body: labelsJson(ctx, r, pr) };
};

export const labelRoutes: Route[] = [
  route("POST", `${REPO}/issues/:number/labels`, addLabels),
  route("DELETE", `${REPO}/issues/:number/labels/:name`, removeLabel),
];
