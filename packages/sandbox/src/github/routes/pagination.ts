// per_page/page slicing and GitHub's Link header for list endpoints.
import type { ApiReply, ApiRequest, RouteCtx } from "./route.js";

function intParam(q: URLSearchParams, name: string, def: number, min: number, max: number): number {
  const v = q.get(name);
  if (v === null || v === "") return def;
  const n = Number(v);
  if (!Number.isInteger(n)) return def;
  return Math.min(max, Math.max(min, n));
}

/** Slices a list by per_page/page and adds GitHub's Link header. */
export function paginate<T>(ctx: RouteCtx, req: ApiRequest, items: T[]): { page: T[]; headers: Record<string, string> } {
  const perPage = intParam(req.query, "per_page", 30, 1, 100);
  const page = intParam(req.query, "page", 1, 1, Number.MAX_SAFE_INTEGER);
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const link = (n: number, rel: string): string => {
    const q = new URLSearchParams(req.query);
    q.set("per_page", String(perPage));
    q.set("page", String(n));
    return `<${ctx.api}${req.pathname}?${q.toString()}>; rel="${rel}"`;
  };
  const links: string[] = [];
  if (page > 1) links.push(link(Math.min(page - 1, last), "prev"));
  if (page < last) links.push(link(page + 1, "next"));
  if (page < last) links.push(link(last, "last"));
  if (page > 1) links.push(link(1, "first"));
  return { page: items.slice((page - 1) * perPage, page * perPage), headers: links.length ? { link: links.join(", ") } : {} };
}

export function listReply<T>(ctx: RouteCtx, req: ApiRequest, items: T[], render: (t: T) => unknown): ApiReply {
  const { page, headers } = paginate(ctx, req, items);
  return { status: 200, body: page.map(render), headers };
}
