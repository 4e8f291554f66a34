import type { CommandFamily } from "../../core/command.js";

// Placeholder until this family's commands land (see its issue).
export const nodesFamily: CommandFamily = {
  name: "nodes",
  summary: "Node pools: list them and add capacity",
  commands: [],
};
