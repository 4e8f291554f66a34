// Deployments and their statuses.
import type { DeploymentRecord, DeploymentStatusRecord, RepoRecord } from "../store.js";
import { type Json, type RenderCtx, nodeId, repoUrl } from "./shared.js";
import { userByLogin } from "./users.js";

export function deploymentJson(ctx: RenderCtx, r: RepoRecord, d: DeploymentRecord): Json {
  const url = `${repoUrl(ctx, r)}/deployments/${d.id}`;
  return {
    url,
    id: d.id,
    node_id: nodeId("Deployment", d.id),
    sha: d.sha,
    ref: d.ref,
    task: d.task,
    payload: d.payload,
    original_environment: d.original_environment,
    environment: d.environment,
    description: d.description,
    creator: userByLogin(ctx, d.creator),
    created_at: d.created_at,
    updated_at: d.updated_at,
    statuses_url: `${url}/statuses`,
    repository_url: repoUrl(ctx, r),
    transient_environment: d.transient_environment,
    production_environment: d.production_environment,
    performed_via_github_app: null,
  };
}

export function deploymentStatusJson(ctx: RenderCtx, r: RepoRecord, s: DeploymentStatusRecord): Json {
  const dUrl = `${repoUrl(ctx, r)}/deployments/${s.deployment_id}`;
  return {
    url: `${dUrl}/statuses/${s.id}`,
    id: s.id,
    node_id: nodeId("DeploymentStatus", s.id),
    state: s.state,
    creator: userByLogin(ctx, s.creator),
    description: s.description,
    environment: s.environment,
    target_url: s.target_url,
    created_at: s.created_at,
    updated_at: s.updated_at,
    deployment_url: dUrl,
    repository_url: repoUrl(ctx, r),
    environment_url: s.environment_url,
    log_url: s.log_url,
    performed_via_github_app: null,
  };
}
