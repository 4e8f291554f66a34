// Issue (and pull request) comments.
import type { CommentRecord, RepoRecord } from "../store.js";
import { type Json, type RenderCtx, nodeId, repoUrl } from "./shared.js";
import { userByLogin } from "./users.js";

export function commentJson(ctx: RenderCtx, r: RepoRecord, c: CommentRecord): Json {
  const url = repoUrl(ctx, r);
  return {
    id: c.id,
    node_id: nodeId("IssueComment", c.id),
    url: `${url}/issues/comments/${c.id}`,
    html_url: `${ctx.html}/${r.owner}/${r.name}/pull/${c.issue_number}#issuecomment-${c.id}`,
    body: c.body,
    user: userByLogin(ctx, c.user),
    created_at: c.created_at,
    updated_at: c.updated_at,
    issue_url: `${url}/issues/${c.issue_number}`,
    author_association: "MEMBER",
    performed_via_github_app: null,
    reactions: {
      url: `${url}/issues/comments/${c.id}/reactions`, total_count: 0,
      "+1": 0, "-1": 0, laugh: 0, hooray: 0, confused: 0, heart: 0, rocket: 0, eyes: 0,
    },
  };
}
