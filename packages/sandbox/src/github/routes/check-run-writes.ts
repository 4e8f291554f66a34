// Check runs as a CI app writes them: created (queued, in progress or already completed) and updated until
// completed. Deliveries: check_run created, and completed when a run reaches that status.
import type { CheckConclusion, CheckStatus } from "../store.js";
import { nowIso } from "../store.js";
import { checkRunJson } from "../render/commits.js";
import { checkRunPayload } from "../webhooks/events.js";
import { apiError, notFound, unprocessable } from "./errors.js";
import { bodyObject, optString, repoOf } from "./request.js";
import { type Handler, type Route, REPO, route } from "./route.js";

const STATUSES = ["queued", "in_progress", "completed", "waiting", "requested", "pending"];
const CONCLUSIONS = ["action_required", "cancelled", "failure", "neutral", "success", "skipped", "stale", "timed_out"];

function readStatus(b: Record<string, unknown>): { status?: CheckStatus; conclusion?: CheckConclusion } {
  const status = optString(b, "status", "CheckRun");
  const conclusion = optString(b, "conclusion", "CheckRun");
  if (status !== undefined && !STATUSES.includes(status)) throw unprocessable("Validation Failed", [{ resource: "CheckRun", code: "invalid", field: "status" }]);
  if (conclusion !== undefined && !CONCLUSIONS.includes(conclusion)) throw unprocessable("Validation Failed", [{ resource: "CheckRun", code: "invalid", field: "conclusion" }]);
  // GitHub: a conclusion completes the run; "completed" needs a conclusion.
  if (status === "completed" && conclusion === undefined) throw unprocessable("Invalid request.\n\n\"conclusion\" wasn't supplied.");
  return { status: conclusion !== undefined ? "completed" : (status as CheckStatus | undefined), conclusion: conclusion as CheckConclusion | undefined };
}

const createCheckRun: Handler = (ctx, req, p) => {
  const r = repoOf(ctx, p);
  // GitHub: only a GitHub App creates check runs (it acts as its bot account, "<slug>[bot]"); a person's token is refused.
  const app = /^(.+)\[bot\]$/.exec(req.login)?.[1];
  if (!app) throw apiError(403, "You must authenticate via a GitHub App.");
  const b = bodyObject(req);
  const name = optString(b, "name", "CheckRun");
  const headSha = optString(b, "head_sha", "CheckRun");
  if (name === undefined || headSha === undefined) throw unprocessable(`Invalid request.\n\n"${name === undefined ? "name" : "head_sha"}" wasn't supplied.`);
  if (!r.commits.has(headSha)) throw unprocessable("No commit found for SHA: " + headSha);
  const { status, conclusion } = readStatus(b);
  const run = ctx.store.addCheckRun(`${r.owner}/${r.name}`, headSha, name, status ?? "queued", conclusion ?? null, { details_url: optString(b, "details_url", "CheckRun") ?? null, app });
  ctx.events?.deliver("check_run", checkRunPayload(ctx, r, run, "created", req.login));
  if (run.status === "completed") ctx.events?.deliver("check_run", checkRunPayload(ctx, r, run, "completed", req.login));
  return { status: 201, body: checkRunJson(ctx, r, run) };
};

const updateCheckRun: Handler = (ctx, req, p) => {
  const r = repoOf(ctx, p);
  const run = r.checkRuns.find((c) => c.id === Number(p.id));
  if (!run) throw notFound();
  if (!req.login.endsWith("[bot]")) throw apiError(403, "You must authenticate via a GitHub App.");
  if (req.login !== `${run.app}[bot]`) throw apiError(403, "Resource not accessible by integration");
  const b = bodyObject(req);
  const { status, conclusion } = readStatus(b);
  const wasCompleted = run.status === "completed";
  const name = optString(b, "name", "CheckRun");
  if (name !== undefined) run.name = name;
  const details = optString(b, "details_url", "CheckRun");
  if (details !== undefined) run.details_url = details;
  if (status !== undefined) run.status = status;
  if (conclusion !== undefined) run.conclusion = conclusion;
  if (run.status === "completed" && !run.completed_at) run.completed_at = nowIso();
  if (run.status === "completed" && !wasCompleted) ctx.events?.deliver("check_run", checkRunPayload(ctx, r, run, "completed", req.login));
  return { status: 200, body: checkRunJson(ctx, r, run) };
};

export const checkRunWriteRoutes: Route[] = [
  route("POST", `${REPO}/check-runs`, createCheckRun),
  route("PATCH", `${REPO}/check-runs/:id`, updateCheckRun),
];
