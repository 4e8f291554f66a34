// GET /rate_limit's body (the server answers that endpoint itself, as it owns the rate state).
export interface RateState { limit: number; used: number; reset: number }

export function rateLimitBody(rate: RateState): Record<string, unknown> {
  const core = { limit: rate.limit, used: rate.used, remaining: Math.max(0, rate.limit - rate.used), reset: rate.reset };
  const other = (limit: number) => ({ limit, used: 0, remaining: limit, reset: rate.reset });
  return { resources: { core, search: other(30), graphql: other(5000), integration_manifest: other(5000), code_search: other(10) }, rate: core };
}
