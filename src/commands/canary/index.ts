import type { CommandFamily } from "../../core/command.js";

// Placeholder until this family's commands land (see its issue).
export const canaryFamily: CommandFamily = {
  name: "canary",
  summary: "Watch, promote or abort a canary",
  commands: [],
};
