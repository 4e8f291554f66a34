// Deployments and deployment statuses, with GitHub's required_contexts and auto_merge checks on creation.
import { type DeploymentRecord, type DeploymentState, type RepoRecord, fakeSha, nowIso } from "../store.js";
import { deploymentJson, deploymentStatusJson } from "../render/deployments.js";
import { apiError, notFound, unprocessable } from "./errors.js";
import { listReply } from "./pagination.js";
import { bodyObject, optBool, optString, repoOf } from "./request.js";
import { type Handler, type Params, type Route, type RouteCtx, REPO, route } from "./route.js";

/** The state of each status context and check run on a commit, as deployments' required_contexts see it. */
function contextStates(ctx: RouteCtx, r: RepoRecord, sha: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const s of ctx.store.latestStatuses(r, sha)) out.set(s.context, s.state);
  const seen = new Set<string>();
  for (const c of ctx.store.checkRunsFor(r, sha)) {
    if (seen.has(c.name)) continue;
    seen.add(c.name);
    const state = c.status !== "completed" ? "pending"
      : ["success", "neutral", "skipped"].includes(c.conclusion ?? "") ? "success" : "failure";
    if (!out.has(c.name)) out.set(c.name, state);
  }
  return out;
}

const createDeployment: Handler = (ctx, req, p) => {
  const r = repoOf(ctx, p);
  const b = bodyObject(req);
  const R = "Deployment";
  const ref = optString(b, "ref", R);
  if (!ref) throw unprocessable(`Invalid request.\n\n"ref" wasn't supplied.`, [{ resource: R, code: "missing_field", field: "ref" }]);
  const rc = b.required_contexts;
  if (rc !== undefined && rc !== null && (!Array.isArray(rc) || rc.some((x) => typeof x !== "string"))) {
    throw unprocessable("Invalid request.\n\nFor 'required_contexts', the value is not an array of strings.", [{ resource: R, code: "invalid", field: "required_contexts" }]);
  }
  const task = optString(b, "task", R) ?? "deploy";
  const environment = optString(b, "environment", R) ?? "production";
  const description = optString(b, "description", R) ?? "";
  const autoMerge = optBool(b, "auto_merge", R) ?? true;
  const transient = optBool(b, "transient_environment", R) ?? false;
  const production = optBool(b, "production_environment", R) ?? environment === "production";
  let payload: DeploymentRecord["payload"] = {};
  if (typeof b.payload === "string") {
    try {
      const parsed: unknown = b.payload === "" ? {} : JSON.parse(b.payload);
      payload = parsed && typeof parsed === "object" && !Array.isArray(parsed) ? parsed as Record<string, unknown> : b.payload;
    } catch {
      payload = b.payload;
    }
  } else if (b.payload && typeof b.payload === "object" && !Array.isArray(b.payload)) {
    payload = b.payload as Record<string, unknown>;
  } else if (b.payload !== undefined && b.payload !== null) {
    throw unprocessable("Invalid request.\n\nFor 'payload', the value is not an object or a string.", [{ resource: R, code: "invalid", field: "payload" }]);
  }
  const res = ctx.store.resolve(r, ref);
  if (!res.ok) throw apiError(422, `No ref found for: ${ref}`, { errors: [{ resource: R, code: "invalid", field: "ref" }] });

  // auto_merge: a branch that is behind the default branch gets the default branch merged in (202, no deployment).
  const defaultSha = r.branches.get(r.default_branch);
  if (autoMerge && res.branch && res.branch !== r.default_branch && defaultSha && !ctx.store.isAncestor(r, defaultSha, res.sha)) {
    const mergeSha = fakeSha("auto-merge", r.owner, r.name, res.branch, res.sha, defaultSha);
    ctx.store.addCommit(`${r.owner}/${r.name}`, {
      sha: mergeSha, message: `Merge branch '${r.default_branch}' into ${res.branch}`, parents: [res.sha, defaultSha], author: req.login,
    });
    ctx.store.setBranch(`${r.owner}/${r.name}`, res.branch, mergeSha);
    for (const pr of r.pulls.values()) if (pr.head === res.branch && pr.state === "open") pr.sha = mergeSha;
    return { status: 202, body: { message: `Auto-merged ${r.default_branch} into ${res.branch} on deployment.` } };
  }

  const states = contextStates(ctx, r, res.sha);
  const required = (rc as string[] | undefined | null) ?? [...states.keys()];
  const failing = required.filter((c) => states.get(c) !== "success").map((c) => ({ context: c, state: states.get(c) ?? "missing" }));
  if (failing.length) {
    throw apiError(409, `Conflict: Commit status checks failed for ${ref}.`, {
      errors: [{ contexts: failing, resource: R, field: "required_contexts", code: "invalid" }],
    });
  }

  const t = nowIso();
  const d: DeploymentRecord = {
    id: ctx.store.nextId("deployment"), sha: res.sha, ref, task, environment, original_environment: environment, description,
    payload, transient_environment: transient, production_environment: production, creator: req.login, created_at: t, updated_at: t,
  };
  r.deployments.push(d);
  return { status: 201, body: deploymentJson(ctx, r, d) };
};

