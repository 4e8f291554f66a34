import type { AuditEntry, AuditLog } from "../core/logger.js";
import type { Services } from "../core/services.js";
import type { DeliveryContext } from "./dispatch.js";

// What a use case run by a delivery is given and how it is audited: the services with the delivery's log and
// signal, its facts collected for one audit entry, written as the GitHub user whose event it was.

export function useCaseServices(services: Services, ctx: DeliveryContext, facts: Record<string, unknown>) {
  return {
    config: services.config,
    kube: services.kube,
    github: services.github,
    clock: services.clock,
    log: ctx.log,
    audit: (more: Record<string, unknown>) => void Object.assign(facts, more),
    instanceId: services.instanceId,
    signal: ctx.signal,
  };
}

export function recordRun(
  audit: AuditLog | undefined,
  r: { requestId: string; actor: string; command: string; outcome: AuditEntry["outcome"]; reason: string; started: Date; now: Date; facts: Record<string, unknown> },
): void {
  audit?.record({
    requestId: r.requestId,
    actor: r.actor,
    channel: "github",
    command: r.command,
    decision: "allowed",
    outcome: r.outcome,
    durationMs: r.now.getTime() - r.started.getTime(),
    reason: r.reason,
    details: r.facts,
  });
}
