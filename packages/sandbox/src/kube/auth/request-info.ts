// What a request asks to do, read from its URL and method the way the API server's RequestInfoFactory
// does, before any routing: the attributes RBAC decides on.
import type { UserInfo } from "./identities.js";

export interface Attributes {
  user: UserInfo;
  verb: string;
  resourceRequest: boolean;
  /** Non-resource requests: the URL path. */
  path: string;
  apiGroup: string;
  apiVersion: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
}

const NAMESPACE_SUBRESOURCES = new Set(["status", "finalize"]);
const VERBS: Record<string, string> = { POST: "create", PUT: "update", PATCH: "patch", GET: "get", HEAD: "get", DELETE: "delete" };

/** Go's strconv.ParseBool, which the API server uses for `watch`. */
function parseBool(v: string | null): boolean {
  return v !== null && ["1", "t", "T", "TRUE", "true", "True"].includes(v);
}

export function requestAttributes(user: UserInfo, method: string, url: URL): Attributes {
  const path = url.pathname;
  const base: Attributes = { user, verb: method.toLowerCase(), resourceRequest: false, path, apiGroup: "", apiVersion: "", resource: "", subresource: "", namespace: "", name: "" };
  let parts = path.replace(/^\/+|\/+$/g, "").split("/").filter(Boolean);
  if (parts[0] !== "api" && parts[0] !== "apis") return base;
  const legacy = parts[0] === "api";
  parts = parts.slice(1);
  // /api/v1 and /apis/<g>/<v> are discovery: non-resource paths.
  if (parts.length < (legacy ? 2 : 3)) return base;
  const info: Attributes = { ...base, resourceRequest: true, apiGroup: legacy ? "" : parts[0]!, apiVersion: legacy ? parts[0]! : parts[1]! };
  parts = parts.slice(legacy ? 1 : 2);
  info.verb = VERBS[method] ?? method.toLowerCase();
  if (parts[0] === "watch") {
    info.verb = "watch";
    parts = parts.slice(1);
  }
  if (parts[0] === "namespaces" && parts.length > 1) {
    info.namespace = parts[1]!;
    if (parts.length > 2 && !NAMESPACE_SUBRESOURCES.has(parts[2]!)) parts = parts.slice(2);
  }
  info.resource = parts[0] ?? "";
  info.name = parts[1] ?? "";
  info.subresource = parts[2] ?? "";
  if (!info.name && info.verb === "get") info.verb = parseBool(url.searchParams.get("watch")) ? "watch" : "list";
  if (!info.name && info.verb === "delete") info.verb = "deletecollection";
  // kubectl get x -w and informers on one object select it by name: RBAC sees that name.
  if (info.verb === "list" || info.verb === "watch") {
    const byName = /(?:^|,)metadata\.name==?([^,]+)/.exec(url.searchParams.get("fieldSelector") ?? "");
    if (byName) info.name = byName[1]!;
  }
  return info;
}
