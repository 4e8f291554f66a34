import type { CommandContext } from "../../core/command.js";
import type { ApiResource, KObject } from "../../gateways/types.js";
import { dataReply } from "./chat-output.js";
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

// /kube describe: kubectl's own describers for Pod, Deployment, ReplicaSet, Service, Node and Namespace (one file
// each), kubectl's generic describer for every other type; each with the Events that name the object.

const DESCRIBERS: Record<string, (d: DescribeCtx) => Promise<string>> = {
  "/Pod": describePod,
  "apps/Deployment": describeDeployment,
  "apps/ReplicaSet": describeReplicaSet,
  "/Service": describeService,
  "/Node": describeNode,
  "/Namespace": describeNamespace,
};

function genericDescriber(res: ApiResource): (d: DescribeCtx) => Promise<string> {
  return async (d) => {
    const m = d.obj.metadata ?? {};
    const events = await d.events([{ name: m.name!, namespace: m.namespace, kind: res.kind, uid: m.uid }]);
    return describeObject(d.obj, events, d.now);
  };
}

export async function runDescribe(args: DescribeArgs, ctx: CommandContext): Promise<void> {
  const q = KubeQuery.open(ctx, { cluster: args.cluster, namespace: args.namespace });
  const res = await q.resolve(args.type, "get");
  const namespace = res.namespaced ? q.namespaceOr(args.namespace) : undefined;
  await q.authorize(res, namespace);
  ctx.audit({ namespace: namespace ?? "", types: [res.plural], name: args.name });

  const raw = await q.callOr((c) => c.get(res, args.name, namespace), "not-found");
  if (!raw) return q.notFound(res, args.name, namespace);
  const obj: KObject = forDisplay({ ...raw, apiVersion: raw.apiVersion ?? res.groupVersion, kind: raw.kind ?? res.kind });

  const describe = DESCRIBERS[`${res.group}/${res.kind}`] ?? genericDescriber(res);
  const text = await describe({ q, obj, now: ctx.services.clock.now(), events: (refs) => searchEvents(q, refs) });
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
