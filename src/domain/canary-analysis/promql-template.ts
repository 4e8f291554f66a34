// Filling a query template's placeholders. Every value lands inside a PromQL double-quoted string (a label
// matcher), so it is escaped for one; {{pods}} is also a regular expression (for =~) of the exact pod names.

const escapeString = (v: string) => v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
const escapeRegex = (v: string) => v.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

export interface QueryValues {
  namespace: string;
  track: "canary" | "stable";
  /** The pods measured; none gives a regex nothing matches. */
  pods: string[];
  intervalSeconds: number;
}

export function fillQuery(template: string, values: QueryValues): string {
  // RE2 (Prometheus's regex) has no lookahead; "$^" can match no pod name.
  const podsRegex = values.pods.length > 0 ? values.pods.map(escapeRegex).join("|") : "$^";
  const filled: Record<string, string> = {
    namespace: escapeString(values.namespace),
    track: escapeString(values.track),
    pods: escapeString(podsRegex),
    interval: `${Math.max(1, Math.round(values.intervalSeconds))}s`,
  };
  return template.replace(/\{\{\s*(namespace|track|pods|interval)\s*\}\}/g, (_, name: string) => filled[name]!);
}
