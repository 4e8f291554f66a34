import type { CommandContext } from "../../core/command.js";
import { UsageError } from "../../core/errors.js";
import { dataReply, noteReply } from "./chat-output.js";
import { KubeQuery, contextLine } from "./kube-query.js";
import { firstPodFor } from "./logs-target.js";
import type { V1Pod } from "../../gateways/kube-models.js";
import { LOGS_USAGE, type LogsArgs } from "./parse-kube-args.js";

// /kube logs: the last N lines (default 50, at most 500) of one container, like kubectl logs. TYPE/NAME reads the
// pod kubectl would pick for that object, and the context line says which one.

const DEFAULT_CONTAINER = "kubectl.kubernetes.io/default-container";

export async function runLogs(args: LogsArgs, ctx: CommandContext): Promise<void> {
  const { kube: kubeConfig } = ctx.services.config;
  const max = Math.min(kubeConfig.logTailMax, 500);
  const tail = args.tail ?? Math.min(kubeConfig.logTailDefault, max);
  if (tail > max) throw new UsageError(`--tail must be a whole number from 1 to ${max}, not ${tail}`, LOGS_USAGE);

  const q = KubeQuery.open(ctx, { cluster: args.cluster, namespace: args.namespace });
  const namespace = q.namespaceOr(args.namespace);
  const pods = await q.resolve("pods", "get");
  await q.authorize(pods, namespace);

  let podName = args.pod;
  let picked: V1Pod | undefined;
  let chose = "";
  if (args.type) {
    const first = await firstPodFor(q, args.type, args.pod, namespace);
    picked = first.pod;
    podName = first.pod.metadata?.name ?? args.pod;
    chose = ` · ${first.kind}/${args.pod}: ${first.count === 1 ? "its only pod" : `first of ${first.count} pods`}`;
  }
  ctx.audit({ namespace, types: ["pods/log"], pod: podName, ...(args.type ? { target: `${args.type}/${args.pod}` } : {}) });

  let container = args.container;
  let note = "";
  if (!container) {
    // As kubectl does: the default-container annotation, else the first container (and say so when there are several).
    const pod = picked ?? (await q.callOr((c) => c.pods.get(podName, namespace), "not-found"));
    if (!pod) return q.notFound(pods, podName, namespace);
    const names = (pod.spec?.containers ?? []).map((c) => c.name);
    const annotated = pod.metadata?.annotations?.[DEFAULT_CONTAINER];
    container = annotated && names.includes(annotated) ? annotated : names[0];
    if (names.length > 1) note = ` · defaulted container "${container}" out of: ${names.join(", ")}`;
  }

  const text = await q.callOr((c) => c.logs(namespace, podName, { container, tailLines: tail, sinceSeconds: args.sinceSeconds }), "not-found");
  if (text === undefined) return q.notFound(pods, podName, namespace);
  const context = `${contextLine(q.cluster, namespace)}${chose} · pod: ${podName} · container: ${container ?? "?"}${note}`;
  const summary = `logs ${podName} -n ${namespace} on ${q.cluster}`;
  const body = text.replace(/\n$/, "");
  if (body === "") return ctx.reply.send(noteReply(`${summary}: no lines`, context, `No log lines${args.sinceSeconds ? " in that time" : ""}.`));
  const lineCount = body.split("\n").length;
  await ctx.reply.send(
    dataReply({ summary: `${summary}: ${lineCount} line${lineCount === 1 ? "" : "s"}`, context, text: body, unit: "lines", filename: `${podName}.log` }),
  );
}

