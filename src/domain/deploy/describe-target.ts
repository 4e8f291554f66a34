import { outside, rich, type Text } from "../../core/reply.js";
import type { Target } from "../resolve-target.js";

// A deploy target in words, for titles, lock reasons and GitHub deployment descriptions.

/** `PR #4812 "Make unicorn faster" by octocat (eed486a)`; the title and author are outside text, shown literally. */
export function describeTarget(target: Target): Text {
  if (target.pr) return rich`PR #${target.pr.number} "${outside(target.pr.title)}" by ${outside(target.pr.author)} (${target.shortSha})`;
  return `${target.label}${target.label.startsWith("sha") ? "" : ` (${target.shortSha})`}`;
}

/** `PR #4812 (eed486a)`, `branch my-branch (1a2b3c4)`, `sha 1a2b3c4`. */
export function shortTarget(target: Target): string {
  return target.pr ? `PR #${target.pr.number} (${target.shortSha})` : target.label.startsWith("sha") ? target.label : `${target.label} (${target.shortSha})`;
}
