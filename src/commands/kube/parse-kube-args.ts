import { parseDuration, parseFlags, type FlagSpecs } from "../../core/args.js";
import { UsageError } from "../../core/errors.js";
import { getOwn } from "../../core/own-keys.js";
import { REFUSED_SHORTS, REJECTED_FLAGS } from "../../core/kubectl-refused-flags.js";
import { parseFieldPath, type FieldPath } from "./jsonpath.js";

// The /kube grammar: read verbs only, kubectl's flag names, identity- and target-changing flags refused by name.

export const GET_USAGE =
  "/kube get <type>[,<type>...] [NAME...] [-n NS | -A] [-l SELECTOR] [--field-selector F] [-o wide|yaml|json|name] [--show-labels] [--sort-by FIELD] [--cluster C]";
export const DESCRIBE_USAGE = "/kube describe <type> [NAME | -l SELECTOR] [-n NS] [--cluster C]";
export const LOGS_USAGE = "/kube logs POD|TYPE/NAME [-c CONTAINER] [--tail N] [--since 10m] [-n NS] [--cluster C]";
export const EVENTS_USAGE = "/kube events [-n NS | -A] [--for TYPE/NAME] [--cluster C]";
export const READ_VERBS = ["get", "describe", "logs", "events", "help"];

export const TAIL_DEFAULT = 50;
export const TAIL_MAX = 500;

export type OutputFormat = "table" | "wide" | "yaml" | "json" | "name";

export interface GetArgs {
  /** One entry per requested type, in order; names empty = list. */
  requests: Array<{ type: string; names: string[] }>;
  namespace?: string;
  allNamespaces: boolean;
  selector?: string;
  fieldSelector?: string;
  output: OutputFormat;
  sortBy?: FieldPath;
  cluster?: string;
  /** True when more than one type was asked for (kubectl then prefixes names with the kind). */
  multiType: boolean;
  /** --show-labels: a LABELS column (tables only, as in kubectl). */
  showLabels: boolean;
}

export interface DescribeArgs {
  type: string;
  /** Without one, every object of the type in the namespace (or those matching `selector`), as kubectl does. */
  name?: string;
  selector?: string;
  namespace?: string;
  cluster?: string;
}

export interface LogsArgs {
  /** The pod, or with `type` the object whose first pod (as kubectl picks it) is read. */
  pod: string;
  /** TYPE of a TYPE/NAME argument other than pods (`deploy`, `rs`, `svc`, …). */
  type?: string;
  container?: string;
  tail?: number;
  sinceSeconds?: number;
  namespace?: string;
  cluster?: string;
}

export interface EventsArgs {
  namespace?: string;
  allNamespaces: boolean;
  forType?: string;
  forName?: string;
  cluster?: string;
}

const COMMON: FlagSpecs = {
  namespace: { kind: "string", short: "n" },
  cluster: { kind: "string" },
};

const GET_FLAGS: FlagSpecs = {
  ...COMMON,
  ...REFUSED_SHORTS,
  "all-namespaces": { kind: "boolean", short: "A" },
  selector: { kind: "string", short: "l" },
  "field-selector": { kind: "string" },
  output: { kind: "string", short: "o" },
  "sort-by": { kind: "string" },
  "show-labels": { kind: "boolean" },
};

const DESCRIBE_FLAGS: FlagSpecs = { ...COMMON, ...REFUSED_SHORTS, selector: { kind: "string", short: "l" } };

const LOGS_FLAGS: FlagSpecs = {
  ...COMMON,
  ...REFUSED_SHORTS,
  container: { kind: "string", short: "c" },
  tail: { kind: "string" },
  since: { kind: "string" },
};

const EVENTS_FLAGS: FlagSpecs = {
  ...COMMON,
  ...REFUSED_SHORTS,
  "all-namespaces": { kind: "boolean", short: "A" },
  for: { kind: "string" },
};

const OUTPUTS: Record<string, OutputFormat> = { wide: "wide", yaml: "yaml", json: "json", name: "name" };

