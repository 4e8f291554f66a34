import type { KubeGateway, GithubGateway } from "../gateways/types.js";
import type { PrometheusGateway } from "../gateways/prometheus-port.js";
import type { TugboatConfig } from "../config/schema.js";
import type { Reply } from "./reply.js";
import type { AuditLog, Logger } from "./logger.js";
import type { Metrics } from "./metrics.js";

/** What commands may reach: gateways, configuration and a clock. Built once in the composition root. */
export interface Services {
  config: TugboatConfig;
  kube: KubeGateway;
  /**
   * Tugboat's own gateway, whatever the request: in a request on a cluster with `impersonate: true`, `kube` acts for
   * the caller, but Tugboat's shared state in its coordination namespace (freezes, deploy queues, approvals) is
   * Tugboat's to read and write (its policy decided first). Unset: `kube` is Tugboat's own.
   */
  ownKube?: KubeGateway;
  github: GithubGateway;
  /** Prometheus's query API, for canary analysis; absent means no analysis runs. */
  prometheus?: PrometheusGateway;
  clock: Clock;
  /** Identity of this bot process, for Lease holders. */
  instanceId: string;
  /** Posts to a channel outside any request (reaper reports, automatic canary aborts). */
  notifier: Notifier;
  /** Counters and gauges (src/core/metrics.ts); absent means nothing is counted. */
  metrics?: Metrics;
  /** Background work outside requests writes its own audit entries (restart recovery). */
  audit?: AuditLog;
  /** With background work on: whether this replica is the elected leader (periodic work runs only there). */
  leader?: { isLeader(): boolean };
  /**
   * Runs a command for someone outside their request, through the router (so their permissions are checked again),
   * its replies posted to `channel`: the deploy queue starts a `--auto` deploy this way when its turn comes.
   */
  runOnBehalf?(request: { user: string; channel: string; command: string; confirmed?: boolean }): Promise<void>;
}

/**
 * A message the notifier posted, as data: stored (e.g. on a canary Deployment) so whichever replica comes next,
 * after a restart too, edits the same message. Slack: the channel and the message's ts; terminal: an id.
 */
export interface MessageRef {
  channel: string;
  id: string;
}

export interface Notifier {
  /** Posts a new message; its reference when it was posted (undefined when the chat refused it). */
  post(channelId: string, reply: Reply): Promise<MessageRef | undefined>;
  /**
   * Rewrites a message `post` returned (paced like a request's updates). "gone" when it cannot be edited any more
   * (deleted, not the bot's, a reference from elsewhere): post a new one instead.
   */
  update(ref: MessageRef, reply: Reply): Promise<"updated" | "gone">;
}

/** Work a command family runs outside requests (the review-lab reaper, canary watchdogs). */
export interface BackgroundTask {
  stop(): Promise<void>;
}

export type BackgroundStarter = (services: Services, log: Logger) => BackgroundTask;

export interface Clock {
  now(): Date;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => new Date(),
  sleep: (ms, signal) =>
    new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason ?? new Error("aborted"));
      const t = setTimeout(() => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(t);
        reject(signal!.reason ?? new Error("aborted"));
      };
      signal?.addEventListener("abort", onAbort, { once: true });
    }),
};
