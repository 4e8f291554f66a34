import type { CommandContext } from "../../core/command.js";
import { errorMessage } from "../../core/errors.js";
import type { KObject } from "../../gateways/types.js";
import { dataReply } from "./chat-output.js";
import { describeObject, type DescribeEvents } from "./describe-format.js";
import { KubeQuery, contextLine } from "./kube-query.js";
import type { DescribeArgs } from "./parse-kube-args.js";
import { forDisplay } from "./redact-secret.js";

// /kube describe: kubectl-style sections for any type, then the Events that name the object.

export async function runDescribe(args: DescribeArgs, ctx: CommandContext): Promise<void> {
  const q = KubeQuery.open(ctx, { cluster: args.cluster, namespace: args.namespace });
  const res = await q.resolve(args.type, "get");
  const namespace = res.namespaced ? q.namespaceOr(args.namespace) : undefined;
  await q.authorize(res, namespace);
  ctx.audit({ namespace: namespace ?? "", types: [res.plural], name: args.name });

  const raw = await q.callOr((c) => c.get(res, args.name, namespace), "not-found");
  if (!raw) return q.notFound(res, args.name, namespace);
  const obj = forDisplay({ ...raw, apiVersion: raw.apiVersion ?? res.groupVersion, kind: raw.kind ?? res.kind });

  let events: DescribeEvents;
  if (!(await q.allows("events", namespace))) {
    events = { note: "<not shown: type `events` is not allowed for you>" };
  } else {
    try {
      const eventsRes = await q.resolve("events");
      const selector = [
        `involvedObject.name=${args.name}`,
        namespace ? `involvedObject.namespace=${namespace}` : undefined,
        `involvedObject.kind=${res.kind}`,
        raw.metadata?.uid ? `involvedObject.uid=${raw.metadata.uid}` : undefined,
      ]
        .filter(Boolean)
        .join(",");
      const { items } = await q.call((c) => c.list(eventsRes, { namespace, fieldSelector: selector }));
      events = { items: items.filter((e: KObject) => e.involvedObject?.name === args.name) };
    } catch (err) {
      events = { note: `<unavailable: ${errorMessage(err)}>` };
    }
  }

  const text = describeObject(obj, events, ctx.services.clock.now());
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
