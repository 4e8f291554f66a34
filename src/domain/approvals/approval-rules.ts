import type { TugboatConfig } from "../../config/schema.js";

// Who may approve a deploy to an environment (the two-person rule), from the environment's `approvals` config:
// people bound to one of the `from` roles (in the deploy's channel) or in one of its Slack user groups, never the
// asker unless `allowSelf`.

export interface ApprovalRules {
  required: number;
  /** Role names and Slack user group ids (S…). */
  from: string[];
  allowSelf: boolean;
  timeoutMinutes: number;
}

/** A Slack user group id, as `from` names them (anything else there is a role). */
export const USER_GROUP_ID = /^S[A-Z0-9]{2,20}$/;

/** The rules of an environment as configured (a canary environment has its own; promoting meets the base's), or undefined. */
export function approvalRulesFor(config: Pick<TugboatConfig, "environments">, env: string): ApprovalRules | undefined {
  const envConfig = Object.hasOwn(config.environments, env) ? config.environments[env] : undefined;
  return envConfig?.approvals;
}

export interface WhoMayApprove {
  roles: string[];
  groups: string[];
  /** People bound to those roles by name (in the deploy's channel), the asker left out unless allowed. */
  users: string[];
}

/** Who may approve, as far as the config says (members of groups are known only to Slack). */
export function whoMayApprove(config: Pick<TugboatConfig, "bindings" | "roles">, rules: ApprovalRules, channel: string, asker: string): WhoMayApprove {
  const roles = rules.from.filter((f) => !USER_GROUP_ID.test(f) && Object.hasOwn(config.roles, f));
  const groups = new Set(rules.from.filter((f) => USER_GROUP_ID.test(f)));
  const users = new Set<string>();
  for (const b of config.bindings) {
    if (!roles.includes(b.role) || (b.channels && !b.channels.includes(channel))) continue;
    b.users.forEach((u) => users.add(u));
    b.groups.forEach((g) => groups.add(g));
  }
  if (!rules.allowSelf) users.delete(asker);
  return { roles, groups: [...groups], users: [...users] };
}
