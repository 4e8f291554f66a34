// Repository contents: a file (JSON with base64 content, or raw) or a directory listing, at a ref.
import { type RepoRecord, fakeSha, gitBlobSha, normalizePath } from "../store.js";
import { encodePath, repoUrl } from "../render/shared.js";
import { notFound } from "./errors.js";
import { repoOf } from "./request.js";
import { type Handler, type Route, type RouteCtx, REPO, route } from "./route.js";

/** GitHub's contents API sends a file's text in its JSON answer up to 1 MB; larger ones only with the raw media type. */
const MAX_JSON_CONTENT_BYTES = 1024 * 1024;

function wrapBase64(s: string): string {
  const b64 = Buffer.from(s, "utf8").toString("base64");
  return (b64.match(/.{1,60}/g) ?? [""]).join("\n") + "\n";
}

export function rawUrl(ctx: RouteCtx, r: RepoRecord, sha: string, path: string): string {
  return `${ctx.api}/_raw/${r.owner}/${r.name}/${sha}/${encodePath(path)}`;
}

/** One file or directory of the contents API at a commit, as listed and as PUT answers it. */
export function contentEntry(ctx: RouteCtx, r: RepoRecord, sha: string, ref: string, type: "file" | "dir", entryPath: string, content?: string): Record<string, unknown> {
  const url = repoUrl(ctx, r);
  const html = `${ctx.html}/${r.owner}/${r.name}`;
  const name = entryPath.split("/").at(-1)!;
  const blob = type === "file" ? gitBlobSha(content!) : fakeSha("tree", sha, entryPath);
  const self = `${url}/contents/${encodePath(entryPath)}?ref=${encodeURIComponent(ref)}`;
  const git = `${url}/git/${type === "file" ? "blobs" : "trees"}/${blob}`;
  const htmlUrl = `${html}/${type === "file" ? "blob" : "tree"}/${encodePath(ref)}/${encodePath(entryPath)}`;
  return {
    name, path: entryPath, sha: blob, size: type === "file" ? Buffer.byteLength(content!, "utf8") : 0,
    url: self, html_url: htmlUrl, git_url: git,
    download_url: type === "file" ? rawUrl(ctx, r, sha, entryPath) : null,
    type, _links: { self, git, html: htmlUrl },
  };
}

const getContents: Handler = (ctx, req, p) => {
  const r = repoOf(ctx, p);
  const path = normalizePath(p.path ?? "");
  const ref = req.query.get("ref") || r.default_branch;
  const res = ctx.store.resolve(r, ref);
  if (!res.ok) throw notFound(`No commit found for the ref ${ref}`);
  const files = ctx.store.filesAt(r, res.sha);
  const entry = (type: "file" | "dir", entryPath: string, content?: string) => contentEntry(ctx, r, res.sha, ref, type, entryPath, content);
  const file = path ? files.get(path) : undefined;
  if (file !== undefined) {
    const accept = String(req.headers.accept ?? "");
    if (/\.raw\b|vnd\.github\.raw/.test(accept)) {
      return { status: 200, raw: file, contentType: "text/plain; charset=utf-8" };
    }
    // As on GitHub: a file over 1 MB is described but not sent in the JSON (content "", encoding "none"); only
    // the raw media type returns its text.
    if (Buffer.byteLength(file, "utf8") > MAX_JSON_CONTENT_BYTES) return { status: 200, body: { ...entry("file", path, file), content: "", encoding: "none" } };
    return { status: 200, body: { ...entry("file", path, file), content: wrapBase64(file), encoding: "base64" } };
  }
  const prefix = path ? `${path}/` : "";
  const children = new Map<string, Record<string, unknown>>();
  for (const [fp, content] of files) {
    if (!fp.startsWith(prefix)) continue;
    const rest = fp.slice(prefix.length);
    const [first, ...more] = rest.split("/");
    const childPath = prefix + first!;
    if (children.has(childPath)) continue;
    children.set(childPath, more.length ? entry("dir", childPath) : entry("file", childPath, content));
  }
  if (children.size === 0) throw notFound();
  const list = [...children.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([, v]) => v);
  return { status: 200, body: list };
};

export const contentRoutes: Route[] = [
  route("GET", `${REPO}/contents`, getContents),
  route("GET", `${REPO}/contents/*path`, getContents),
];
