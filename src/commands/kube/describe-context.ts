import type { ApiResource, KObject, KubeObject, KindClients, KindModels, KindName, ListOptions } from "../../gateways/types.js";
import { KIND_SPECS } from "../../gateways/well-known-kinds.js";
import { errorMessage } from "../../core/errors.js";
import type { DescribeEvents, EventRef } from "./describe-events.js";
import type { KubeQuery } from "./kube-query.js";

// What a per-type describer gets: the object, the clock, and the related reads kubectl's describers make
// (pods of a ReplicaSet, ReplicaSets of a Deployment, …), each allowed to fail without failing the describe.

export type Listed<T> = { items: T[] } | { error: string; unserved?: boolean };

/** What a describer of objects of type T gets (a per-kind describer gets its kind's model). */
export interface DescribeCtx<T extends KubeObject = KObject> {
  q: KubeQuery;
  obj: T;
  now: Date;
  events(refs: EventRef[]): Promise<DescribeEvents>;
}

/**
 * Lists a type for a describer: `unserved` when the cluster does not serve it (kubectl treats that as absent),
 * an error when the caller's role may not read it or the call failed.
 */
export async function listFor<K extends KindName>(q: KubeQuery, kind: K, namespace: string | undefined, opts: Omit<ListOptions, "namespace"> = {}): Promise<Listed<KindModels[K]>> {
  const kinds: KindClients = q.client;
  const client = kinds[kind];
  let res: ApiResource;
  try {
    if (!(await client.served())) return { error: `the server doesn't have a resource type "${KIND_SPECS[kind].plural}"`, unserved: true };
    res = await client.resource();
  } catch (err) {
    return { error: errorMessage(err) };
  }
  if (!(await q.allows(res.plural, res.namespaced && namespace === undefined ? "*" : namespace))) return { error: `type \`${res.plural}\` is not allowed for you` };
  try {
    const { items } = await q.call(() => client.list({ ...opts, namespace }));
    return { items };
  } catch (err) {
    return { error: errorMessage(err) };
  }
}
