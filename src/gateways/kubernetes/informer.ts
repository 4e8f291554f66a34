import type { Clock } from "../../core/services.js";
import type { Logger } from "../../core/logger.js";
import {
  GatewayError,
  type ApiResource,
  type Informer,
  type InformerChange,
  type InformerOptions,
  type KObject,
  type WaitForOptions,
  type WatchEvent,
} from "../types.js";

// The informer: list, then watch from the list's resourceVersion, keeping a store of the objects. Shaped like
// client-go's reflector (tools/cache/reflector.go):
// - a watch that ends cleanly resumes from the last resourceVersion seen (bookmarks included);
// - 410 Gone (the resourceVersion was compacted) re-lists at once;
// - any other failure (403, 429, 5xx, a lost connection) waits an exponential back-off with jitter, at least the
//   server's Retry-After, before listing again; a successful list and watch resets it;
// - after `maxFailures` failures in a row it gives up with a GatewayError that says what it could not do and why.

export interface InformerSource {
  cluster: string;
  list(res: ApiResource, opts: InformerOptions): Promise<{ items: KObject[]; resourceVersion: string }>;
  /** Opens a watch; resolves once it is open (or failed, reported through onClose). */
  watch(res: ApiResource, opts: InformerOptions & { resourceVersion: string }, onEvent: (ev: WatchEvent) => void, onClose: (err?: GatewayError) => void): Promise<{ stop(): void }>;
}

export interface InformerTuning {
  /** First back-off; doubles per failure up to `maxDelayMs` (client-go: 800 ms, 30 s). */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Failures in a row before giving up. */
  maxFailures: number;
  /** A watch that ends sooner than this after opening waits the back-off before the next one. */
  minWatchMs: number;
}

export const DEFAULT_INFORMER_TUNING: InformerTuning = { baseDelayMs: 800, maxDelayMs: 30_000, maxFailures: 4, minWatchMs: 1000 };

export class ClusterInformer implements Informer {
  private readonly store = new Map<string, KObject>();
  private readonly listeners = new Set<(change: InformerChange) => void>();
  private readonly failureListeners = new Set<(err: GatewayError) => void>();
  private readonly stopping = new AbortController();
  private watchHandle: { stop(): void } | undefined;
  private resourceVersion = "";
  private failures = 0;
  private isSynced = false;
  private gaveUp: GatewayError | undefined;

  constructor(
    readonly resource: ApiResource,
    private readonly opts: InformerOptions,
    private readonly source: InformerSource,
    private readonly clock: Clock,
    private readonly random: () => number,
    private readonly log: Logger,
    private readonly tuning: InformerTuning = DEFAULT_INFORMER_TUNING,
  ) {
    void this.relist();
  }

  private get selection(): InformerOptions {
    const { namespace, labelSelector, fieldSelector } = this.opts;
    return { namespace, labelSelector, fieldSelector };
  }

  get synced(): boolean {
    return this.isSynced;
  }

  get failure(): GatewayError | undefined {
    return this.gaveUp;
  }

  items(): KObject[] {
    return [...this.store.values()];
  }

  get(name: string, namespace?: string): KObject | undefined {
    return this.store.get(key(name, namespace ?? (this.resource.namespaced ? this.opts.namespace : undefined)));
  }

