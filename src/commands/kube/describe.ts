import type { CommandContext } from "../../core/command.js";
import type { ApiResource, KObject, KubeObject, KindClients, KindModels, KindName } from "../../gateways/types.js";
import { dataReply } from "./chat-output.js";
import { describeConfigMap } from "./describe-configmap.js";
import type { DescribeCtx } from "./describe-context.js";
import { searchEvents } from "./describe-events.js";
import { describeObject } from "./describe-format.js";
import { describeDeployment } from "./describe-deployment.js";
import { describeNamespace } from "./describe-namespace.js";
import { describeNode } from "./describe-node.js";
import { describePod } from "./describe-pod.js";
import { describeReplicaSet } from "./describe-replicaset.js";
import { describeService } from "./describe-service.js";
import { KubeQuery, contextLine } from "./kube-query.js";
import type { DescribeArgs } from "./parse-kube-args.js";
import { forDisplay } from "./redact-secret.js";

// /kube describe: kubectl's own describers for Pod, Deployment, ReplicaSet, Service, Node, Namespace and ConfigMap (one file
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

export async function runDescribe(args: DescribeArgs, ctx: CommandContext): Promise<void> {
  const q = KubeQuery.open(ctx, { cluster: args.cluster, namespace: args.namespace });
  const res = await q.resolve(args.type, "get");
  const namespace = res.namespaced ? q.namespaceOr(args.namespace) : undefined;
  await q.authorize(res, namespace);
  await q.authorizeNames(res, [args.name]);
  ctx.audit({ namespace: namespace ?? "", types: [res.plural], name: args.name });

  const describe = DESCRIBERS[`${res.group}/${res.kind}`] ?? describeGeneric;
  const text = await describe(q, res, args.name, namespace, ctx.services.clock.now());
  if (text === undefined) return q.notFound(res, args.name, namespace);
  await ctx.reply.send(
    dataReply({
      summary: `describe ${res.plural}/${args.name}${namespace ? ` -n ${namespace}` : ""} on ${q.cluster}`,
      context: contextLine(q.cluster, namespace),
      text,
      unit: "lines",
      filename: `describe-${res.singular}-${args.name}.txt`,
    }),
  );
}
