// The GitHub REST endpoints the sandbox serves, one module per endpoint family. Handlers get a parsed
// request and return a reply; errors are thrown as HttpError and rendered like GitHub's.
import { notFound } from "./errors.js";
import { commitRoutes } from "./commits.js";
import { compareRoutes } from "./compare.js";
import { contentRoutes } from "./contents.js";
import { contentWriteRoutes } from "./content-writes.js";
import { checkRunWriteRoutes } from "./check-run-writes.js";
import { labelRoutes } from "./labels.js";
import { pullWriteRoutes } from "./pull-writes.js";
import { deploymentRoutes } from "./deployments.js";
import { issueRoutes } from "./issues.js";
import { pullRoutes } from "./pulls.js";
import { repoRoutes } from "./repos.js";
import type { ApiReply, ApiRequest, Params, Route, RouteCtx } from "./route.js";
import { userRoutes } from "./user.js";

// The first match wins. Families share no path prefix, so only the order inside a family matters.
export const routes: Route[] = [
  ...userRoutes, ...repoRoutes, ...pullRoutes, ...commitRoutes, ...compareRoutes, ...deploymentRoutes, ...issueRoutes, ...contentRoutes,
  ...contentWriteRoutes, ...pullWriteRoutes, ...labelRoutes, ...checkRunWriteRoutes,
];

/** Finds the handler for a request; 404 for unknown paths, 404 (like GitHub) for known paths with other methods. */
export function dispatch(ctx: RouteCtx, req: ApiRequest): ApiReply {
  for (const rt of routes) {
    if (rt.method !== req.method) continue;
    const m = rt.re.exec(req.pathname);
    if (!m) continue;
    const params: Params = {};
    try {
      rt.keys.forEach((k, i) => { params[k] = decodeURIComponent(m[i + 1] ?? ""); });
    } catch {
      throw notFound();
    }
    return rt.handler(ctx, req, params);
  }
  throw notFound();
}
