import type { CommandFamily } from "../../core/command.js";

// Placeholder until this family's commands land (see its issue).
export const kubeFamily: CommandFamily = {
  name: "kube",
  summary: "Read-only cluster queries, printed the way kubectl prints them",
  commands: [],
};
