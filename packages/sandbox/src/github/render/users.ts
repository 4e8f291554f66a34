// Users as GitHub renders them: the public simple-user everywhere, the private view for GET /user.
import type { UserRecord } from "../store.js";
import { type Json, type RenderCtx, nodeId } from "./shared.js";

export function simpleUser(ctx: RenderCtx, u: UserRecord): Json {
  // GitHub encodes a bot's "[bot]" in its API URLs (users/github-actions%5Bbot%5D); its page is its App's.
  const url = `${ctx.api}/users/${encodeURIComponent(u.login)}`;
  return {
    login: u.login,
    id: u.id,
    node_id: nodeId(u.type === "Organization" ? "Organization" : "User", u.id),
    avatar_url: `https://avatars.githubusercontent.com/u/${u.id}?v=4`,
    gravatar_id: "",
    url,
    html_url: u.type === "Bot" && u.login.endsWith("[bot]") ? `${ctx.html}/apps/${u.login.slice(0, -5)}` : `${ctx.html}/${encodeURIComponent(u.login)}`,
    followers_url: `${url}/followers`,
    following_url: `${url}/following{/other_user}`,
    gists_url: `${url}/gists{/gist_id}`,
    starred_url: `${url}/starred{/owner}{/repo}`,
    subscriptions_url: `${url}/subscriptions`,
    organizations_url: `${url}/orgs`,
    repos_url: `${url}/repos`,
    events_url: `${url}/events{/privacy}`,
    received_events_url: `${url}/received_events`,
    type: u.type,
    user_view_type: "public",
    site_admin: false,
  };
}

export function userByLogin(ctx: RenderCtx, login: string): Json {
  return simpleUser(ctx, ctx.store.user(login));
}

/** GET /user: the private view of the authenticated user. */
export function privateUser(ctx: RenderCtx, u: UserRecord): Json {
  return {
    ...simpleUser(ctx, u),
    user_view_type: "private",
    name: u.name,
    company: null,
    blog: "",
    location: null,
    email: u.email,
    notification_email: u.email,
    hireable: null,
    bio: null,
    twitter_username: null,
    public_repos: 0,
    public_gists: 0,
    followers: 0,
    following: 0,
    created_at: u.created_at,
    updated_at: u.created_at,
    private_gists: 0,
    total_private_repos: 1,
    owned_private_repos: 0,
    disk_usage: 0,
    collaborators: 0,
    two_factor_authentication: true,
    plan: { name: "free", space: 976562499, collaborators: 0, private_repos: 10000 },
  };
}
