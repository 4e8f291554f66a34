// One short, token-free line for a Slack Web API failure ("not_allowed", "missing_scope (needs files:write)", "HTTP 500").

export function describeSlackError(err: unknown): string {
  if (err && typeof err === "object") {
    const e = err as { code?: string; data?: { error?: string; needed?: string }; statusCode?: number; message?: string };
    if (e.data?.error) return e.data.needed ? `${e.data.error} (needs ${e.data.needed})` : e.data.error;
    if (e.statusCode) return `HTTP ${e.statusCode}`;
    if (e.code) return e.code;
    if (e.message) return e.message.slice(0, 200);
  }
  return String(err).slice(0, 200);
}

/** The Slack error code ("channel_not_found"), when the failure came from the Web API. */
export function slackErrorCode(err: unknown): string | undefined {
  if (err && typeof err === "object") return (err as { data?: { error?: string } }).data?.error;
  return undefined;
}

/** Seconds to wait when Slack answered 429 (the WebClient rejects rate-limited calls; see slack-adapter.ts). */
export function retryAfterSeconds(err: unknown): number | undefined {
  if (!err || typeof err !== "object") return undefined;
  const e = err as { code?: string; retryAfter?: number };
  return e.code === "slack_webapi_rate_limited_error" && typeof e.retryAfter === "number" ? Math.max(1, e.retryAfter) : undefined;
}
