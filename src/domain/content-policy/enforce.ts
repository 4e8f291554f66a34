import { UserError } from "../../core/errors.js";
import type { KubeCluster } from "../../gateways/types.js";
import type { RenderedSet } from "../render/render-pool.js";
import { checkContent, type Violation } from "./check-content.js";
import { gkKey, type GroupKind } from "./kinds.js";
import type { ContentPolicy } from "./policy.js";

// Applies the content policy before anything is applied: template refusals and object violations are reported
// together, one line per file or object, so a refused deploy or lab changes nothing and says everything at once.

/** Lines past this are summarised ("…and 12 more"), so a hostile PR cannot flood the channel. */
const MAX_LINES = 40;

export class ContentRefusal extends UserError {
  constructor(
    message: string,
    readonly lines: string[],
  ) {
    super(message);
    this.name = "ContentRefusal";
  }
}

export async function enforceContentPolicy(
  cluster: KubeCluster,
  rendered: RenderedSet,
  policy: ContentPolicy,
  target: { namespace: string; what: string; subject: string },
): Promise<void> {
  const resources = await cluster.discover();
  const scopes = new Map(resources.map((r) => [gkKey({ group: r.group, kind: r.kind }), r.namespaced ? ("namespaced" as const) : ("cluster" as const)]));
  const violations = checkContent(rendered.objects, policy, { ...target, scopeOf: (gk: GroupKind) => scopes.get(gkKey(gk)) });
  if (rendered.bytes > policy.maxBytes) violations.unshift({ object: "", problems: [`renders to ${rendered.bytes} bytes, more than the ${policy.maxBytes} allowed`] });
  if (violations.length === 0 && rendered.failures.length === 0) return;
  throw refusal(target.subject, rendered.failures, violations);
}

export function refusal(subject: string, failures: string[], violations: Violation[]): ContentRefusal {
  const lines = [
    ...failures.map((f) => `template ${f}`),
    ...violations.map((v) => (v.object ? `${v.object}: ${v.problems.join("; ")}` : v.problems.join("; "))),
  ];
  const shown = lines.slice(0, MAX_LINES).map((l) => `• ${l}`);
  if (lines.length > MAX_LINES) shown.push(`…and ${lines.length - MAX_LINES} more`);
  const n = lines.length;
  const head = `Refused ${subject}: ${n} problem${n === 1 ? "" : "s"} with Tugboat's content policy; nothing was applied.`;
  return new ContentRefusal([head, ...shown].join("\n"), lines);
}
