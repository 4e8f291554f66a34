// Impersonate-User / -Group / -Uid / -Extra-* headers, honoured only for callers RBAC allows the
// `impersonate` verb on each thing requested (users, groups, serviceaccounts, uids, userextras), like the
// API server's impersonation filter. Each Impersonate-Group header line is one group: a value is never split
// on commas (a group name may hold one), which is why header lines are read from rawHeaders.
import type { IncomingMessage } from "node:http";
import { ApiError } from "../errors.js";
import type { UserInfo } from "./identities.js";
import type { Attributes } from "./request-info.js";

interface Wanted {
  resource: "users" | "groups" | "serviceaccounts" | "uids" | "userextras";
  apiGroup: string;
  name: string;
  namespace?: string;
  subresource?: string;
}

function headerLines(req: IncomingMessage): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) out.push([req.rawHeaders[i]!.toLowerCase(), req.rawHeaders[i + 1]!]);
  return out;
}

/** The user to act as, after checking every part with `may`; undefined when no impersonation was asked. */
export function impersonate(req: IncomingMessage, requestor: UserInfo, may: (a: Attributes) => { allowed: boolean; reason: string }): UserInfo | undefined {
  const lines = headerLines(req);
  const userName = lines.find(([k]) => k === "impersonate-user")?.[1] ?? "";
  const groups = lines.filter(([k]) => k === "impersonate-group").map(([, v]) => v);
  const uid = lines.find(([k]) => k === "impersonate-uid")?.[1] ?? "";
  const extras = lines.filter(([k]) => k.startsWith("impersonate-extra-")).map(([k, v]) => [decodeURIComponent(k.slice("impersonate-extra-".length)), v] as const);
  if (!userName) {
    if (groups.length || uid || extras.length) throw new ApiError(400, "BadRequest", "requested impersonation of groups, uid or extra without impersonating a user");
    return undefined;
  }
  const wanted: Wanted[] = [];
  const sa = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(userName);
  wanted.push(sa ? { resource: "serviceaccounts", apiGroup: "", namespace: sa[1], name: sa[2]! } : { resource: "users", apiGroup: "", name: userName });
  for (const g of groups) wanted.push({ resource: "groups", apiGroup: "", name: g });
  for (const [key, value] of extras) wanted.push({ resource: "userextras", apiGroup: "authentication.k8s.io", subresource: key, name: value });
  if (uid) wanted.push({ resource: "uids", apiGroup: "authentication.k8s.io", name: uid });

  for (const w of wanted) {
    const attrs: Attributes = {
      user: requestor,
      verb: "impersonate",
      resourceRequest: true,
      path: "",
      apiGroup: w.apiGroup,
      apiVersion: "",
      resource: w.resource,
      subresource: w.subresource ?? "",
      namespace: w.namespace ?? "",
      name: w.name,
    };
    const d = may(attrs);
    if (!d.allowed) throw forbidden(attrs, d.reason);
  }

  const impersonated: string[] = groups.length ? [...groups] : sa ? ["system:serviceaccounts", `system:serviceaccounts:${sa[1]}`] : [];
  if (userName === "system:anonymous") {
    if (!impersonated.includes("system:unauthenticated")) impersonated.push("system:unauthenticated");
  } else if (!impersonated.includes("system:authenticated") && !impersonated.includes("system:unauthenticated")) {
    impersonated.push("system:authenticated");
  }
  const extra: Record<string, string[]> = {};
  for (const [key, value] of extras) (extra[key] ??= []).push(value);
  return { username: userName, uid: uid || undefined, groups: impersonated, extra };
}

/** The API server's 403: `<resource> "<name>" is forbidden: User "u" cannot <verb> resource "<r>" in API group "<g>" …`. */
export function forbidden(a: Attributes, reason: string): ApiError {
  let why: string;
  if (!a.resourceRequest) why = `User "${a.user.username}" cannot ${a.verb} path "${a.path}"`;
  else {
    const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
    const scope = a.namespace ? `in the namespace "${a.namespace}"` : "at the cluster scope";
    why = `User "${a.user.username}" cannot ${a.verb} resource "${resource}" in API group "${a.apiGroup}" ${scope}`;
  }
  if (reason) why += `: ${reason}`;
  const gr = a.resourceRequest ? (a.apiGroup ? `${a.resource}.${a.apiGroup}` : a.resource) : "";
  const message = !gr && !a.name ? `forbidden: ${why}` : a.name ? `${gr} "${a.name}" is forbidden: ${why}` : `${gr} is forbidden: ${why}`;
  const details: NonNullable<ConstructorParameters<typeof ApiError>[3]> = {};
  if (a.name) details.name = a.name;
  if (a.apiGroup) details.group = a.apiGroup;
  if (a.resource) details.kind = a.resource;
  return new ApiError(403, "Forbidden", message, details);
}
