// The renderers in this directory turn store records into the JSON GitHub answers with (shapes per
// GitHub's OpenAPI description). This module holds what all of them need: the context links are built
// from, node ids, path encoding and the repository's API URL.
import type { GithubStore, RepoRecord } from "../store.js";

export interface RenderCtx {
  api: string; // e.g. http://127.0.0.1:1234
  html: string; // e.g. https://github.com
  store: GithubStore;
}

export type Json = Record<string, unknown>;

export function nodeId(kind: string, id: number | string): string {
  return Buffer.from(`0:${kind}${id}`).toString("base64").replace(/=+$/, "");
}

export function repoUrl(ctx: RenderCtx, r: RepoRecord): string {
  return `${ctx.api}/repos/${r.owner}/${r.name}`;
}

/** Encodes each segment of a slash-separated path, keeping the slashes. */
export const encodePath = (p: string): string => p.split("/").map(encodeURIComponent).join("/");