const listDeployments: Handler = (ctx, req, p) => {
  const r = repoOf(ctx, p);
  const q = req.query;
  let ds = [...r.deployments].reverse();
  for (const key of ["sha", "ref", "task", "environment"] as const) {
    const v = q.get(key);
    if (v !== null && v !== "" && v !== "none") ds = ds.filter((d) => d[key] === v);
  }
  return listReply(ctx, req, ds, (d) => deploymentJson(ctx, r, d));
};

function deploymentOf(ctx: RouteCtx, r: RepoRecord, p: Params): DeploymentRecord {
  const d = r.deployments.find((x) => x.id === Number(p.id));
  if (!d) throw notFound();
  return d;
}

const getDeployment: Handler = (ctx, _req, p) => {
  const r = repoOf(ctx, p);
  return { status: 200, body: deploymentJson(ctx, r, deploymentOf(ctx, r, p)) };
};

const deleteDeployment: Handler = (ctx, _req, p) => {
  const r = repoOf(ctx, p);
  const d = deploymentOf(ctx, r, p);
  const latest = r.deploymentStatuses.filter((s) => s.deployment_id === d.id).at(-1)?.state;
  if (r.deployments.length > 1 && latest !== "inactive") {
    throw apiError(422, "We cannot delete an active deployment unless it is the only deployment in a given environment.", {
      errors: ["Deployment is active: set an inactive status on it first."],
    });
  }
  r.deployments = r.deployments.filter((x) => x.id !== d.id);
  r.deploymentStatuses = r.deploymentStatuses.filter((s) => s.deployment_id !== d.id);
  return { status: 204 };
};

const DEPLOYMENT_STATES = ["error", "failure", "inactive", "in_progress", "queued", "pending", "success"];

const createDeploymentStatus: Handler = (ctx, req, p) => {
  const r = repoOf(ctx, p);
  const d = deploymentOf(ctx, r, p);
  const b = bodyObject(req);
  const R = "DeploymentStatus";
  const state = b.state;
  if (typeof state !== "string" || !DEPLOYMENT_STATES.includes(state)) {
    throw unprocessable("Validation Failed", [{
      resource: R, field: "state", code: state === undefined ? "missing_field" : "invalid",
      ...(state === undefined ? {} : { message: "state is not included in the list" }),
    }]);
  }
  const description = optString(b, "description", R) ?? "";
  if (description.length > 140) {
    throw unprocessable("Validation Failed", [{ resource: R, field: "description", code: "custom", message: "description is too long (maximum is 140 characters)" }]);
  }
  const logUrl = optString(b, "log_url", R) ?? optString(b, "target_url", R) ?? "";
  const environmentUrl = optString(b, "environment_url", R) ?? "";
  const autoInactive = optBool(b, "auto_inactive", R) ?? true;
  const environment = optString(b, "environment", R);
  if (environment) d.environment = environment;
  const t = nowIso();
  d.updated_at = t;
  const rec = {
    id: ctx.store.nextId("deploymentStatus"), deployment_id: d.id, state: state as DeploymentState, description,
    environment: d.environment, target_url: logUrl, log_url: logUrl, environment_url: environmentUrl,
    creator: req.login, created_at: t, updated_at: t,
  };
  r.deploymentStatuses.push(rec);
  if (state === "success" && autoInactive) {
    for (const other of r.deployments) {
      if (other.id >= d.id || other.environment !== d.environment || other.transient_environment) continue;
      const latest = r.deploymentStatuses.filter((s) => s.deployment_id === other.id).at(-1);
      if (latest?.state !== "success") continue;
      r.deploymentStatuses.push({
        ...latest, id: ctx.store.nextId("deploymentStatus"), state: "inactive", description: "", creator: req.login, created_at: t, updated_at: t,
      });
      other.updated_at = t;
    }
  }
  return { status: 201, body: deploymentStatusJson(ctx, r, rec) };
};

const listDeploymentStatuses: Handler = (ctx, req, p) => {
  const r = repoOf(ctx, p);
  const d = deploymentOf(ctx, r, p);
  const list = r.deploymentStatuses.filter((s) => s.deployment_id === d.id).reverse();
  return listReply(ctx, req, list, (s) => deploymentStatusJson(ctx, r, s));
};

export const deploymentRoutes: Route[] = [
  route("GET", `${REPO}/deployments`, listDeployments),
  route("POST", `${REPO}/deployments`, createDeployment),
  route("GET", `${REPO}/deployments/:id`, getDeployment),
  route("DELETE", `${REPO}/deployments/:id`, deleteDeployment),
  route("GET", `${REPO}/deployments/:id/statuses`, listDeploymentStatuses),
  route("POST", `${REPO}/deployments/:id/statuses`, createDeploymentStatus),
];
