// Role scopes (roles.<role>.kube) are globs with `*` only: the policy matches them, and the config checks them
// against each other when it loads.

/** Glob with `*` only (e.g. `github-*`). */
export function globMatches(pattern: string, value: string): boolean {
  if (pattern === "*") return true;
  const re = new RegExp("^" + pattern.split("*").map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*") + "$");
  return re.test(value);
}

/** A role whose /kube scope names namespaces (other than all of them) reads cluster-scoped types only when granted. */
export function limitedToNamespaces(limits: { namespaces?: readonly string[] }): boolean {
  return limits.namespaces !== undefined && !limits.namespaces.includes("*");
}
