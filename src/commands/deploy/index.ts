import type { CommandFamily } from "../../core/command.js";

// Placeholder until this family's commands land (see its issue).
export const deployFamily: CommandFamily = {
  name: "deploy",
  summary: "Deploy a pull request, branch or sha to an environment",
  commands: [],
};
