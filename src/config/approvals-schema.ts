import { z } from "zod";

// environments.<env>.approvals: the two-person rule (src/domain/approvals). `from` names roles of this config or
// Slack user group ids (S…); which is which is checked against the roles in schema.ts.

export const approvalsSchema = z
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

/** Issues for `from` entries that are neither a configured role nor a user group id (path relative to the approvals). */
export function approvalSourceProblems(from: string[], roles: Record<string, unknown>): Array<{ index: number; message: string }> {
  return from.flatMap((f, index) =>
    /^S[A-Z0-9]{2,20}$/.test(f) || Object.hasOwn(roles, f) ? [] : [{ index, message: `expected one of the roles (${Object.keys(roles).join(", ")}) or a Slack user group id (S…)` }],
  );
}
