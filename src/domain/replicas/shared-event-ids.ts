import type { Logger } from "../../core/logger.js";
import { errorMessage } from "../../core/errors.js";
import { isGatewayError } from "../../gateways/types.js";
import type { V1Lease } from "../../gateways/kube-models.js";
import { ANN_EXPIRES, digest, expiresAt, labelsFor, microTime, type Coordination } from "./coordination.js";

// Slack event ids and GitHub webhook deliveries seen by one of the replicas, as Leases named by a digest of the id: creating
// one is the claim, and "already exists" means another replica (or this one) already handled that delivery.
// The leader sweeps expired ones (coordination.ts: sweepExpired).

export interface EventIds {
  /** True the first time one of the replicas sees this id (within the ttl). */
  firstTime(id: string): Promise<boolean>;
}

export class SharedEventIds implements EventIds {
  constructor(
    private readonly c: Coordination,
    private readonly ttlMs: number,
    private readonly log: Logger,
  ) {}

  /** Deletes this replica's own claim of the id (another replica's stays); a failure is logged, never thrown. */
  async forget(id: string): Promise<void> {
    const name = leaseName(id);
    try {
      const current = await this.c.cluster.leases.find(name, this.c.namespace);
      if (current?.spec?.holderIdentity !== this.c.instanceId) return;
      await this.c.cluster.leases.delete(name, this.c.namespace, { preconditions: { resourceVersion: current.metadata?.resourceVersion } });
    } catch (err) {
      this.log.warn("cannot give back the claim of an event id; a redelivery within its time is taken for a repeat", { error: errorMessage(err) });
    }
  }

  async firstTime(id: string): Promise<boolean> {
    const name = leaseName(id);
    const now = this.c.now();
    const body = (resourceVersion?: string): V1Lease => ({
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      metadata: { name, namespace: this.c.namespace, resourceVersion, labels: labelsFor("event"), annotations: { [ANN_EXPIRES]: new Date(now.getTime() + this.ttlMs).toISOString() } },
      spec: { holderIdentity: this.c.instanceId, acquireTime: microTime(now) },
    });
    try {
      const leases = this.c.cluster.leases;
      try {
        await leases.create(body());
        return true;
      } catch (err) {
        if (!isGatewayError(err, "already-exists")) throw err;
        // Seen before: a repeat, unless that claim has expired (then claim it again, first writer wins).
        const current = await leases.find(name, this.c.namespace);
        const expiry = current && expiresAt(current);
        if (!current || !expiry || expiry.getTime() > now.getTime()) return false;
        await leases.replace(body(current.metadata?.resourceVersion));
        return true;
      }
    } catch (err) {
      if (isGatewayError(err, "conflict")) return false;
      // Handling a delivery twice is better than dropping one because the cluster is briefly away.
      this.log.warn("cannot record an event id (Slack event, GitHub delivery) in Kubernetes; deduplicating in this replica only", { error: errorMessage(err) });
      throw err;
    }
  }
}

function leaseName(id: string): string {
  return `tugboat-event-${digest(id, 40)}`;
}
