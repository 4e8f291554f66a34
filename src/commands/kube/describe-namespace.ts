import { listFor, type DescribeCtx } from "./describe-context.js";
import { annotationsMultiline, DescribeWriter, labelsMultiline, rfc1123z } from "./describe-writer.js";

// kubectl's NamespaceDescriber: status, conditions, then the namespace's ResourceQuotas and LimitRanges (left
// out, as kubectl leaves them out, when the cluster does not serve those types). kubectl shows no events here.

type C = Record<string, any>;

const SCOPE_HELP: Record<string, string> = {
  Terminating: "Matches all pods that have an active deadline. These pods have a limited lifespan on a node before being actively terminated by the system.",
  NotTerminating: "Matches all pods that do not have an active deadline. These pods usually include long running pods whose container command is not expected to terminate.",
  BestEffort: "Matches all pods that do not have resource requirements set. These pods have a best effort quality of service.",
  NotBestEffort: "Matches all pods that have at least one resource requirement set. These pods have a burstable or guaranteed quality of service.",
};

function quotas(w: DescribeWriter, items: C[]): void {
  if (items.length === 0) return w.line(0, "No resource quota.");
  w.line(0, "Resource Quotas");
  for (const q of [...items].sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1))) {
    w.line(1, `Name:\t${q.metadata.name}`);
    const scopes: string[] = [...(q.spec?.scopes ?? [])].sort();
    if (scopes.length > 0) {
      w.line(1, `Scopes:\t${scopes.join(", ")}`);
      for (const s of scopes) if (SCOPE_HELP[s]) w.line(1, `* ${SCOPE_HELP[s]}`);
    }
    w.line(1, "Resource\tUsed\tHard");
    w.line(1, "--------\t---\t---");
    for (const r of Object.keys(q.status?.hard ?? {}).sort()) w.line(1, `${r}\t${q.status?.used?.[r] ?? "0"}\t${q.status.hard[r]}`);
  }
}

function limitRanges(w: DescribeWriter, items: C[]): void {
  if (items.length === 0) return w.line(0, "No LimitRange resource.");
  w.write(0, "Resource Limits\n Type\tResource\tMin\tMax\tDefault Request\tDefault Limit\tMax Limit/Request Ratio\n");
  w.line(0, " ----\t--------\t---\t---\t---------------\t-------------\t-----------------------");
  for (const lr of items) {
    for (const item of lr.spec?.limits ?? []) {
      const maps = [item.min, item.max, item.defaultRequest, item.default, item.maxLimitRequestRatio].map((m) => (m ?? {}) as Record<string, string>);
      const names = new Set(maps.flatMap((m) => Object.keys(m)));
      for (const k of names) w.line(0, ` ${item.type}\t${k}\t${maps.map((m) => m[k] ?? "-").join("\t")}`);
    }
  }
}

export async function describeNamespace(d: DescribeCtx): Promise<string> {
  const ns = d.obj;
  const name = ns.metadata!.name!;
  const [rq, lr] = await Promise.all([listFor(d.q, "resourcequotas", name), listFor(d.q, "limitranges", name)]);
  const w = new DescribeWriter();
  w.line(0, `Name:\t${name}`);
  labelsMultiline(w, "Labels", ns.metadata?.labels);
  annotationsMultiline(w, "Annotations", ns.metadata?.annotations);
  w.line(0, `Status:\t${ns.status?.phase ?? ""}`);
  const conditions: C[] = ns.status?.conditions ?? [];
  if (conditions.length > 0) {
    w.line(0, "Conditions:");
    w.line(1, "Type\tStatus\tLastTransitionTime\tReason\tMessage");
    w.line(1, "----\t------\t------------------\t------\t-------");
    for (const c of conditions) w.line(1, `${c.type}\t${c.status}\t${rfc1123z(c.lastTransitionTime)}\t${c.reason ?? ""}\t${c.message ?? ""}`);
  }
  for (const [listed, print, what] of [
    [rq, quotas, "resource quotas"],
    [lr, limitRanges, "limit ranges"],
  ] as const) {
    if ("items" in listed) {
      w.line(0, "");
      print(w, listed.items);
    } else if (!listed.unserved) {
      w.line(0, "");
      w.line(0, `${what[0]!.toUpperCase()}${what.slice(1)}:\t<not shown: ${listed.error}>`);
    }
  }
  return w.text();
}
