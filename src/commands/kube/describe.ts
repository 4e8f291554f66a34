import type { CommandContext } from "../../core/command.js";
import type { ApiResource, KObject, KubeObject, KindClients, KindModels, KindName } from "../../gateways/types.js";
import { formatCount } from "../../domain/format/count.js";
import { dataReply, noteReply } from "./chat-output.js";
import { describeConfigMap } from "./describe-configmap.js";
import type { DescribeCtx } from "./describe-context.js";
import { searchEvents } from "./describe-events.js";
import { describeObject } from "./describe-format.js";
import { describeDeployment } from "./describe-deployment.js";
import { describeIngress } from "./describe-ingress.js";
import { describeNamespace } from "./describe-namespace.js";
import { describeNode } from "./describe-node.js";
import { describePod } from "./describe-pod.js";
import { describeReplicaSet } from "./describe-replicaset.js";
import { describeSecret } from "./describe-secret.js";
import { describeService } from "./describe-service.js";
import { KubeQuery, contextLine } from "./kube-query.js";
import type { DescribeArgs } from "./parse-kube-args.js";
import { forDisplay } from "./redact-secret.js";

// /kube describe: kubectl's own describers for Pod, Deployment, ReplicaSet, Service, Node, Namespace, ConfigMap, Secret and Ingress (one file
// each), kubectl's generic describer for every other type; each with the Events that name the object.

/** Gets the object (typed, for kubectl's per-kind describers) and describes it; undefined when it does not exist. */
type Describe = (q: KubeQuery, res: ApiResource, name: string, namespace: string | undefined, now: Date) => Promise<string | undefined>;

/** Display copy with the type filled in (lists leave it out): managedFields dropped, Secrets redacted. */
function shown<T extends KubeObject>(obj: T, res: ApiResource): T {
  return forDisplay({ ...obj, apiVersion: obj.apiVersion ?? res.groupVersion, kind: obj.kind ?? res.kind });
}

function context<T extends KubeObject>(q: KubeQuery, obj: T, now: Date): DescribeCtx<T> {
  return { q, obj, now, events: (refs) => searchEvents(q, refs) };
}

/** A per-kind describer: the object is read through the typed kind, so it is that kind's model. */
function ofKind<K extends KindName>(kind: K, describe: (d: DescribeCtx<KindModels[K]>) => Promise<string>): Describe {
  return async (q, res, name, namespace, now) => {
    const kinds: KindClients = q.client;
    const obj = await q.callOr(() => kinds[kind].get(name, namespace), "not-found");
    return obj && describe(context(q, shown(obj, res), now));
  };
}

const DESCRIBERS: Record<string, Describe> = {
  "/Pod": ofKind("pods", describePod),
  "apps/Deployment": ofKind("deployments", describeDeployment),
  "apps/ReplicaSet": ofKind("replicaSets", describeReplicaSet),
  "/Service": ofKind("services", describeService),
  "/Node": ofKind("nodes", describeNode),
  "/Namespace": ofKind("namespaces", describeNamespace),
  "/ConfigMap": ofKind("configMaps", describeConfigMap),
  "/Secret": ofKind("secrets", describeSecret),
  "networking.k8s.io/Ingress": ofKind("ingresses", describeIngress),
};

/** kubectl's generic describer, for every other type. */
const describeGeneric: Describe = async (q, res, name, namespace, now) => {
  const raw = await q.callOr((c) => c.get(res, name, namespace), "not-found");
  if (!raw) return undefined;
  const d = context(q, shown(raw, res), now);
  const m = d.obj.metadata ?? {};
  const events = await d.events([{ name: m.name ?? name, namespace: m.namespace, kind: res.kind, uid: m.uid }]);
  return describeObject(d.obj, events, now);
};

/**
 * At most this many objects in one describe without a name: each is read again and described with its related reads
 * (events, pods…), as kubectl does, so a whole namespace of pods would be hundreds of requests. The reply says how
 * many more there are and how to narrow it.
 */
export const DESCRIBE_MAX_OBJECTS = 50;

export async function runDescribe(args: DescribeArgs, ctx: CommandContext): Promise<void> {
  const q = KubeQuery.open(ctx, { cluster: args.cluster, namespace: args.namespace });
  const res = await q.resolve(args.type, args.name === undefined ? "list" : "get");
  const namespace = res.namespaced ? q.namespaceOr(args.namespace) : undefined;
  await q.authorize(res, namespace);
  if (args.name !== undefined) await q.authorizeNames(res, [args.name]);
  ctx.audit({ namespace: namespace ?? "", types: [res.plural], name: args.name ?? "", ...(args.selector ? { selector: args.selector } : {}) });

  const describe = DESCRIBERS[`${res.group}/${res.kind}`] ?? describeGeneric;
  const now = ctx.services.clock.now();
  const where = `${namespace ? ` -n ${namespace}` : ""} on ${q.cluster}`;
  const context = contextLine(q.cluster, namespace);
  if (args.name !== undefined) {
    const text = await describe(q, res, args.name, namespace, now);
    if (text === undefined) return q.notFound(res, args.name, namespace);
    return ctx.reply.send(dataReply({ summary: `describe ${res.plural}/${args.name}${where}`, context, text, unit: "lines", filename: `describe-${res.singular}-${args.name}.txt` }));
  }

  // kubectl lists the type and describes each object it found (one GET and its related reads each), separated by
  // two blank lines; one deleted in between is left out.
  const page = await q.call((c) => c.listPage(res, { namespace, labelSelector: args.selector, limit: DESCRIBE_MAX_OBJECTS }));
  const texts: string[] = [];
  for (const obj of page.items) {
    const text = obj.metadata?.name ? await describe(q, res, obj.metadata.name, namespace, now) : undefined;
    if (text !== undefined) texts.push(text);
  }
  const summaryBase = `describe ${res.plural}${args.selector ? ` -l ${args.selector}` : ""}${where}`;
  if (texts.length === 0) {
    if (namespace !== undefined) await q.requireNamespace(namespace);
    return ctx.reply.send(noteReply(`${summaryBase}: none`, context, namespace !== undefined ? `No resources found in ${namespace} namespace.` : "No resources found"));
  }
  const more = page.continue === undefined ? undefined : page.remainingItemCount === undefined ? "more" : formatCount(page.remainingItemCount);
  const cap = more && `… ${more} more ${res.plural} not described (at most ${DESCRIBE_MAX_OBJECTS} at once): name one, or narrow with -l.`;
  await ctx.reply.send(
    dataReply({
      summary: `${summaryBase}: ${texts.length} object${texts.length === 1 ? "" : "s"}${more ? `, ${more} more not described` : ""}`,
      context,
      text: [texts.join("\n\n\n"), ...(cap ? ["", cap] : [])].join("\n"),
      unit: "lines",
      filename: `describe-${res.plural}.txt`,
    }),
  );
}
