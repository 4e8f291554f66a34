import { defineCommand, type CommandFamily } from "../../core/command.js";
import { runDescribe } from "./describe.js";
import { runEvents } from "./events.js";
import { runGet } from "./get.js";
import { runLogs } from "./logs.js";
import {
  DESCRIBE_USAGE,
  EVENTS_USAGE,
  GET_USAGE,
  LOGS_USAGE,
  parseDescribeArgs,
  parseEventsArgs,
  parseGetArgs,
  parseLogsArgs,
  refuseVerb,
} from "./parse-kube-args.js";

// /kube: read-only cluster queries from chat, printed the way kubectl prints them.
// Every verb needs kube:get; each (cluster, namespace, type) queried is checked again against the caller's roles.

const PERMISSION = "kube:get";

const get = defineCommand({
  family: "kube",
  verb: "get",
  summary:
    "List or fetch objects of every type (pods, deploy, svc, ns, no, rs, ing, CRDs…), printed exactly as kubectl prints them. " +
    "Several types with commas; -A for all namespaces; -o wide|yaml|json|name. Secrets need a role that names them, and their values are always redacted.",
  usage: GET_USAGE,
  examples: [
    "/kube get pods -n github-staging",
    "/kube get deploy,svc -n github-production -o wide",
    "/kube get pods -A -l app=unicorn --sort-by .metadata.creationTimestamp",
    "/kube get deployment unicorn -n github-staging -o yaml",
    "/kube get machinedeployments --cluster production -n default",
  ],
  sideEffects: false,
  parse: parseGetArgs,
  permission: () => PERMISSION,
  run: runGet,
});

const describe = defineCommand({
  family: "kube",
  verb: "describe",
  summary: "kubectl-style description of one object with its Events, or without a name of every object of the type (at most 50).",
  usage: DESCRIBE_USAGE,
  examples: ["/kube describe deploy unicorn -n github-staging", "/kube describe node <name> --cluster production", "/kube describe pods -l app=unicorn -n github-staging"],
  sideEffects: false,
  parse: parseDescribeArgs,
  permission: () => PERMISSION,
  run: runDescribe,
});

const logs = defineCommand({
  family: "kube",
  verb: "logs",
  summary: "The last lines of a pod's container (--tail default 50, at most 500; --since 10m).",
  usage: LOGS_USAGE,
  examples: ["/kube logs deploy/unicorn -n github-staging --tail 20", "/kube logs unicorn-7d9f8b6c5d-x2x4q -n github-staging", "/kube logs unicorn-7d9f8b6c5d-x2x4q -c statsd --tail 200 --since 10m -n github-production"],
  sideEffects: false,
  parse: parseLogsArgs,
  permission: () => PERMISSION,
  run: runLogs,
});

const events = defineCommand({
  family: "kube",
  verb: "events",
  summary: "Recent events, oldest first, as kubectl events prints them; --for narrows to one object.",
  usage: EVENTS_USAGE,
  examples: ["/kube events -n github-staging", "/kube events -n github-staging --for deploy/unicorn", "/kube events -A --cluster production"],
  sideEffects: false,
  parse: parseEventsArgs,
  permission: () => PERMISSION,
  run: runEvents,
});

/** Every other verb: /kube is read-only, so delete, exec, edit, apply, port-forward… are usage errors. */
const readOnly = defineCommand<never>({
  family: "kube",
  verb: "",
  summary: "Anything else (delete, exec, edit, apply, scale, port-forward…) is refused: /kube is read-only.",
  usage: "/kube get|describe|logs|events …",
  examples: [],
  sideEffects: false,
  parse: refuseVerb,
  permission: () => PERMISSION,
  run: async () => undefined,
});

export const kubeFamily: CommandFamily = {
  name: "kube",
  summary: "Read-only cluster queries, printed the way kubectl prints them",
  commands: [get, describe, logs, events, readOnly],
};
