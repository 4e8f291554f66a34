import type { CommandContext } from "./command.js";

// Reading views (/deploy status and history, /canary status, /lab list) show what runs in a namespace (shas, who
// deployed, lock reasons), so they follow the caller's /kube scope (roles.<role>.kube clusters and namespaces): what
// `/kube get` would refuse is left out.

export interface Place {
  cluster: string;
  namespace: string;
}

/** Whether the caller may read this namespace; with no known place, only a caller whose scope is unlimited may. */
export async function mayRead(ctx: CommandContext, place: Place | undefined): Promise<boolean> {
  // "*" as the value matches only a role whose cluster and namespace limits include the pattern "*" (or that has none).
  return ctx.auth.allows("kube:get", place ?? { cluster: "*", namespace: "*" });
}

/** One line naming what the scope left out, or undefined when nothing was. */
export function hiddenNote(hidden: string[]): string | undefined {
  if (hidden.length === 0) return undefined;
  return `Not shown (outside your /kube scope): ${hidden.join(", ")}.`;
}

/**
 * Reading views go together: a view is open to its own permission (`canary:status`), and to anyone with
 * `kube:get` within their /kube scope, like /deploy status and /nodes list. Specs ask for `<own>|kube:get`.
 */
export function viewPermission(own: string): string {
  return `${own}|kube:get`;
}

/** Inside run, once the place is known: the view's own permission, or kube:get for this place. */
export async function requireView(ctx: CommandContext, own: string, place: Place): Promise<void> {
  if (await ctx.auth.allows(own)) return;
  await ctx.auth.require("kube:get", place);
}
