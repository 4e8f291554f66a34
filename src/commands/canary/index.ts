import type { CommandFamily } from "../../core/command.js";
import { defineCommand } from "../../core/command.js";
import { abortCanary } from "./abort-canary.js";
import { CANARY_ABORT_USAGE, CANARY_PROMOTE_USAGE, CANARY_STATUS_USAGE, parseCanaryAbortArgs, parseCanaryPromoteArgs, parseCanaryStatusArgs } from "./parse-canary-args.js";
import { promoteCanary } from "./promote-canary.js";
import { showCanaryStatus } from "./show-canary-status.js";
import { startCanaryGuard } from "./canary-guard.js";
import { withClearErrors } from "../../core/with-clear-errors.js";
import { viewPermission } from "../../core/kube-scope.js";

// /canary: the one-pod canary started by `/deploy PR… to canary`.

const status = defineCommand({
  family: "canary",
  verb: "status",
  summary: "The canary against stable: ready, restarts, age and sha.",
  usage: CANARY_STATUS_USAGE,
  examples: ["/canary status", "/canary status github"],
  sideEffects: false,
  parse: parseCanaryStatusArgs,
  permission: () => viewPermission("canary:status"),
  run: (a, ctx) => withClearErrors("Could not read the canary", () => showCanaryStatus(a, ctx)),
});

const promote = defineCommand({
  family: "canary",
  verb: "promote",
  summary: "Deploy the canary's sha to production (confirmation and lock included), then remove the canary.",
  usage: CANARY_PROMOTE_USAGE,
  examples: ["/canary promote"],
  sideEffects: true,
  parse: parseCanaryPromoteArgs,
  permission: (a) => (a.force ? ["canary:promote", "deploy:force"] : "canary:promote"),
  run: (a, ctx) => withClearErrors("Could not promote the canary", () => promoteCanary(a, ctx)),
});

const abort = defineCommand({
  family: "canary",
  verb: "abort",
  summary: "Remove the canary; production keeps its stable pods.",
  usage: CANARY_ABORT_USAGE,
  examples: ["/canary abort"],
  sideEffects: true,
  parse: parseCanaryAbortArgs,
  permission: () => "canary:abort",
  run: (a, ctx) => withClearErrors("Could not abort the canary", () => abortCanary(a, ctx)),
});

export const canaryFamily: CommandFamily = {
  name: "canary",
  summary: "Follow, promote or abort a canary",
  commands: [status, promote, abort],
  background: [startCanaryGuard],
};
