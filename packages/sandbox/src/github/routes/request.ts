// Reading a request: the repository and ref it names, and the fields of its JSON body.
import type { RepoRecord } from "../store.js";
import { type HttpError, apiError, notFound, unprocessable } from "./errors.js";
import type { ApiRequest, Params, RouteCtx } from "./route.js";

export function repoOf(ctx: RouteCtx, p: Params): RepoRecord {
  const r = ctx.store.findRepo(p.owner!, p.repo!);
  if (!r) throw notFound();
  return r;
}

export function resolveOr(ctx: RouteCtx, r: RepoRecord, ref: string, make: () => HttpError): { sha: string; branch?: string } {
  const res = ctx.store.resolve(r, ref);
  if (!res.ok) throw make();
  return res;
}

export const noCommit = (ref: string) => () => unprocessable(`No commit found for SHA: ${ref}`);

export function bodyObject(req: ApiRequest): Record<string, unknown> {
  if (req.body === undefined || req.body === null) return {};
  if (typeof req.body !== "object" || Array.isArray(req.body)) {
    throw apiError(400, "Problems parsing JSON");
  }
  return req.body as Record<string, unknown>;
}

export function optString(b: Record<string, unknown>, key: string, resource: string): string | undefined {
  const v = b[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") {
    throw unprocessable(`Invalid request.\n\nFor '${key}', ${JSON.stringify(v)} is not a string.`, [{ resource, code: "invalid", field: key }]);
  }
  return v;
}

export function optBool(b: Record<string, unknown>, key: string, resource: string): boolean | undefined {
  const v = b[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "boolean") {
    throw unprocessable(`Invalid request.\n\nFor '${key}', ${JSON.stringify(v)} is not a boolean.`, [{ resource, code: "invalid", field: key }]);
  }
  return v;
}
