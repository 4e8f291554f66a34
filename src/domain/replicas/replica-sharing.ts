import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { TugboatConfig } from "../../config/schema.js";
import type { Logger } from "../../core/logger.js";
import { systemClock, type Clock } from "../../core/services.js";
import type { KubeGateway } from "../../gateways/types.js";
import { coordinationOf } from "./coordination.js";
import { ReplicaPresence } from "./replica-presence.js";
import { SharedConfirmations } from "./shared-confirmations.js";
import { SharedEventIds } from "./shared-event-ids.js";

// What the Slack adapter and the GitHub webhook endpoint share with the other replicas, built once per process by the composition root.

/** Slack retries an event for about 5 minutes; an hour leaves room for slow retries and clock skew. */
export const EVENT_ID_TTL_MS = 60 * 60 * 1000;
/** GitHub never retries a delivery itself; a person may redeliver one for days: a handled one is refused for a day. */
export const GITHUB_DELIVERY_TTL_MS = 24 * 60 * 60 * 1000;

export interface ReplicaSharing {
  instanceId: string;
  presence: ReplicaPresence;
  confirmations: SharedConfirmations;
  eventIds: SharedEventIds;
  /** GitHub webhook delivery ids and body digests (src/webhooks/webhook-endpoint.ts). */
  githubDeliveries: SharedEventIds;
}

export function newInstanceId(): string {
  return `${hostname()}-${process.pid}-${randomBytes(3).toString("hex")}`;
}

export function createReplicaSharing(deps: { config: TugboatConfig; kube: KubeGateway; log: Logger; instanceId?: string; clock?: Clock }): ReplicaSharing {
  const instanceId = deps.instanceId ?? newInstanceId();
  const c = coordinationOf({ config: deps.config, kube: deps.kube, instanceId, clock: deps.clock ?? systemClock });
  const log = deps.log.child({ component: "replicas" });
  return {
    instanceId,
    presence: new ReplicaPresence(c, log),
    confirmations: new SharedConfirmations(c, log),
    eventIds: new SharedEventIds(c, EVENT_ID_TTL_MS, log),
    githubDeliveries: new SharedEventIds(c, GITHUB_DELIVERY_TTL_MS, log),
  };
}
