import { createHash } from "node:crypto";

// A branch name as a DNS-1123 label that can be part of a namespace name, without collisions:
// a branch that is already a valid label keeps its name; every other branch (cut, lowercased, or with
// characters replaced) gets a short hash of its full name appended, so two branches never share a slug.

export const LAB_NAMESPACE_PREFIX = "review-lab-";
/** A namespace name is a DNS-1123 label: at most 63 characters. */
export const MAX_NAMESPACE_LENGTH = 63;
export const MAX_SLUG_LENGTH = MAX_NAMESPACE_LENGTH - LAB_NAMESPACE_PREFIX.length;
const HASH_LENGTH = 8;
const HASH_SUFFIX = new RegExp(`-[0-9a-f]{${HASH_LENGTH}}$`);
const LABEL = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

export function branchHash(branch: string): string {
  return createHash("sha256").update(branch, "utf8").digest("hex").slice(0, HASH_LENGTH);
}

/**
 * The slug of a branch. Unchanged when the branch already is a label of at most MAX_SLUG_LENGTH characters
 * (and does not end in something that looks like our hash suffix); otherwise `<cleaned prefix>-<hash>`.
 */
export function labSlug(branch: string): string {
  if (LABEL.test(branch) && branch.length <= MAX_SLUG_LENGTH && !HASH_SUFFIX.test(branch)) return branch;
  const cleaned = branch
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  const room = MAX_SLUG_LENGTH - HASH_LENGTH - 1;
  const base = cleaned.slice(0, room).replace(/-+$/, "");
  return base ? `${base}-${branchHash(branch)}` : `b-${branchHash(branch)}`;
}

export function labNamespace(branch: string): string {
  return LAB_NAMESPACE_PREFIX + labSlug(branch);
}

export function isLabelValue(value: string): boolean {
  return value.length <= 63 && /^([A-Za-z0-9]([A-Za-z0-9_.-]*[A-Za-z0-9])?)?$/.test(value);
}