const NAMESPACE_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const NAME_RE = /^[A-Za-z0-9]([-A-Za-z0-9_.:@]*[A-Za-z0-9])?$/;
const TYPE_RE = /^[A-Za-z0-9]([-A-Za-z0-9.]*[A-Za-z0-9])?$/;
const CLUSTER_RE = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

export function checkNamespace(ns: string | undefined, usage: string): string | undefined {
  if (ns === undefined) return undefined;
  if (ns.length > 63 || !NAMESPACE_RE.test(ns)) {
    throw new UsageError(`"${short(ns)}" is not a valid namespace name (lower-case letters, digits and '-', at most 63 characters)`, usage);
  }
  return ns;
}

export function checkName(name: string, what: string, usage: string): string {
  if (name === "") throw new UsageError(`empty ${what}`, usage);
  if (name.length > 253 || !NAME_RE.test(name)) throw new UsageError(`"${short(name)}" is not a valid ${what}`, usage);
  return name;
}

export function checkType(type: string, usage: string): string {
  if (type === "") throw new UsageError("empty type name (e.g. pods, deploy, svc)", usage);
  if (type.length > 253 || !TYPE_RE.test(type)) throw new UsageError(`"${short(type)}" is not a valid type name (e.g. pods, deploy, deployments.apps)`, usage);
  return type;
}

function checkCluster(c: string | undefined, usage: string): string | undefined {
  if (c === undefined) return undefined;
  if (c.length > 100 || !CLUSTER_RE.test(c)) throw new UsageError(`"${short(c)}" is not a valid cluster name`, usage);
  return c;
}

/** Characters a label or field selector can hold; anything else (quotes, `$`, `;`) is a typo or an attack. */
const SELECTOR_RE = /^[A-Za-z0-9_.\/=!,() :@+-]*$/;

function checkSelector(sel: string | undefined, flag: string, usage: string): string | undefined {
  if (sel === undefined) return undefined;
  if (sel.trim() === "" || sel.length > 500 || !SELECTOR_RE.test(sel)) {
    throw new UsageError(`${flag} "${short(sel)}" is not a valid selector (e.g. app=unicorn,env!=test or 'tier in (web,api)')`, usage);
  }
  return sel;
}

function short(s: string): string {
  const printable = s.replace(/[^\x20-\x7e]/g, "?");
  return printable.length > 60 ? printable.slice(0, 57) + "..." : printable;
}

