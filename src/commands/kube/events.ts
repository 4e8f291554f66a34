import type { CommandContext } from "../../core/command.js";
import type { CoreV1Event } from "../../gateways/kube-models.js";
import { dataReply, noteReply } from "./chat-output.js";
import { eventInterval, sortEvents } from "./describe-format.js";
import { KubeQuery, contextLine } from "./kube-query.js";
import type { EventsArgs } from "./parse-kube-args.js";
import { tabwrite } from "./tabwriter.js";

// /kube events: kubectl events' table (LAST SEEN, TYPE, REASON, OBJECT, MESSAGE), oldest first.

export function eventLines(events: CoreV1Event[], allNamespaces: boolean, now: Date): string[][] {
  const header = ["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"];
  const lines: string[][] = [allNamespaces ? ["NAMESPACE", ...header] : header];
  for (const e of sortEvents(events)) {
    const row = [
      eventInterval(e, now),
      String(e.type ?? ""),
      String(e.reason ?? ""),
      `${e.involvedObject?.kind ?? ""}/${e.involvedObject?.name ?? ""}`,
      String(e.message ?? "").trim(),
    ];
    lines.push(allNamespaces ? [e.metadata?.namespace ?? "", ...row] : row);
  }
  return lines;
}

export async function runEvents(args: EventsArgs, ctx: CommandContext): Promise<void> {
  const q = KubeQuery.open(ctx, { cluster: args.cluster, namespace: args.namespace });
  const namespace = args.allNamespaces ? undefined : q.namespaceOr(args.namespace);
  const events = q.client.events;
  await q.authorize(await q.call(() => events.resource()), namespace);
  let fieldSelector: string | undefined;
  if (args.forType && args.forName) {
    const forRes = await q.resolve(args.forType, "get");
    fieldSelector = `involvedObject.kind=${forRes.kind},involvedObject.name=${args.forName}`;
  }
  ctx.audit({ namespace: namespace ?? "*", types: ["events"] });
  const { items } = await q.call(() => events.list({ namespace, fieldSelector }));
  const context = contextLine(q.cluster, namespace ?? "all");
  const summary = `events${namespace ? ` -n ${namespace}` : " -A"}${args.forName ? ` --for ${args.forType}/${args.forName}` : ""} on ${q.cluster}`;
  if (items.length === 0) {
    if (namespace !== undefined) await q.requireNamespace(namespace);
    const note = namespace === undefined ? "No events found." : `No events found in ${namespace} namespace.`;
    return ctx.reply.send(noteReply(`${summary}: none`, context, note));
  }
  const lines = eventLines(items, namespace === undefined, ctx.services.clock.now());
  await ctx.reply.send(
    dataReply({
      summary: `${summary}: ${items.length} event${items.length === 1 ? "" : "s"}`,
      context,
      text: tabwrite(lines),
      unit: "rows",
      nonRowLines: new Set([0]),
      filename: "kube-events.txt",
    }),
  );
}
