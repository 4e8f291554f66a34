import type { FaultRule } from "./types.js";

export interface FaultDecision { status?: number; retryAfterSeconds?: number; apfRetryAfterSeconds?: number; latencyMs?: number; dropWatchAfterMs?: number }

/** mulberry32: a small seeded generator, so a `rate` fault picks the same requests on every run. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A rule as added, with how many requests it has hit. */
export type AddedFault = FaultRule & { used: number; random: () => number };

export class Faults {
  private rules: AddedFault[] = [];
  private added = 0;

  /** A rule with a `rate` draws from its own sequence, seeded by how many rules came before it since start. */
  add(rule: FaultRule): AddedFault {
    const added: AddedFault = { ...rule, used: 0, random: seededRandom(0x9e3779b9 ^ ++this.added) };
    this.rules.push(added);
    return added;
  }

  remove(added: AddedFault): void {
    this.rules = this.rules.filter((r) => r !== added);
  }

  clear(): void {
    this.rules = [];
    this.added = 0;
  }

  /** decide which faults apply to a request; consumes counts */
  decide(verb: string, resource: string | undefined, subresource: string | undefined, dryRun = false): FaultDecision {
    const d: FaultDecision = {};
    for (const r of this.rules) {
      if (r.verb && r.verb !== verb) continue;
      if (r.dryRun !== undefined && r.dryRun !== dryRun) continue;
      if (r.resource) {
        const full = subresource ? `${resource}/${subresource}` : resource;
        if (r.resource !== resource && r.resource !== full) continue;
      }
      if (r.count !== undefined && r.used >= r.count) continue;
      if (r.rate !== undefined && r.rate < 1 && r.random() >= r.rate) continue;
      let applied = false;
      if (r.latencyMs !== undefined) {
        d.latencyMs = (d.latencyMs ?? 0) + r.latencyMs;
        applied = true;
      }
      if (r.status !== undefined && d.status === undefined) {
        d.status = r.status;
        d.retryAfterSeconds = r.retryAfterSeconds;
        applied = true;
      }
      if (r.apfRetryAfterSeconds !== undefined && d.apfRetryAfterSeconds === undefined) {
        d.apfRetryAfterSeconds = r.apfRetryAfterSeconds;
        applied = true;
      }
      if (r.dropWatchAfterMs !== undefined && verb === "watch" && d.dropWatchAfterMs === undefined) {
        d.dropWatchAfterMs = r.dropWatchAfterMs;
        applied = true;
      }
      if (applied) r.used++;
    }
    return d;
  }
}