  onChange(listener: (change: InformerChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async waitFor<T>(predicate: (informer: Informer) => T | undefined | null | false, opts: WaitForOptions = {}): Promise<T | undefined> {
    if (this.gaveUp) throw this.gaveUp;
    const ask = () => (this.isSynced ? predicate(this) || undefined : undefined);
    const now = ask();
    if (now !== undefined) return now;
    if (opts.signal?.aborted) return undefined;
    const over = new AbortController();
    const cleanups: Array<() => void> = [() => over.abort()];
    try {
      return await new Promise<T | undefined>((resolve, reject) => {
        cleanups.push(
          this.onChange(() => {
            try {
              const answer = ask();
              if (answer !== undefined) resolve(answer);
            } catch (err) {
              reject(err as Error);
            }
          }),
        );
        const onFailure = (err: GatewayError) => reject(err);
        this.failureListeners.add(onFailure);
        cleanups.push(() => this.failureListeners.delete(onFailure));
        const onAbort = () => resolve(undefined);
        opts.signal?.addEventListener("abort", onAbort, { once: true });
        cleanups.push(() => opts.signal?.removeEventListener("abort", onAbort));
        if (opts.timeoutMs !== undefined) {
          this.clock.sleep(opts.timeoutMs, over.signal).then(
            () => resolve(undefined),
            () => {},
          );
        }
      });
    } finally {
      for (const c of cleanups) c();
    }
  }

  stop(): void {
    this.stopping.abort();
    this.watchHandle?.stop();
    this.watchHandle = undefined;
    this.listeners.clear();
    this.failureListeners.clear();
  }

  private get stopped(): boolean {
    return this.stopping.signal.aborted;
  }

  private emit(change: InformerChange): void {
    if (!this.isSynced) return;
    for (const listener of [...this.listeners]) {
      try {
        listener(change);
      } catch (err) {
        this.log.warn("informer listener failed", { resource: this.resource.plural, error: String(err) });
      }
    }
  }

  private async relist(): Promise<void> {
    if (this.stopped) return;
    let listed;
    try {
      listed = await this.source.list(this.resource, this.selection);
    } catch (err) {
      return this.failed(err, "list");
    }
    if (this.stopped) return;
    this.store.clear();
    for (const o of listed.items) this.store.set(objectKey(o), o);
    this.resourceVersion = listed.resourceVersion;
    this.isSynced = true;
    this.emit({ type: "RELISTED" });
    await this.watch();
  }

  private async watch(): Promise<void> {
    if (this.stopped) return;
    const opened = this.clock.now().getTime();
    const onEvent = (ev: WatchEvent) => {
      if (this.stopped) return;
      const rv = ev.object?.metadata?.resourceVersion;
      if (rv) this.resourceVersion = rv;
      if (ev.type === "BOOKMARK") return;
      if (ev.type === "DELETED") this.store.delete(objectKey(ev.object));
      else this.store.set(objectKey(ev.object), ev.object);
      this.emit({ type: ev.type as InformerChange["type"], object: ev.object });
    };
    const onClose = (err?: GatewayError) => {
      this.watchHandle = undefined;
      if (this.stopped) return;
      if (err && isExpired(err)) {
        this.log.debug("informer watch expired; re-listing", { resource: this.resource.plural });
        void this.relist();
        return;
      }
      if (err) return this.failed(err, "watch");
      // A clean end (the server's watch time-out) resumes from where it was; one that ends at once backs off.
      const lived = this.clock.now().getTime() - opened;
      if (lived >= this.tuning.minWatchMs) void this.watch();
      else void this.after(this.delay(Math.max(1, this.failures)), () => this.watch());
    };
    let closedAtOnce = false;
    let handle: { stop(): void } | undefined;
    try {
      handle = await this.source.watch(this.resource, { ...this.selection, resourceVersion: this.resourceVersion }, onEvent, (err) => {
        closedAtOnce = handle === undefined;
        onClose(err);
      });
    } catch (err) {
      return this.failed(err, "watch");
    }
    if (this.stopped) return handle.stop();
    if (closedAtOnce) return;
    // Listed and watching: the back-off starts again from its base.
    this.failures = 0;
    this.watchHandle = handle;
  }

  private failed(err: unknown, verb: "list" | "watch"): void {
    if (this.stopped) return;
    const gatewayErr = err instanceof GatewayError ? err : new GatewayError("other", String(err));
    this.failures++;
    this.log.debug("informer failed; backing off", { resource: this.resource.plural, verb, failures: this.failures, error: gatewayErr.message });
    if (this.failures >= this.tuning.maxFailures && !this.opts.keepTrying) return this.giveUp(explain(gatewayErr, verb, this.resource, this.opts, this.source.cluster, this.failures));
    const delay = Math.max(gatewayErr.retryAfterMs ?? 0, this.delay(this.failures));
    void this.after(delay, () => this.relist());
  }

  /** client-go's jittered exponential back-off: base·2^(n-1), capped, times a factor in [1, 2). */
  private delay(failures: number): number {
    const exp = Math.min(this.tuning.maxDelayMs, this.tuning.baseDelayMs * 2 ** (failures - 1));
    return Math.round(exp * (1 + this.random()));
  }

  private async after(ms: number, then: () => Promise<void>): Promise<void> {
    try {
      await this.clock.sleep(ms, this.stopping.signal);
    } catch {
      return; // stopped
    }
    if (!this.stopped) await then();
  }

  private giveUp(err: GatewayError): void {
    this.gaveUp = err;
    this.log.warn("informer gave up", { resource: this.resource.plural, namespace: this.opts.namespace, error: err.message });
    for (const listener of [...this.failureListeners]) listener(err);
    this.stop();
  }
}

function key(name: string, namespace?: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

function objectKey(o: KObject): string {
  return key(o.metadata?.name ?? "", o.metadata?.namespace);
}

function isExpired(err: GatewayError): boolean {
  return err.kind === "gone" || err.status === 410;
}

/** What the informer could not do, and why, in words a chat reply can carry. */
export function explain(err: GatewayError, verb: "list" | "watch", res: ApiResource, opts: InformerOptions, cluster: string, failures: number): GatewayError {
  const where = res.namespaced && opts.namespace ? `in ${opts.namespace}` : res.namespaced ? "in any namespace" : `on cluster ${cluster}`;
  const what = `${verb} ${res.plural} ${where}`;
  let message: string;
  if (err.kind === "forbidden") message = `no permission to ${what} (cluster ${cluster}): ${err.message}`;
  else if (err.kind === "unauthorized") message = `cluster ${cluster} does not accept Tugboat's credentials (401) to ${what}`;
  else if (err.status === 429) message = `the API server of cluster ${cluster} is throttling requests (429 Too Many Requests): could not ${what} after ${failures} tries`;
  else if (err.status !== undefined) message = `the API server of cluster ${cluster} kept failing to ${what} (HTTP ${err.status}: ${err.message}), ${failures} tries`;
  else message = `could not ${what} after ${failures} tries: ${err.message}`;
  const out = new GatewayError(err.kind, message, err.status, err.body);
  out.actingFor = err.actingFor;
  out.retryAfterMs = err.retryAfterMs;
  return out;
}
