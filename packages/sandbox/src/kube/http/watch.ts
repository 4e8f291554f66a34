// Watch streaming: initial or replayed events, then live ones, bookmarks, and the various ways a watch ends.
import type { IncomingMessage, ServerResponse } from "node:http";
import { ApiError, errors } from "../errors.js";
import { apiVersionOf, resourceKey } from "../resources.js";
import { checkFieldSelector, matchFields, matchLabels, parseFieldSelector, parseLabelSelector } from "../selectors.js";
import type { Store, StoreEvent } from "../store.js";
import { toTable, type IncludeObject } from "../tables.js";
import { boolParam, type ResourceRoute } from "./routing.js";

/** The watch cache sends a bookmark to each watcher about once a minute. */
export const WATCH_BOOKMARK_MS = 60_000;

export function serveWatch(store: Store, watchers: Set<() => void>, req: IncomingMessage, res: ServerResponse, r: ResourceRoute, q: URLSearchParams, tableInclude: IncludeObject | undefined, dropAfter?: number, bookmarkMs = WATCH_BOOKMARK_MS, toServed?: (stored: any) => any): void {
  const def = r.def;
  const lreqs = parseLabelSelector(q.get("labelSelector"));
  const freqs = parseFieldSelector(q.get("fieldSelector"));
  checkFieldSelector(def.kind, freqs);
  const key = resourceKey(def);
  const matches = (o: any) => !!o && (!r.namespace || !def.namespaced || o.metadata.namespace === r.namespace) && matchLabels(lreqs, o.metadata.labels) && matchFields(freqs, o);
  const rvParam = q.get("resourceVersion");
  const sendInitial = q.get("sendInitialEvents");
  const bookmarks = boolParam(q.get("allowWatchBookmarks"));
  let replay: StoreEvent[] | undefined = [];
  let initial: any[] = [];
  if (!rvParam || rvParam === "0" || sendInitial === "true") {
    if (sendInitial !== "false") initial = store.list(def, def.namespaced ? r.namespace : undefined).filter(matches);
  } else {
    const n = parseInt(rvParam, 10);
    if (Number.isNaN(n)) throw errors.badRequest(`invalid resource version: ${rvParam}`);
    replay = store.since(n, key);
  }
  res.writeHead(200, { "Content-Type": "application/json", "Cache-Control": "no-cache, private", "Transfer-Encoding": "chunked" });
  res.flushHeaders();
  let first = true;
  const write = (type: string, obj: any) => {
    let o = toServed && type !== "ERROR" && type !== "BOOKMARK" ? toServed(obj) : obj;
    if (tableInclude && type !== "ERROR" && type !== "BOOKMARK") {
      o = toTable(def, [obj], { resourceVersion: obj.metadata?.resourceVersion }, tableInclude, first);
      if (!first) o.columnDefinitions = [];
      first = false;
    }
    res.write(JSON.stringify({ type, object: o }) + "\n");
  };
  if (replay === undefined) {
    write("ERROR", new ApiError(410, "Expired", `too old resource version: ${rvParam} (${store.compactedRV + 1})`).toStatus());
    res.end();
    return;
  }
  const bookmark = (initialEnd = false) => {
    const o: any = { kind: def.kind, apiVersion: apiVersionOf(def), metadata: { resourceVersion: String(store.rv) } };
    if (initialEnd) o.metadata.annotations = { "k8s.io/initial-events-end": "true" };
    write("BOOKMARK", o);
  };
  const emit = (e: StoreEvent) => {
    if (e.key !== key) return;
    const now = matches(e.obj);
    const before = e.type === "MODIFIED" ? matches(e.prev) : false;
    if (e.type === "ADDED" && now) write("ADDED", e.obj);
    else if (e.type === "DELETED" && now) write("DELETED", e.obj);
    else if (e.type === "MODIFIED") {
      if (now && before) write("MODIFIED", e.obj);
      else if (now) write("ADDED", e.obj);
      else if (before) write("DELETED", e.obj);
    }
  };
  for (const o of initial) write("ADDED", o);
  if (sendInitial === "true" && bookmarks) bookmark(true);
  for (const e of replay) emit(e);
  if (bookmarks && sendInitial !== "true") bookmark();
  const unsub = store.subscribe(emit);
  const timers: NodeJS.Timeout[] = [];
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    unsub();
    for (const t of timers) clearTimeout(t), clearInterval(t);
    watchers.delete(close);
    if (!res.writableEnded) res.end();
  };
  watchers.add(close);
  if (bookmarks) timers.push(setInterval(() => bookmark(), bookmarkMs));
  const timeout = q.get("timeoutSeconds");
  if (timeout) timers.push(setTimeout(close, Math.max(0, parseFloat(timeout)) * 1000));
  if (dropAfter !== undefined) timers.push(setTimeout(close, dropAfter));
  req.on("close", close);
  res.on("close", close);
}
