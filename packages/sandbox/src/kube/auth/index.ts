// Authentication and authorization in front of the sandbox's API: bearer tokens (./identities.ts), the
// impersonation headers, RBAC on every request, and the self-reviews. KubeHttp calls `admit` once per
// request, before it dispatches; everything else here is independent of routing.
import type { IncomingMessage } from "node:http";
import { ApiError, errors } from "../errors.js";
import { parseJson } from "../http/body.js";
import { RESOURCES } from "../resources.js";
import type { Store } from "../store.js";
import { ANONYMOUS, authenticateToken, SANDBOX_IDENTITIES, type SandboxIdentity, type UserInfo } from "./identities.js";
import { checkEscalation, isRbacWrite } from "./escalation.js";
import { forbidden, impersonate } from "./impersonation.js";
import { RbacAuthorizer } from "./rbac.js";
import { requestAttributes } from "./request-info.js";
import { REVIEW_PLURALS } from "./resources.js";
import { answerReview } from "./reviews.js";

export { bootstrapPolicy } from "./bootstrap-policy.js";
export { SANDBOX_IDENTITIES, tokenFileLines, type SandboxIdentity, type UserInfo } from "./identities.js";

/** Who made a request, for the request log: the user it ran as, and the authenticated caller when impersonating. */
export interface RequestIdentity {
  user?: string;
  impersonatedBy?: string;
}

export class SandboxAuth {
  readonly rbac: RbacAuthorizer;
  /** Users a test added to this server (KubeControl.rbac.addUser): their tokens work here only. */
  private readonly added: SandboxIdentity[] = [];

  constructor(private readonly store: Store) {
    this.rbac = new RbacAuthorizer(store);
  }

  addedIdentities(): SandboxIdentity[] {
    return [...this.added];
  }

  /** Adds a user who authenticates with the returned bearer token; RBAC bindings decide what it may do. */
  addIdentity(name: string, user: { username?: string; groups?: string[] }): string {
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name)) throw new Error(`an identity's name is a DNS label, not "${name}"`);
    if ([...SANDBOX_IDENTITIES, ...this.added].some((i) => i.name === name)) throw new Error(`the sandbox already has an identity "${name}"`);
    const token = `sandbox-${name}-token`;
    const username = user.username ?? name;
    this.added.push({ name, token, user: { username, uid: `sandbox-${name}`, groups: user.groups ?? [] }, purpose: "added by a test", authenticates: "token" });
    return token;
  }

  /**
   * Throws the API server's 401/403 (or 400 for malformed impersonation); returns an answer for the
   * self-reviews, or undefined when the request may go on to the resource API.
   */
  admit(req: IncomingMessage, url: URL, method: string, body: string, seen: RequestIdentity = {}): { code: number; body: unknown } | undefined {
    const authenticated = authenticateToken(req.headers.authorization, this.added);
    if (authenticated === undefined) throw new ApiError(401, "Unauthorized", "Unauthorized");
    const caller: UserInfo = authenticated === "anonymous" ? ANONYMOUS : authenticated;
    const acting = impersonate(req, caller, (a) => this.rbac.authorize(a));
    const user = acting ?? caller;
    seen.user = user.username;
    if (acting) seen.impersonatedBy = caller.username;

    const attrs = requestAttributes(user, method, url);
    const decision = this.rbac.authorize(attrs);
    if (!decision.allowed) throw forbidden(attrs, decision.reason);
    if (!attrs.resourceRequest) return undefined;

    if (isRbacWrite(attrs)) {
      // A create names its object in the body, not the path.
      const named = attrs.name ? attrs : { ...attrs, name: objectName(body) };
      checkEscalation(named, body, String(req.headers["content-type"] ?? ""), this.rbac, this.store);
    }
    if (REVIEW_PLURALS.has(attrs.resource) && isAuthGroup(attrs.apiGroup)) {
      if (attrs.verb !== "create" || attrs.name) throw errors.methodNotAllowed();
      return { code: 201, body: answerReview(attrs.resource, parseJson(body), user, this.rbac) };
    }
    // Server-side apply that creates the object needs `create` too, as the API server's patch handler checks.
    if (attrs.verb === "patch" && !attrs.subresource && String(req.headers["content-type"] ?? "").startsWith("application/apply-patch")) {
      const def = RESOURCES.find((r) => r.group === attrs.apiGroup && r.plural === attrs.resource);
      if (def && !this.store.get(def, def.namespaced ? attrs.namespace : undefined, attrs.name)) {
        const create = { ...attrs, verb: "create" };
        const d = this.rbac.authorize(create);
        if (!d.allowed) throw forbidden(create, d.reason);
      }
    }
    return undefined;
  }
}

function objectName(body: string): string {
  try {
    const name = JSON.parse(body)?.metadata?.name;
    return typeof name === "string" ? name : "";
  } catch {
    return "";
  }
}

function isAuthGroup(group: string): boolean {
  return group === "authorization.k8s.io" || group === "authentication.k8s.io";
}
