import type { CommandFamily } from "../core/command.js";
import { kubeFamily } from "./kube/index.js";
import { deployFamily } from "./deploy/index.js";
import { canaryFamily } from "./canary/index.js";
import { reviewlabFamily } from "./reviewlab/index.js";
import { nodesFamily } from "./nodes/index.js";

/** Every command family, in the order help lists them. */
export function buildFamilies(): CommandFamily[] {
  return [kubeFamily, deployFamily, canaryFamily, reviewlabFamily, nodesFamily];
}
