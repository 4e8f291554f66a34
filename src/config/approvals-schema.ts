import { z } from "zod";

// environments.<env>.approvals: the two-person rule (src/domain/approvals). `from` names roles of this config or
// Slack user group ids (S…); which is which is checked against the roles in schema.ts.

/** Built with the config schema (buildConfigSchema), not kept at module level. */
export function approvalsSchema() {
  return z
    .object({
      /** How many approvals a deploy needs before it starts. */
      required: z.number().int().min(1).max(10).default(1),
      from: z.array(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/, "a role name or a Slack user group id (S…)")).min(1),
      /** Whether the asker's own approval counts (off: the two-person rule). */
      allowSelf: z.boolean().default(false),
      /** How long the request waits before it ends as not approved. */
      timeoutMinutes: z.number().int().positive().max(7 * 24 * 60).default(30),
    })
    .strict();
}

/** Whether a role's permissions grant `deploy:approve` (`*`, `deploy:*` or the permission itself). */
function grantsApprove(permissions: string[]): boolean {
  return permissions.some((p) => p === "*" || p === "deploy:*" || p === "deploy:approve");
}

/**
 * Issues for `from` entries (path relative to the approvals): each must be a Slack user group id or a configured role
 * that grants `deploy:approve` (a vote needs that permission, so a role without it would be listed on the card as an
 * approver and then refused).
 */
export function approvalSourceProblems(from: string[], roles: Record<string, { permissions: string[] }>): Array<{ index: number; message: string }> {
  return from.flatMap((f, index) => {
    if (/^S[A-Z0-9]{2,20}$/.test(f)) return [];
    if (!Object.hasOwn(roles, f)) return [{ index, message: `expected one of the roles (${Object.keys(roles).join(", ")}) or a Slack user group id (S…)` }];
    return grantsApprove(roles[f]!.permissions) ? [] : [{ index, message: `role ${f} cannot approve: give it the deploy:approve permission` }];
  });
}
