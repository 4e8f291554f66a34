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
import { STATS_USAGE, parseStatsArgs, showStats } from "./show-stats.js";
import { lockEnvironment, lockPermission, unlockEnvironment } from "./lock-environment.js";
import { showWhere } from "./show-where.js";
import { HOME_USAGE, homeReply, parseHomeArgs } from "./show-home.js";
import { rollbackEnvironment } from "./rollback-environment.js";
import { approveCommand, rejectCommand } from "./approve-deploy.js";
import { freezeEnvironment, freezePermission, unfreezeEnvironment } from "./freeze-environment.js";
import { FREEZE_USAGE, UNFREEZE_USAGE, parseFreezeArgs, parseUnfreezeArgs } from "./parse-freeze-args.js";
import { QUEUE_USAGE, parseQueueArgs, queuePermission, runQueueCommand } from "./deploy-queue-commands.js";

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
  permission: (a) => [`deploy:${a.env}`, ...(a.force ? ["deploy:force"] : []), ...(a.breakGlass !== undefined ? ["deploy:break-glass"] : [])],
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

const stats = defineCommand({
  family: "deploy",
  verb: "stats",
  summary: "DORA figures per environment (deployment frequency, lead time for changes, change failure rate, time to restore), from GitHub Deployments.",
  usage: STATS_USAGE,
  examples: ["/deploy stats github", "/deploy stats github production --days 90"],
  sideEffects: false,
  parse: parseStatsArgs,
  permission: () => "kube:get",
  run: (a, ctx) => withClearErrors("Could not work out the figures", () => showStats(a, ctx)),
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

const home = defineCommand({
  family: "deploy",
  verb: "home",
  summary: "Every app at a glance, as Slack's App Home shows it: what runs where, locks, freezes, queues, canaries, your review labs and the last deploys (within your /kube scope).",
  usage: HOME_USAGE,
  examples: ["/deploy home"],
  sideEffects: false,
  parse: parseHomeArgs,
  permission: () => "kube:get",
  run: (_a, ctx) => withClearErrors("Could not read the overview", async () => ctx.reply.send(await homeReply(ctx))),
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

const freeze = defineCommand({
  family: "deploy",
  verb: "freeze",
  summary: "Freeze an environment for every app: deploys there are refused, naming the freeze, its reason and its end, until it ends or is lifted. Needs deploy:freeze:ENV.",
  usage: FREEZE_USAGE,
  examples: ["/deploy freeze staging 1h incident 4711", "/deploy freeze production 2d release week"],
  sideEffects: true,
  parse: parseFreezeArgs,
  permission: (a) => freezePermission(a.env),
  run: (a, ctx) => withClearErrors("Could not freeze", () => freezeEnvironment(a, ctx)),
});

const unfreeze = defineCommand({
  family: "deploy",
  verb: "unfreeze",
  summary: "Lift an environment's ad hoc freeze (the config's freeze windows stay). Needs deploy:freeze:ENV.",
  usage: UNFREEZE_USAGE,
  examples: ["/deploy unfreeze staging"],
  sideEffects: true,
  parse: parseUnfreezeArgs,
  permission: (a) => freezePermission(a.env),
  run: (a, ctx) => withClearErrors("Could not unfreeze", () => unfreezeEnvironment(a, ctx)),
});

const queue = defineCommand({
  family: "deploy",
  verb: "queue",
  summary: "An environment's deploy queue: who has the turn and who waits (`/deploy PR… to ENV --queue` joins it); `leave` takes you out.",
  usage: QUEUE_USAGE,
  examples: ["/deploy queue staging", "/deploy queue leave staging", "/deploy queue leave"],
  sideEffects: true,
  parse: parseQueueArgs,
  permission: () => queuePermission(),
  run: (a, ctx) => withClearErrors("Could not read or change the deploy queue", () => runQueueCommand(a, ctx)),
});

export const deployFamily: CommandFamily = {
  name: "deploy",
  summary: "Deploy a pull request, branch or sha to an environment",
  commands: [deploy, status, history, stats, home, lock, unlock, where, rollback, freeze, unfreeze, queue, approveCommand, rejectCommand],
};
