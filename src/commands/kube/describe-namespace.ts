import type { V1LimitRange, V1Namespace, V1ResourceQuota } from "../../gateways/kube-models.js";
import { listFor, type DescribeCtx, type Listed } from "./describe-context.js";
import { annotationsMultiline, DescribeWriter, labelsMultiline, rfc1123z } from "./describe-writer.js";

// kubectl's NamespaceDescriber: status, conditions, then the namespace's ResourceQuotas and LimitRanges (left
// out, as kubectl leaves them out, when the cluster does not serve those types). kubectl shows no events here.

const SCOPE_HELP: Record<string, string> = {
  Terminating: "Matches all pods that have an active deadline. These pods have a limited lifespan on a node before being actively terminated by the system.",
  NotTerminating: "Matches all pods that do not have an active deadline. These pods usually include long running pods whose container command is not expected to terminate.",
  BestEffort: "Matches all pods that do not have resource requirements set. These pods have a best effort quality of service.",
  NotBestEffort: "Matches all pods that have at least one resource requirement set. These pods have a burstable or guaranteed quality of service.",
};

function quotas(w: DescribeWriter, items: V1ResourceQuota[]): void {
  if (items.length === 0) return w.line(0, "No resource quota.");
  w.line(0, "Resource Quotas");
  const name = (q: V1ResourceQuota) => q.metadata?.name ?? "";
  for (const q of [...items].sort((a, b) => (name(a) < name(b) ? -1 : 1))) {
    w.line(1, `Name:\t${name(q)}`);
    const scopes = [...(q.spec?.scopes ?? [])].sort();
    if (scopes.length > 0) {
      w.line(1, `Scopes:\t${scopes.join(", ")}`);
      for (const s of scopes) if (SCOPE_HELP[s]) w.line(1, `* ${SCOPE_HELP[s]}`);
    }
    w.line(1, "Resource\tUsed\tHard");
    w.line(1, "--------\t---\t---");
    const hard = q.status?.hard ?? {};
    for (const r of Object.keys(hard).sort()) w.line(1, `${r}\t${q.status?.used?.[r] ?? "0"}\t${hard[r]}`);
  }
}

function limitRanges(w: DescribeWriter, items: V1LimitRange[]): void {
  if (items.length === 0) return w.line(0, "No LimitRange resource.");
  w.write(0, "Resource Limits\n Type\tResource\tMin\tMax\tDefault Request\tDefault Limit\tMax Limit/Request Ratio\n");
  w.line(0, " ----\t--------\t---\t---\t---------------\t-------------\t-----------------------");
  for (const lr of items) {
    for (const item of lr.spec?.limits ?? []) {
      const maps = [item.min, item.max, item.defaultRequest, item.default, item.maxLimitRequestRatio].map((m) => m ?? {});
      const names = new Set(maps.flatMap((m) => Object.keys(m)));
      for (const k of names) w.line(0, ` ${item.type}\t${k}\t${maps.map((m) => m[k] ?? "-").join("\t")}`);
    }
  }
}

/** A listed section after a blank line; left out when the cluster does not serve the type, as kubectl does. */
function section<T>(w: DescribeWriter, listed: Listed<T>, print: (w: DescribeWriter, items: T[]) => void, title: string): void {
  if ("items" in listed) {
    w.line(0, "");
    print(w, listed.items);
  } else if (!listed.unserved) {
    w.line(0, "");
    w.line(0, `${title}:\t<not shown: ${listed.error}>`);
  }
}

export async function describeNamespace(d: DescribeCtx<V1Namespace>): Promise<string> {
  const ns = d.obj;
  const name = ns.metadata?.name ?? "";
  const [rq, lr] = await Promise.all([listFor(d.q, "resourceQuotas", name), listFor(d.q, "limitRanges", name)]);
  const w = new DescribeWriter();
  w.line(0, `Name:\t${name}`);
  labelsMultiline(w, "Labels", ns.metadata?.labels);
  annotationsMultiline(w, "Annotations", ns.metadata?.annotations);
  w.line(0, `Status:\t${ns.status?.phase ?? ""}`);
  const conditions = ns.status?.conditions ?? [];
  if (conditions.length > 0) {
    w.line(0, "Conditions:");
    w.line(1, "Type\tStatus\tLastTransitionTime\tReason\tMessage");
    w.line(1, "----\t------\t------------------\t------\t-------");
    for (const c of conditions) w.line(1, `${c.type}\t${c.status}\t${rfc1123z(c.lastTransitionTime)}\t${c.reason ?? ""}\t${c.message ?? ""}`);
  }
  section(w, rq, quotas, "Resource quotas");
  section(w, lr, limitRanges, "Limit ranges");
  return w.text();
}