export function parseGetArgs(words: string[]): GetArgs {
  const usage = GET_USAGE;
  const { positionals, flags } = parseFlags(words, GET_FLAGS, usage, REJECTED_FLAGS);
  if (positionals.length === 0) throw new UsageError("get needs a type, e.g. `/kube get pods -n github-staging`", usage);
  const all = flags["all-namespaces"] === true;
  const namespace = checkNamespace(str(flags.namespace), usage);
  if (all && namespace !== undefined) throw new UsageError("-A (all namespaces) and -n cannot be used together", usage);

  const requests: GetArgs["requests"] = [];
  let multiType: boolean;
  if (positionals.some((p) => p.includes("/"))) {
    // kubectl's TYPE/NAME form: every argument must then be TYPE/NAME.
    for (const p of positionals) {
      const slash = p.indexOf("/");
      if (slash < 0) throw new UsageError(`"${short(p)}": when one argument is TYPE/NAME, all must be (e.g. \`pod/a deploy/b\`)`, usage);
      const type = checkType(p.slice(0, slash), usage);
      const name = checkName(p.slice(slash + 1), "name", usage);
      const existing = requests.find((r) => r.type.toLowerCase() === type.toLowerCase());
      if (existing) existing.names.push(name);
      else requests.push({ type, names: [name] });
    }
    multiType = true;
  } else {
    const [typeList, ...names] = positionals;
    const types = typeList!.split(",").map((t) => checkType(t, usage));
    for (const n of names) checkName(n, "name", usage);
    if (names.length > 0 && types.length > 1) {
      throw new UsageError("names can be given with one type only (or use TYPE/NAME pairs such as `pod/a svc/b`)", usage);
    }
    for (const t of types) requests.push({ type: t, names: [...names] });
    multiType = types.length > 1;
  }
  if (requests.length > 10) throw new UsageError("at most 10 types at once", usage);
  const named = requests.some((r) => r.names.length > 0);
  if (named && requests.reduce((n, r) => n + r.names.length, 0) > 50) throw new UsageError("at most 50 names at once", usage);

  const selector = checkSelector(str(flags.selector), "-l", usage);
  const fieldSelector = checkSelector(str(flags["field-selector"]), "--field-selector", usage);
  if (named && (selector !== undefined || fieldSelector !== undefined)) {
    throw new UsageError("names cannot be combined with -l or --field-selector", usage);
  }
  if (named && all) throw new UsageError("an object cannot be fetched by name across all namespaces; use -n", usage);

  let output: OutputFormat = "table";
  const o = str(flags.output);
  if (o !== undefined) {
    const f = getOwn(OUTPUTS, o.toLowerCase());
    if (!f) throw new UsageError(`-o must be one of wide, yaml, json, name (not "${short(o)}")`, usage);
    output = f;
  }
  const showLabels = flags["show-labels"] === true;
  // kubectl's own refusal: labels are a column, and only tables have columns.
  if (showLabels && output !== "table" && output !== "wide") throw new UsageError(`--show-labels option cannot be used with ${output} printer`, usage);
  const sortByRaw = str(flags["sort-by"]);
  const sortBy = sortByRaw !== undefined ? parseFieldPath(sortByRaw, usage) : undefined;

  return {
    requests,
    namespace,
    allNamespaces: all,
    selector,
    fieldSelector,
    output,
    sortBy,
    cluster: checkCluster(str(flags.cluster), usage),
    multiType,
    showLabels,
  };
}

export function parseDescribeArgs(words: string[]): DescribeArgs {
  const usage = DESCRIBE_USAGE;
  const { positionals, flags } = parseFlags(words, DESCRIBE_FLAGS, usage, REJECTED_FLAGS);
  let type: string;
  let name: string | undefined;
  if (positionals.length === 1 && positionals[0]!.includes("/")) {
    const p = positionals[0]!;
    type = p.slice(0, p.indexOf("/"));
    name = p.slice(p.indexOf("/") + 1);
  } else if (positionals.length === 1 || positionals.length === 2) {
    [type, name] = positionals as [string, string | undefined];
  } else if (positionals.length === 0) {
    throw new UsageError("describe needs a type, e.g. `/kube describe deploy unicorn -n github-staging` (without a name: every object of the type)", usage);
  } else {
    throw new UsageError("describe takes one type and one name", usage);
  }
  const selector = checkSelector(str(flags.selector), "-l", usage);
  if (name !== undefined && selector !== undefined) throw new UsageError("a name cannot be combined with -l", usage);
  return {
    type: checkType(type, usage),
    ...(name !== undefined ? { name: checkName(name, "name", usage) } : {}),
    ...(selector !== undefined ? { selector } : {}),
    namespace: checkNamespace(str(flags.namespace), usage),
    cluster: checkCluster(str(flags.cluster), usage),
  };
}

