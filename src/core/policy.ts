import type { TugboatConfig, RoleConfig } from "../config/schema.js";
import type { Actor, PermissionScope } from "./command.js";
import { DeniedError } from "./errors.js";
import { globMatches, limitedToNamespaces } from "../config/glob.js";

// Roles and bindings, denied by default: no binding, no action.

/** Answers "which user groups is this user in"; the Slack adapter backs it with usergroups.users.list. */
export interface GroupDirectory {
  groupsOf(userId: string, groupIds: string[]): Promise<Set<string>>;
}

export const noGroups: GroupDirectory = { groupsOf: async () => new Set() };

export interface Decision {
  allowed: boolean;
  /** Why not, naming the missing permission or the scope that was refused. */
  reason?: string;
}

/** `*` matches everything; `canary:*` matches `canary:promote`; otherwise exact. */
export function permissionMatches(granted: string, wanted: string): boolean {
  if (granted === "*" || granted === wanted) return true;
  if (granted.endsWith(":*")) return wanted.startsWith(granted.slice(0, -1));
  return false;
}

export class Policy {
  constructor(
    private readonly config: Pick<TugboatConfig, "roles" | "bindings">,
    private readonly groups: GroupDirectory,
  ) {}

  /** The roles bound to this actor in this channel. */
  async rolesFor(actor: Actor, channelId: string): Promise<Array<{ name: string; role: RoleConfig }>> {
    return this.rolesIn(actor, await this.memberOf(actor), channelId);
  }

  /** The roles bound to this actor here and the Slack groups (named in bindings) they are in: who they are to a cluster. */
  async identityOf(actor: Actor, channelId: string): Promise<{ roles: string[]; groups: string[] }> {
    const memberOf = await this.memberOf(actor);
    return { roles: this.rolesIn(actor, memberOf, channelId).map((r) => r.name), groups: [...memberOf] };
  }

  private async memberOf(actor: Actor): Promise<Set<string>> {
    const groupIds = [...new Set(this.config.bindings.flatMap((b) => b.groups))];
    return groupIds.length > 0 ? this.groups.groupsOf(actor.id, groupIds) : new Set<string>();
  }

  /** Roles from bindings naming the actor or one of their groups; `channelId` undefined means "any channel". */
  private rolesIn(actor: Actor, memberOf: Set<string>, channelId: string | undefined): Array<{ name: string; role: RoleConfig }> {
    const names = new Set<string>();
    for (const b of this.config.bindings) {
      if (channelId !== undefined && b.channels && !b.channels.includes(channelId)) continue;
      if (b.users.includes(actor.id) || b.groups.some((g) => memberOf.has(g))) names.add(b.role);
    }
    return [...names].filter((name) => Object.hasOwn(this.config.roles, name)).map((name) => ({ name, role: this.config.roles[name]! }));
  }

  /**
   * `permission` may name alternatives, `deploy:lock:production|deploy:production`: any one of them allows.
   * Config permissions cannot contain `|`, so only commands ask this way.
   */
  async authorize(actor: Actor, channelId: string, permission: string, scope: PermissionScope = {}): Promise<Decision> {
    const memberOf = await this.memberOf(actor);
    const alternatives = permission.split("|");
    const grants = ({ role }: { role: RoleConfig }) => role.permissions.some((p) => alternatives.some((wanted) => permissionMatches(p, wanted)));
    const granting = this.rolesIn(actor, memberOf, channelId).filter(grants);
    if (granting.length === 0) {
      const named = alternatives.map((a) => `\`${a}\``).join(" or ");
      // Granted elsewhere (directly or through a group) means a channel-limited binding: say so.
      if (this.rolesIn(actor, memberOf, undefined).some(grants)) {
        return { allowed: false, reason: `no role bound to you grants ${named} in this channel (your bindings for it are limited to other channels)` };
      }
      return { allowed: false, reason: `you need the ${named} permission; no role bound to you grants it${this.roleHint(alternatives)}` };
    }
    if (!permission.startsWith("kube:") || Object.keys(scope).length === 0) return { allowed: true };

    // Scope narrowing applies to kube permissions: one granting role must allow every part of the scope.
    const refusals: string[] = [];
    for (const { role } of granting) {
      const refusal = scopeRefusal(role, scope);
      if (!refusal) return { allowed: true };
      refusals.push(refusal);
    }
    return { allowed: false, reason: refusals[0] };
  }

