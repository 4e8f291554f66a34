import type { Target } from "../resolve-target.js";

// A deploy target in words, for titles, lock reasons and GitHub deployment descriptions.

/** `PR #4812 "Make unicorn faster" by octocat (eed486a)`. */
export function describeTarget(target: Target): string {
  if (target.pr) return `PR #${target.pr.number} "${target.pr.title}" by ${target.pr.author} (${target.shortSha})`;
  return `${target.label}${target.label.startsWith("sha") ? "" : ` (${target.shortSha})`}`;
}

/** `PR #4812 (eed486a)`, `branch my-branch (1a2b3c4)`, `sha 1a2b3c4`. */
export function shortTarget(target: Target): string {
  return target.pr ? `PR #${target.pr.number} (${target.shortSha})` : target.label.startsWith("sha") ? target.label : `${target.label} (${target.shortSha})`;
}
