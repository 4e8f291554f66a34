import { UserError } from "../core/errors.js";
import type { ApiResource, KObject, KubeCluster } from "../gateways/types.js";
import { describeObject } from "./render-manifests.js";

// Server-side apply of rendered objects with bounded parallelism. One apply request per object; discovery
// is the gateway's cached one.

export async function resourceFor(cluster: KubeCluster, obj: KObject): Promise<ApiResource> {
  const resources = await cluster.discover();
  const find = (list: ApiResource[]) => list.find((r) => r.groupVersion === obj.apiVersion && r.kind === obj.kind);
  const res = find(resources) ?? find(await cluster.discover(true));
  if (!res) throw new UserError(`${describeObject(obj)}: cluster ${cluster.name} does not serve ${obj.apiVersion} ${obj.kind}`);
  return res;
}

export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!, i);
    }
  });
  await Promise.all(workers);
  return results;
}

export interface ApplyOptions {
  fieldManager: string;
  concurrency?: number;
  force?: boolean;
  dryRun?: boolean;
  onApplied?: (obj: KObject, index: number) => void;
}

export async function applyObjects(cluster: KubeCluster, objects: KObject[], opts: ApplyOptions): Promise<KObject[]> {
  return mapLimit(objects, opts.concurrency ?? 8, async (obj, i) => {
    const res = await resourceFor(cluster, obj);
    const applied = await cluster.apply(res, obj, { fieldManager: opts.fieldManager, force: opts.force ?? true, dryRun: opts.dryRun });
    opts.onApplied?.(applied, i);
    return applied;
  });
}

/** "12 ConfigMaps, 17 Deployments, 1 Ingress" — counts by kind, sorted by kind. */
export function countByKind(objects: KObject[]): string {
  const counts = new Map<string, number>();
  for (const o of objects) counts.set(o.kind ?? "Object", (counts.get(o.kind ?? "Object") ?? 0) + 1);
  return [...counts.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([kind, n]) => `${n} ${n === 1 ? kind : pluralKind(kind)}`)
    .join(", ");
}

function pluralKind(kind: string): string {
  if (/(s|x|ch|sh)$/.test(kind)) return `${kind}es`;
  if (/[^aeiou]y$/.test(kind)) return `${kind.slice(0, -1)}ies`;
  return `${kind}s`;
}