  /** Names the configured roles that grant one of `wanted` (catch-all `*` roles last), so a denial says what to ask for. */
  private roleHint(wanted: string[]): string {
    const granting = Object.entries(this.config.roles)
      .map(([name, role]) => ({ name, all: role.permissions.includes("*"), grants: wanted.find((w) => role.permissions.some((p) => permissionMatches(p, w))) }))
      .filter((c) => c.grants !== undefined)
      .sort((a, b) => Number(a.all) - Number(b.all));
    if (granting.length === 0) return " (and no configured role does)";
    const [first] = granting;
    if (granting.length === 1) return `. Ask for role \`${first!.name}\`, which grants \`${first!.grants}\``;
    return `. Ask for role \`${first!.name}\`, which grants \`${first!.grants}\` (so do ${granting.slice(1).map((c) => `\`${c.name}\``).join(", ")})`;
  }

  /** Whether a role bound to this user in any channel grants `permission` (to compare someone else's rights). */
  async grantedAnywhere(actor: Actor, permission: string): Promise<boolean> {
    const roles = this.rolesIn(actor, await this.memberOf(actor), undefined);
    return roles.some(({ role }) => role.permissions.some((p) => permissionMatches(p, permission)));
  }

  /**
   * Whether the actor is one of `entries` in this channel: bound here to a role named there, or in a Slack user
   * group named there (S…). Approvals use it (environments.<env>.approvals.from).
   */
  async isOneOf(actor: Actor, channelId: string, entries: string[]): Promise<boolean> {
    if (this.rolesIn(actor, await this.memberOf(actor), channelId).some((r) => entries.includes(r.name))) return true;
    const groups = entries.filter((e) => /^S[A-Z0-9]{2,20}$/.test(e));
    return groups.length > 0 && (await this.groups.groupsOf(actor.id, groups)).size > 0;
  }

  /** Throws DeniedError when not allowed. */
  async require(actor: Actor, channelId: string, permission: string, scope?: PermissionScope): Promise<void> {
    const decision = await this.authorize(actor, channelId, permission, scope);
    if (!decision.allowed) throw new DeniedError(`Denied: ${decision.reason}.`, permission);
  }
}

function scopeRefusal(role: RoleConfig, scope: PermissionScope): string | undefined {
  const limits = role.kube ?? {};
  if (scope.cluster && limits.clusters && !limits.clusters.some((p) => globMatches(p, scope.cluster!))) {
    return `cluster \`${scope.cluster}\` is not allowed for you`;
  }
  if (scope.namespace && limits.namespaces && !limits.namespaces.some((p) => globMatches(p, scope.namespace!))) {
    return `namespace \`${scope.namespace}\` is not allowed for you`;
  }
  if (scope.resource && scope.namespace === undefined && limitedToNamespaces(limits) && !(limits.clusterScoped ?? []).includes(scope.resource)) {
    // A cluster-scoped read: namespace names, nodes, cluster roles… say what runs beyond the role's namespaces.
    return `cluster-scoped type \`${scope.resource}\` is not allowed for you (your role is limited to namespaces; roles.<role>.kube.clusterScoped must name it)`;
  }
  if (scope.resource) {
    // Secrets are never covered by a wildcard: a role must name them.
    if (scope.resource === "secrets") {
      if (!(limits.resources ?? []).includes("secrets")) return "type `secrets` is not allowed for you (a role must name secrets explicitly)";
    } else if (limits.resources && !limits.resources.some((p) => globMatches(p, scope.resource!))) {
      return `type \`${scope.resource}\` is not allowed for you`;
    }
  }
  return undefined;
}
