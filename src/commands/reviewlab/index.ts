import type { CommandFamily } from "../../core/command.js";
import { startReaper } from "../../domain/reviewlab/reap-labs.js";
import { upCommand } from "./bring-up-lab.js";
import { downCommand } from "./tear-down-lab.js";
import { listCommand } from "./list-labs.js";
import { extendCommand } from "./extend-lab.js";
import { pinCommandSpec, unpinCommandSpec } from "./pin-lab.js";
import { withClearErrors } from "./explain-errors.js";

export { reapOnce } from "../../domain/reviewlab/reap-labs.js";

export const reviewlabFamily: CommandFamily = {
  name: "reviewlab",
  summary: "Review environments per branch, in their own namespace, removed when they expire or their PR closes",
  commands: [withClearErrors(upCommand), withClearErrors(downCommand), withClearErrors(listCommand), withClearErrors(extendCommand), withClearErrors(pinCommandSpec), withClearErrors(unpinCommandSpec)],
  background: [startReaper],
};
