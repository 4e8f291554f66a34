import type { FaultRule } from "./types.js";

export interface FaultDecision { status?: number; retryAfterSeconds?: number; apfRetryAfterSeconds?: number; latencyMs?: number; dropWatchAfterMs?: number }

export class Faults {
  private rules: Array<FaultRule & { used: number }> = [];

  add(rule: FaultRule): void {
    this.rules.push({ ...rule, used: 0 });
  }

  clear(): void {
    this.rules = [];
  }

  /** decide which faults apply to a request; consumes counts */
  decide(verb: string, resource: string | undefined, subresource: string | undefined): FaultDecision {
    const d: FaultDecision = {};
    for (const r of this.rules) {
      if (r.verb && r.verb !== verb) continue;
      if (r.resource) {
        const full = subresource ? `${resource}/${subresource}` : resource;
        if (r.resource !== resource && r.resource !== full) continue;
      }
      if (r.count !== undefined && r.used >= r.count) continue;
      if (r.rate !== undefined && r.rate < 1 && Math.random() >= r.rate) continue;
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
