import { GatewayError, type ActingScope, type KubeActor } from "../types.js";

// Kubernetes impersonation for requests Tugboat makes on a user's behalf. One Impersonate-Group header line
// per group: the API server never splits a value on commas, and client-node's own kubeconfig impersonation
// (`as`) carries only the user.

export interface ActingFor {
  actor: KubeActor;
  scope: ActingScope;
}

/** Reads (GET, HEAD) carry the actor only with scope "all". */
export function actsFor(acting: ActingFor | undefined, method: string): KubeActor | undefined {
  if (!acting) return undefined;
  const read = method === "GET" || method === "HEAD";
  return acting.scope === "all" || !read ? acting.actor : undefined;
}

/** Adds the headers to node-fetch Headers (append keeps each group its own header line). */
export function addImpersonationHeaders(headers: { set(k: string, v: string): void; append(k: string, v: string): void }, actor: KubeActor): void {
  headers.set("Impersonate-User", actor.user);
  for (const g of actor.groups) headers.append("Impersonate-Group", g);
}

const IMPERSONATED_KINDS = new Set(["users", "groups", "serviceaccounts", "uids", "userextras"]);

/** Marks a 403 of a request made for `actor`: refused for them, or Tugboat not allowed to act for them at all. */
export function markRefusal(err: GatewayError, actor: KubeActor): GatewayError {
  if (err.kind !== "forbidden") return err;
  const body = err.body as { details?: { kind?: string } } | undefined;
  const impersonation = IMPERSONATED_KINDS.has(body?.details?.kind ?? "") && / cannot impersonate resource /.test(err.message);
  err.actingFor = { user: actor.user, refused: impersonation ? "impersonation" : "request" };
  return err;
}
