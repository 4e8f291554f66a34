import type { CommandFamily } from "../../core/command.js";
import { defineCommand } from "../../core/command.js";
import { deployFromChat } from "./deploy-from-chat.js";
import { withClearErrors } from "../../core/with-clear-errors.js";
import {
  DEPLOY_USAGE,
  HISTORY_USAGE,
  LOCK_USAGE,
  ROLLBACK_USAGE,
  STATUS_USAGE,
  UNLOCK_USAGE,
  WHERE_USAGE,
  parseDeployArgs,
  parseHistoryArgs,
  parseLockArgs,
  parseRollbackArgs,
  parseStatusArgs,
  parseUnlockArgs,
  parseWhereArgs,
} from "./parse-deploy-args.js";
import { showStatus } from "./show-status.js";
import { showHistory } from "./show-history.js";
import { lockEnvironment, lockPermission, unlockEnvironment } from "./lock-environment.js";
import { showWhere } from "./show-where.js";
import { rollbackEnvironment } from "./rollback-environment.js";

// /deploy: ship a PR, branch or sha to an environment, and the views and locks around it.

const deploy = defineCommand({
  family: "deploy",
  verb: "",
  change: "deploy",
  summary:
    "Deploy a PR, branch or sha to an environment (there is no default environment). Production asks for confirmation, showing what each object would become; --dry-run shows that plan and changes nothing.",
  usage: DEPLOY_USAGE,
  examples: ["/deploy PR4812 to staging", "/deploy github #4812 to production", "/deploy my-branch to staging --dry-run", "/deploy PR4812 to canary"],
  sideEffects: true,
  parse: parseDeployArgs,
  permission: (a) => (a.force ? [`deploy:${a.env}`, "deploy:force"] : `deploy:${a.env}`),
  run: async (a, ctx) => {
    await withClearErrors(`Could not deploy to ${a.env}`, () => deployFromChat(a, ctx), "Nothing was changed.");
  },
});

const status = defineCommand({
  family: "deploy",
  verb: "status",
  summary: "What runs where in every environment (sha, PR, who deployed it, when), and the locks.",
  usage: STATUS_USAGE,
  examples: ["/deploy status", "/deploy status github"],
  sideEffects: false,
  parse: parseStatusArgs,
  permission: () => "kube:get",
  run: (a, ctx) => withClearErrors("Could not read the status", () => showStatus(a, ctx)),
});

const history = defineCommand({
  family: "deploy",
  verb: "history",
  summary: "Recent deployments, from GitHub Deployments.",
  usage: HISTORY_USAGE,
  examples: ["/deploy history", "/deploy history github production -n 5"],
  sideEffects: false,
  parse: parseHistoryArgs,
  permission: () => "kube:get",
  run: (a, ctx) => withClearErrors("Could not read the history", () => showHistory(a, ctx)),
});

const lock = defineCommand({
  family: "deploy",
  verb: "lock",
  summary: "Lock an environment so nobody else deploys to it; the reason is shown to anyone refused. Needs deploy:lock:ENV or deploy:ENV.",
  usage: LOCK_USAGE,
  examples: ["/deploy lock github production investigating the 500s"],
  sideEffects: true,
  parse: parseLockArgs,
  permission: (a) => lockPermission("lock", a.env),
  run: (a, ctx) => withClearErrors("Could not lock", () => lockEnvironment(a, ctx)),
});

const unlock = defineCommand({
  family: "deploy",
  verb: "unlock",
  summary: "Remove a manual lock (or an expired one). Needs deploy:unlock:ENV, or deploy:ENV when the lock's owner has no rights there that you lack.",
  usage: UNLOCK_USAGE,
  examples: ["/deploy unlock github production"],
  sideEffects: true,
  parse: parseUnlockArgs,
  permission: (a) => lockPermission("unlock", a.env),
  run: (a, ctx) => withClearErrors("Could not unlock", () => unlockEnvironment(a, ctx)),
});

const where = defineCommand({
  family: "deploy",
  verb: "where",
  summary: "The environments you may deploy the app to (from here).",
  usage: WHERE_USAGE,
  examples: ["/deploy where github"],
  sideEffects: false,
  parse: parseWhereArgs,
  permission: () => "kube:get",
  run: showWhere,
});

const rollback = defineCommand({
  family: "deploy",
  verb: "rollback",
  change: "rollback",
  summary: "Roll the app's Deployments back to their previous revision (like kubectl rollout undo).",
  usage: ROLLBACK_USAGE,
  examples: ["/deploy rollback github staging"],
  sideEffects: true,
  parse: parseRollbackArgs,
  permission: (a) => `deploy:${a.env}`,
  run: (a, ctx) => withClearErrors("Could not roll back", () => rollbackEnvironment(a, ctx)),
});

export const deployFamily: CommandFamily = {
  name: "deploy",
  summary: "Deploy a pull request, branch or sha to an environment",
  commands: [deploy, status, history, lock, unlock, where, rollback],
};
