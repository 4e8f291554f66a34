// Branches and git refs.
import type { RepoRecord } from "../store.js";
import { commitJson } from "./commits.js";
import { type RenderCtx, encodePath, nodeId, repoUrl } from "./shared.js";

export function branchJson(ctx: RenderCtx, r: RepoRecord, name: string, sha: string): Record<string, unknown> {
  const url = repoUrl(ctx, r);
  const c = r.commits.get(sha)!;
  return {
    name,
    commit: commitJson(ctx, r, c, false),
    _links: { self: `${url}/branches/${encodeURIComponent(name)}`, html: `${ctx.html}/${r.owner}/${r.name}/tree/${name}` },
    protected: false,
    protection: { enabled: false, required_status_checks: { enforcement_level: "off", contexts: [], checks: [] } },
    protection_url: `${url}/branches/${encodeURIComponent(name)}/protection`,
  };
}

export function gitRefJson(ctx: RenderCtx, r: RepoRecord, ref: string, sha: string): Record<string, unknown> {
  const url = repoUrl(ctx, r);
  return {
    ref: `refs/${ref}`,
    node_id: nodeId("Ref", `${r.id}:${ref}`),
    url: `${url}/git/refs/${encodePath(ref)}`,
    object: { sha, type: "commit", url: `${url}/git/commits/${sha}` },
  };
}
