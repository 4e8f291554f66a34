import { createHash } from "node:crypto";
import type { TugboatConfig } from "../../config/schema.js";
import type { KObject, KubeCluster } from "../../gateways/types.js";
import type { Clock, Services } from "../../core/services.js";
import { describeLease } from "../lease-lock.js";
import type { V1Lease, V1LeaseSpec } from "../../gateways/kube-models.js";

// Where bot replicas meet: Leases in Tugboat's own namespace (config.coordination), each labelled with what it is
// for, so one least-privilege Role (every verb on leases, in that namespace) covers
// presence, pending confirmations, Slack event ids and the background leader.

export const LABEL_MANAGED_BY = "app.kubernetes.io/managed-by";
/** replica | confirmation | event | leader | approval | freeze | queue */
export const LABEL_PURPOSE = "tugboat.dev/coordination";
/** On confirmations: a hash of the asking replica's id, so it can observe its own prompts. */
export const LABEL_ASKER = "tugboat.dev/asker";
/** When a confirmation or an event id may be deleted by whoever cleans up. */
export const ANN_EXPIRES = "tugboat.dev/expires-at";

/** A Slack user or channel id, as read back from shared state or a deployment payload. */
export const SLACK_ID = /^[A-Z0-9]{2,40}$/;

/** GitHub deployment states of a deploy or lab still under way. */
export const OPEN_DEPLOYMENT_STATES = new Set(["in_progress", "queued", "pending"]);

export type Purpose = "replica" | "confirmation" | "event" | "leader" | "approval" | "freeze" | "queue";

export interface Coordination {
  cluster: KubeCluster;
  namespace: string;
  instanceId: string;
  leaseSeconds: number;
  now(): Date;
  clock: Clock;
}

export function coordinationOf(services: Pick<Services, "config" | "kube" | "ownKube" | "instanceId" | "clock">): Coordination {
  const cfg = services.config.coordination;
  return {
    // Tugboat's own identity: a request's gateway may act for its caller, who has no rights in Tugboat's namespace.
    cluster: (services.ownKube ?? services.kube).cluster(coordinationCluster(services.config)),
    namespace: cfg.namespace,
    instanceId: services.instanceId,
    leaseSeconds: cfg.leaseSeconds,
    now: () => services.clock.now(),
    clock: services.clock,
  };
}

export function coordinationCluster(config: TugboatConfig): string {
  return config.coordination.cluster ?? config.defaultCluster;
}

/** A DNS-label-safe digest of text from outside (event ids, replica ids). */
export function digest(text: string, length: number): string {
  return createHash("sha256").update(text).digest("hex").slice(0, length);
}

export function labelsFor(purpose: Purpose, extra: Record<string, string> = {}): Record<string, string> {
  return { [LABEL_MANAGED_BY]: "tugboat", [LABEL_PURPOSE]: purpose, ...extra };
}

/** A coordination Lease of `purpose` to write (create, or replace the version read: `resourceVersion`). */
export function coordinationLease(
  c: Pick<Coordination, "namespace">,
  name: string,
  purpose: Purpose,
  parts: { resourceVersion?: string; labels?: Record<string, string>; annotations: Record<string, string>; spec: V1LeaseSpec },
): V1Lease {
  return {
    apiVersion: "coordination.k8s.io/v1",
    kind: "Lease",
    metadata: { name, namespace: c.namespace, resourceVersion: parts.resourceVersion, labels: labelsFor(purpose, parts.labels), annotations: parts.annotations },
    spec: parts.spec,
  };
}

export function microTime(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}

export function expiresAt(obj: KObject): Date | undefined {
  const t = Date.parse(obj.metadata?.annotations?.[ANN_EXPIRES] ?? "");
  return Number.isFinite(t) ? new Date(t) : undefined;
}

export function replicaLeaseName(instanceId: string): string {
  return `tugboat-replica-${digest(instanceId, 16)}`;
}

/** Whether a replica still renews its presence Lease (see replica-presence.ts). */
export async function replicaAlive(c: Coordination, instanceId: string): Promise<boolean> {
  if (instanceId === c.instanceId) return true;
  const lease = await c.cluster.leases.find(replicaLeaseName(instanceId), c.namespace);
  if (!lease || lease.spec?.holderIdentity !== instanceId) return false;
  return !describeLease(lease, c.now()).expired;
}

/**
 * Deletes this purpose's Leases whose expiry has passed (answered prompts nobody closed, old event ids, presence
 * of replicas long gone). The leader runs it; a delete someone else already did is fine.
 */
export async function sweepExpired(c: Coordination, purpose: Purpose): Promise<number> {
  const { items } = await c.cluster.leases.list({ namespace: c.namespace, labelSelector: `${LABEL_MANAGED_BY}=tugboat,${LABEL_PURPOSE}=${purpose}` });
  const now = c.now().getTime();
  let removed = 0;
  for (const item of items) {
    const expiry = purpose === "replica" ? presenceExpiry(item) : expiresAt(item)?.getTime();
    if (expiry === undefined || expiry > now) continue;
    try {
      await c.cluster.leases.delete(item.metadata?.name ?? "", c.namespace, { preconditions: { resourceVersion: item.metadata?.resourceVersion } });
      removed++;
    } catch {
      // gone or changed meanwhile: its new owner keeps it
    }
  }
  return removed;
}

/** A presence Lease may go a good while after it stopped being renewed (ten lease durations). */
function presenceExpiry(lease: V1Lease): number | undefined {
  const renewed = Date.parse(lease.spec?.renewTime ?? lease.spec?.acquireTime ?? "");
  const duration = Number(lease.spec?.leaseDurationSeconds ?? 0);
  return Number.isFinite(renewed) ? renewed + duration * 10_000 : undefined;
}
