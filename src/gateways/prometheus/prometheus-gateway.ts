import { GatewayError } from "../types.js";
import type { PrometheusGateway } from "../prometheus-port.js";

export type { PrometheusGateway };

// Prometheus's HTTP API (GET /api/v1/query), the only place Tugboat talks to Prometheus. PromQL is evaluated by
// Prometheus; this reads one number out of an instant vector or scalar.

interface QueryResponse {
  status?: string;
  error?: string;
  data?: { resultType?: string; result?: unknown };
}

function firstValue(data: QueryResponse["data"]): number | undefined {
  const result = data?.result;
  let raw: unknown;
  if (data?.resultType === "scalar" && Array.isArray(result)) raw = result[1];
  else if (Array.isArray(result) && result.length > 0) raw = (result[0] as { value?: unknown[] }).value?.[1];
  const n = typeof raw === "string" ? Number(raw) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

export function createPrometheusGateway(opts: { timeoutMs?: number } = {}): PrometheusGateway {
  const timeoutMs = opts.timeoutMs ?? 5000;
  return {
    async queryNumber(baseUrl, promql) {
      const url = `${baseUrl.replace(/\/+$/, "")}/api/v1/query?query=${encodeURIComponent(promql)}`;
      let res: Response;
      try {
        res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: "application/json" } });
      } catch (err) {
        const timedOut = err instanceof Error && err.name === "TimeoutError";
        throw new GatewayError(timedOut ? "timeout" : "unavailable", `Prometheus at ${new URL(baseUrl).host} ${timedOut ? `did not answer within ${timeoutMs / 1000}s` : "is unreachable"}`);
      }
      const body = (await res.json().catch(() => ({}))) as QueryResponse;
      if (!res.ok || body.status !== "success") {
        const kind = res.status === 400 || res.status === 422 ? "invalid" : res.status >= 500 ? "unavailable" : "other";
        throw new GatewayError(kind, `Prometheus refused the query (${res.status}): ${String(body.error ?? "no reason given").slice(0, 200)}`, res.status, body);
      }
      return firstValue(body.data);
    },
  };
}
