import type { CommandFamily } from "../../core/command.js";

// Placeholder until this family's commands land (see its issue).
export const reviewlabFamily: CommandFamily = {
  name: "reviewlab",
  summary: "Review environments per branch, in their own namespace",
  commands: [],
};