export function parseLogsArgs(words: string[]): LogsArgs {
  const usage = LOGS_USAGE;
  const { positionals, flags } = parseFlags(words, LOGS_FLAGS, usage, REJECTED_FLAGS);
  if (positionals.length === 0) throw new UsageError("logs needs a pod name, e.g. `/kube logs unicorn-7d9f8b6c5d-x2x4q -n github-staging`", usage);
  if (positionals.length > 1) throw new UsageError("logs takes one pod name (use -c to pick a container)", usage);
  let pod = positionals[0]!;
  let type: string | undefined;
  if (pod.includes("/")) {
    const [t, name] = [pod.slice(0, pod.indexOf("/")), pod.slice(pod.indexOf("/") + 1)];
    if (!["pod", "pods", "po"].includes(t.toLowerCase())) type = checkType(t, usage);
    pod = name;
  }
  let tail: number | undefined;
  const tailRaw = str(flags.tail);
  if (tailRaw !== undefined) {
    if (!/^\d+$/.test(tailRaw) || Number(tailRaw) < 1 || Number(tailRaw) > TAIL_MAX) {
      throw new UsageError(`--tail must be a whole number from 1 to ${TAIL_MAX}, not "${short(tailRaw)}"`, usage);
    }
    tail = Number(tailRaw);
  }
  const sinceRaw = str(flags.since);
  let sinceSeconds: number | undefined;
  if (sinceRaw !== undefined) {
    sinceSeconds = parseDuration(sinceRaw, "--since", usage);
    if (sinceSeconds <= 0) throw new UsageError("--since must be longer than 0s", usage);
  }
  const container = str(flags.container);
  return {
    pod: checkName(pod, type ? "name" : "pod name", usage),
    ...(type ? { type } : {}),
    container: container === undefined ? undefined : checkName(container, "container name", usage),
    tail,
    sinceSeconds,
    namespace: checkNamespace(str(flags.namespace), usage),
    cluster: checkCluster(str(flags.cluster), usage),
  };
}

export function parseEventsArgs(words: string[]): EventsArgs {
  const usage = EVENTS_USAGE;
  const { positionals, flags } = parseFlags(words, EVENTS_FLAGS, usage, REJECTED_FLAGS);
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${short(positionals[0]!)}" (use --for TYPE/NAME)`, usage);
  const all = flags["all-namespaces"] === true;
  const namespace = checkNamespace(str(flags.namespace), usage);
  if (all && namespace !== undefined) throw new UsageError("-A (all namespaces) and -n cannot be used together", usage);
  let forType: string | undefined;
  let forName: string | undefined;
  const f = str(flags.for);
  if (f !== undefined) {
    const slash = f.indexOf("/");
    if (slash <= 0 || slash === f.length - 1) throw new UsageError(`--for needs TYPE/NAME, e.g. --for pod/unicorn-abc (not "${short(f)}")`, usage);
    forType = checkType(f.slice(0, slash), usage);
    forName = checkName(f.slice(slash + 1), "name", usage);
  }
  return { namespace, allNamespaces: all, forType, forName, cluster: checkCluster(str(flags.cluster), usage) };
}

/** Verbs kubectl has that change things or open sessions: named in the refusal. */
const WRITE_VERBS = new Set([
  "delete", "exec", "edit", "apply", "create", "patch", "replace", "scale", "rollout", "port-forward", "cp", "label",
  "annotate", "set", "drain", "cordon", "uncordon", "taint", "attach", "run", "expose", "autoscale", "debug", "proxy",
  "restart", "kustomize", "wait", "certificate", "auth", "config", "plugin",
]);

/** A verb that is not a read verb: always a usage error saying /kube is read-only. */
export function refuseVerb(words: string[]): never {
  const usage = [GET_USAGE, DESCRIBE_USAGE, LOGS_USAGE, EVENTS_USAGE].join("\n");
  const verb = words[0];
  if (verb === undefined || verb === "") {
    throw new UsageError("/kube needs a verb: get, describe, logs or events (/kube is read-only)", usage);
  }
  const v = short(verb);
  if (WRITE_VERBS.has(verb.toLowerCase())) {
    throw new UsageError(`/kube is read-only: \`${v}\` is not available from chat (read verbs: get, describe, logs, events)`, usage);
  }
  if (verb.startsWith("-")) {
    // Flags before the verb (`/kube --as x get pods`): refuse identity flags by name, anything else as misplaced.
    const name = verb.replace(/^-+/, "").split("=")[0]!;
    const refusal = getOwn(REJECTED_FLAGS, name);
    if (refusal) throw new UsageError(refusal, usage);
    throw new UsageError(`put the verb first, e.g. \`/kube get pods -n NS\` (/kube is read-only: get, describe, logs, events)`, usage);
  }
  throw new UsageError(`unknown verb "${v}": /kube is read-only and knows get, describe, logs, events and help`, usage);
}
