import type { KObject, ListOptions } from "../../gateways/types.js";
import { errorMessage } from "../../core/errors.js";
import type { DescribeEvents, EventRef } from "./describe-events.js";
import type { KubeQuery } from "./kube-query.js";

// What a per-type describer gets: the object, the clock, and the related reads kubectl's describers make
// (pods of a ReplicaSet, ReplicaSets of a Deployment, …), each allowed to fail without failing the describe.

export type Listed = { items: KObject[] } | { error: string; unserved?: boolean };

export interface DescribeCtx {
  q: KubeQuery;
  obj: KObject;
  now: Date;
  events(refs: EventRef[]): Promise<DescribeEvents>;
}

/**
 * Lists a type for a describer: `unserved` when the cluster does not serve it (kubectl treats that as absent),
 * an error when the caller's role may not read it or the call failed.
 */
export async function listFor(q: KubeQuery, type: string, namespace: string | undefined, opts: Omit<ListOptions, "namespace"> = {}): Promise<Listed> {
  let res;
  try {
    res = await q.client.resolve(type);
  } catch (err) {
    return { error: errorMessage(err) };
  }
  if (!res) return { error: `the server doesn't have a resource type "${type}"`, unserved: true };
  if (!(await q.allows(res.plural, res.namespaced && namespace === undefined ? "*" : namespace))) return { error: `type \`${res.plural}\` is not allowed for you` };
  try {
    const { items } = await q.call((c) => c.list(res, { ...opts, namespace }));
    return { items };
  } catch (err) {
    return { error: errorMessage(err) };
  }
}
