import { ApiError, errors } from "../errors.js";
import type { ResourceDef } from "../resources.js";
import { checkFieldSelector, matchFields, matchLabels, parseFieldSelector, parseLabelSelector } from "../selectors.js";
import type { Store } from "../store.js";

export interface ListResult {
  items: any[];
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

export interface ListQuery {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
}

/**
 * Label/field-selected list with limit/continue paging (the token carries the last `namespace/name`).
 * Items are the stored objects themselves: serialize or clone them, never mutate.
 */
export function listObjects(store: Store, def: ResourceDef, ns: string | undefined, q: ListQuery): ListResult {
  const lreqs = parseLabelSelector(q.labelSelector);
  const freqs = parseFieldSelector(q.fieldSelector);
  checkFieldSelector(def.kind, freqs);
  const selective = lreqs.length > 0 || freqs.length > 0;
  const matches = (o: any) => !selective || (matchLabels(lreqs, o.metadata.labels) && matchFields(freqs, o));
  let after = "";
  if (q.continue) {
    let tok: any;
    try {
      tok = JSON.parse(Buffer.from(q.continue, "base64").toString("utf8"));
    } catch {
      throw errors.badRequest("continue key is not valid: illegal base64 data");
    }
    if (typeof tok?.rv === "number" && tok.rv < store.compactedRV) {
      throw new ApiError(410, "Expired", "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.");
    }
    after = tok?.start ?? "";
  }
  const rv = String(store.rv);
  const limit = q.limit && q.limit > 0 ? q.limit : 0;
  // Items are in `namespace/name` order: read from the token on, one past the limit to know whether more follow.
  const items: any[] = [];
  for (const o of store.listAfter(def, ns, after)) {
    if (!matches(o)) continue;
    items.push(o);
    if (limit && items.length > limit) break;
  }
  if (limit && items.length > limit) {
    const page = items.slice(0, limit);
    const last = page[page.length - 1];
    const start = `${last.metadata.namespace ?? ""}/${last.metadata.name}`;
    const token = Buffer.from(JSON.stringify({ v: "meta.k8s.io/v1", rv: store.rv, start })).toString("base64");
    // Like the API server's etcd store: the count is given only for an unselective list, since with a selector
    // it would count objects the selector leaves out.
    return { items: page, resourceVersion: rv, continue: token, remainingItemCount: selective ? undefined : store.countAfter(def, ns, start) };
  }
  return { items, resourceVersion: rv };
}
