/** Strategic merge patch (the subset of Kubernetes semantics kubectl relies on). */
import { clone, deepEqual, isPlainObject } from "../util.js";
import { keyedItems, SET_LISTS } from "./list-keys.js";

function stripDirectives(v: any): any {
  if (Array.isArray(v)) return v.filter((x) => !(isPlainObject(x) && x.$patch === "delete")).map(stripDirectives);
  if (!isPlainObject(v)) return v;
  const out: any = {};
  for (const [k, x] of Object.entries(v)) {
    if (k.startsWith("$")) continue;
    out[k] = stripDirectives(x);
  }
  return out;
}

function smpList(field: string, orig: any, patch: any[]): any[] {
  if (patch.some((e) => isPlainObject(e) && e.$patch === "replace")) {
    return stripDirectives(patch.filter((e) => !(isPlainObject(e) && e.$patch === "replace")));
  }
  const base: any[] = Array.isArray(orig) ? clone(orig) : [];
  const key = keyedItems(field, patch.length ? patch : base);
  if (key) {
    for (const item of patch) {
      const idx = base.findIndex((b) => isPlainObject(b) && deepEqual(b[key], item[key]));
      if (item.$patch === "delete") {
        if (idx >= 0) base.splice(idx, 1);
        continue;
      }
      if (idx >= 0) base[idx] = smp(base[idx], item);
      else base.push(stripDirectives(item));
    }
    return base;
  }
  if (SET_LISTS.has(field)) {
    for (const x of patch) if (!base.some((b) => deepEqual(b, x))) base.push(clone(x));
    return base;
  }
  return stripDirectives(patch);
}

export function smp(orig: any, patch: any): any {
  if (!isPlainObject(patch)) return clone(patch);
  if (patch.$patch === "replace") return stripDirectives(patch);
  const out: any = isPlainObject(orig) ? clone(orig) : {};
  const orders: Array<[string, any[]]> = [];
  for (const [k, v] of Object.entries(patch)) {
    if (k === "$patch") continue;
    if (k.startsWith("$setElementOrder/")) {
      orders.push([k.slice("$setElementOrder/".length), v as any[]]);
      continue;
    }
    if (k.startsWith("$deleteFromPrimitiveList/")) {
      const f = k.slice("$deleteFromPrimitiveList/".length);
      if (Array.isArray(out[f])) out[f] = out[f].filter((x: any) => !(v as any[]).some((d) => deepEqual(d, x)));
      continue;
    }
    if (k === "$retainKeys") continue;
    if (v === null) {
      delete out[k];
    } else if (isPlainObject(v)) {
      if (v.$patch === "delete") delete out[k];
      else out[k] = smp(out[k], v);
    } else if (Array.isArray(v)) {
      out[k] = smpList(k, out[k], v);
    } else {
      out[k] = v;
    }
  }
  if (Array.isArray(patch.$retainKeys)) {
    for (const k of Object.keys(out)) if (!patch.$retainKeys.includes(k)) delete out[k];
  }
  for (const [f, order] of orders) {
    const arr = out[f];
    if (!Array.isArray(arr) || !Array.isArray(order)) continue;
    const key = keyedItems(f, order);
    const pos = (x: any) => {
      const i = key ? order.findIndex((o) => isPlainObject(o) && deepEqual(o[key], x?.[key])) : order.findIndex((o) => deepEqual(o, x));
      return i < 0 ? Number.MAX_SAFE_INTEGER : i;
    };
    out[f] = [...arr].map((x, i) => ({ x, i })).sort((a, b) => pos(a.x) - pos(b.x) || a.i - b.i).map((e) => e.x);
  }
  return out;
}
