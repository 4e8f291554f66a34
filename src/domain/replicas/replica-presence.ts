import type { Logger } from "../../core/logger.js";
import { errorMessage } from "../../core/errors.js";
import { isGatewayError } from "../../gateways/types.js";
import type { V1Lease } from "../../gateways/kube-models.js";
import { repeatOnClock } from "../../core/repeat-on-clock.js";
import { LeaseLock, keepRenewing, renewalPeriodMs } from "../lease-lock.js";
import { labelsFor, microTime, replicaLeaseName, type Coordination } from "./coordination.js";

// Each replica renews a Lease of its own (tugboat-replica-<hash>) while it runs. Another replica that receives a
// press for one of its prompts reads it: expired means the asker died, and the prompt is closed as not done.

export class ReplicaPresence {
  private renewal?: { lost: AbortSignal; stop(): void };
  private readonly lock: LeaseLock;
  private state: "stopped" | "renewing" | "lost" = "stopped";
  private readonly stopping = new AbortController();

  constructor(
    private readonly c: Coordination,
    private readonly log: Logger,
  ) {
    this.lock = new LeaseLock(c.cluster, c.namespace, replicaLeaseName(c.instanceId));
  }

  get leaseName(): string {
    return this.lock.name;
  }

  /** For /readyz: while the Lease is not renewed, other replicas take this one for dead (and close its prompts). */
  notReady(): string | undefined {
    if (this.state === "renewing") return undefined;
    return this.state === "lost" ? `replica presence Lease ${this.lock.name} is not renewed` : `replica presence Lease ${this.lock.name} not taken yet`;
  }

  async start(): Promise<void> {
    const leases = this.c.cluster.leases;
    const now = this.c.now();
    const body: V1Lease = {
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      metadata: { name: this.lock.name, namespace: this.c.namespace, labels: labelsFor("replica") },
      spec: { holderIdentity: this.c.instanceId, leaseDurationSeconds: this.c.leaseSeconds, acquireTime: microTime(now), renewTime: microTime(now) },
    };
    try {
      await leases.create(body);
    } catch (err) {
      // The same id again (a restart that reused it, or taking it back after losing it): take the Lease over.
      if (!isGatewayError(err, "already-exists")) throw err;
      const current = await leases.get(this.lock.name, this.c.namespace);
      await leases.replace({ ...body, metadata: { ...body.metadata, resourceVersion: current.metadata?.resourceVersion } });
    }
    this.state = "renewing";
    const renewal = keepRenewing(() => this.lock.renew(this.c.instanceId, this.c.now()), this.c.leaseSeconds, this.lock.name, this.c.clock);
    this.renewal = renewal;
    renewal.lost.addEventListener("abort", () => {
      if (this.stopping.signal.aborted) return;
      this.state = "lost";
      renewal.stop();
      this.log.warn("lost this replica's presence Lease; other replicas may take it for dead until it is back", { lease: this.lock.name });
      this.takeBack();
    });
  }

  /** Records the Lease again every third of its duration until it is back (or this replica stops). */
  private takeBack(): void {
    const recordAgain = async (): Promise<"done" | void> => {
      if (this.state !== "lost") return "done";
      await this.start();
      this.log.info("this replica's presence Lease is back", { lease: this.lock.name });
      return "done";
    };
    repeatOnClock(this.c.clock, renewalPeriodMs(this.c.leaseSeconds), recordAgain, {
      signal: this.stopping.signal,
      onError: (err) => this.log.debug("presence Lease still not back", { error: errorMessage(err) }),
    });
  }

  /** Stops renewing; `release` deletes the Lease so others know at once (a clean shutdown). */
  async stop(opts: { release: boolean }): Promise<void> {
    this.stopping.abort();
    this.state = "stopped";
    this.renewal?.stop();
    this.renewal = undefined;
    if (opts.release) await this.lock.release(this.c.instanceId).catch((err) => this.log.warn("could not delete the presence Lease", { error: errorMessage(err) }));
  }
}
