import type { CommandFamily } from "../../core/command.js";
import { addNodesCommand } from "./add-nodes.js";
import { listPoolsCommand } from "./list-pools.js";

export const nodesFamily: CommandFamily = {
  name: "nodes",
  summary: "Node pools: list them and add capacity",
  commands: [listPoolsCommand, addNodesCommand],
};
