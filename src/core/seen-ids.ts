// Remembers ids (Slack event ids and request signatures, GitHub delivery ids and bodies) for a while, so a retry or a
// replay runs nothing twice.

export class SeenIds {
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
    private readonly maxEntries = 10_000,
  ) {}

  /** True the first time an id is seen (within the ttl); false for repeats. */
  firstTime(id: string): boolean {
    const t = this.now();
    this.prune(t);
    const expires = this.seen.get(id);
    if (expires !== undefined && expires > t) return false;
    this.seen.set(id, t + this.ttlMs);
    return true;
  }

  /** Lets an id be new again (its claim was given back: the delivery was not handled after all). */
  forget(id: string): void {
    this.seen.delete(id);
  }

  private prune(t: number): void {
    // Map keeps insertion order, which is also expiry order (one ttl for all).
    for (const [id, expires] of this.seen) {
      if (expires > t && this.seen.size <= this.maxEntries) break;
      this.seen.delete(id);
    }
  }
}

/** Something that answers "first time?" for ids across replicas (src/domain/replicas/shared-event-ids.ts). */
export interface SharedIds {
  firstTime(id: string): Promise<boolean>;
  /** Gives back this replica's claim of an id, so the id is new again (a delivery refused after it was claimed). */
  forget?(id: string): Promise<void>;
}

/**
 * This replica's memory first (a retry to the same replica costs nothing), then the shared record. When the
 * shared record cannot be reached, the delivery is handled: twice is better than never.
 */
export async function firstTimeAnywhere(local: SeenIds, shared: SharedIds | undefined, id: string): Promise<boolean> {
  if (!local.firstTime(id)) return false;
  if (!shared) return true;
  return shared.firstTime(id).catch(() => true);
}
