// The ResourceQuota admission plugin for pods: counts (`pods`, `count/pods`) and compute requests/limits, with
// the real plugin's messages ("exceeded quota: …", "failed quota: …: must specify …").
import { findByPlural } from "../resources.js";
import type { Store } from "../store.js";
import { formatQuantity, parseQuantity } from "./quantity.js";

export const QUOTA_DEF = findByPlural("", "v1", "resourcequotas")!;
const POD_DEF = findByPlural("", "v1", "pods")!;

const COMPUTE: Record<string, { field: "requests" | "limits"; name: "cpu" | "memory" }> = {
  cpu: { field: "requests", name: "cpu" },
  memory: { field: "requests", name: "memory" },
  "requests.cpu": { field: "requests", name: "cpu" },
  "requests.memory": { field: "requests", name: "memory" },
  "limits.cpu": { field: "limits", name: "cpu" },
  "limits.memory": { field: "limits", name: "memory" },
};

function containersOf(pod: any): any[] {
  return [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
}

/** what one pod charges against resource `r` */
function usage(pod: any, r: string): number {
  if (r === "pods" || r === "count/pods") return 1;
  const c = COMPUTE[r];
  if (!c) return 0;
  return (pod.spec?.containers ?? []).reduce((sum: number, ct: any) => sum + (parseQuantity(ct.resources?.[c.field]?.[c.name] ?? 0) || 0), 0);
}

const terminal = (p: any) => p.status?.phase === "Succeeded" || p.status?.phase === "Failed";

/** undefined when every quota of the namespace admits the pod, else the reason (after `is forbidden: `) */
export function quotaDenial(store: Store, pod: any): string | undefined {
  const ns = pod.metadata.namespace;
  const quotas = store.list(QUOTA_DEF, ns).sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  if (!quotas.length) return undefined;
  const existing = store.list(POD_DEF, ns).filter((p) => !terminal(p) && !p.metadata.deletionTimestamp && p.metadata.name !== pod.metadata.name);
  for (const q of quotas) {
    const hard: Record<string, unknown> = q.spec?.hard ?? {};
    // compute resources the quota constrains must be specified by every container
    const missing: string[] = [];
    for (const r of Object.keys(hard).filter((k) => COMPUTE[k]).sort()) {
      const c = COMPUTE[r];
      const without = containersOf(pod).filter((ct) => ct.resources?.[c.field]?.[c.name] === undefined).map((ct) => ct.name);
      if (without.length) missing.push(`${r} for: ${without.join(",")}`);
    }
    if (missing.length) return `failed quota: ${q.metadata.name}: must specify ${missing.join("; ")}`;
    const over = Object.keys(hard)
      .filter((r) => r === "pods" || r === "count/pods" || COMPUTE[r])
      .sort()
      .map((r) => {
        const requested = usage(pod, r);
        const used = existing.reduce((s, p) => s + usage(p, r), 0);
        return { r, requested, used, limit: parseQuantity(hard[r]) };
      })
      .filter((x) => x.requested > 0 && x.used + x.requested > x.limit);
    if (over.length) {
      const list = (f: (x: (typeof over)[number]) => number) => over.map((x) => `${x.r}=${formatQuantity(x.r, f(x))}`).join(",");
      return `exceeded quota: ${q.metadata.name}, requested: ${list((x) => x.requested)}, used: ${list((x) => x.used)}, limited: ${list((x) => x.limit)}`;
    }
  }
  return undefined;
}
