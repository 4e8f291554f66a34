import type { TugboatConfig } from "../config/schema.js";
import { errorMessage } from "../core/errors.js";
import type { Logger } from "../core/logger.js";
import type { GithubEventName, GithubEventPayload } from "./payloads.js";

// Verified, validated deliveries go to typed handlers, one list per event. Handlers are the use cases' own entry
// points (deploy on merge, labs from pull requests); a failing handler is logged and does not stop the others.

export interface DeliveryContext {
  /** X-GitHub-Delivery. */
  deliveryId: string;
  /** The configured apps whose repository sent it (several apps may share one repository). */
  apps: string[];
  log: Logger;
  /** Aborted when Tugboat stops: long waits (an approval) end, and what started stays as the use case leaves it. */
  signal: AbortSignal;
}

export type GithubEventHandler<E extends GithubEventName> = (payload: GithubEventPayload<E>, ctx: DeliveryContext) => Promise<void>;

export type GithubEventHandlers = { [E in GithubEventName]?: Array<GithubEventHandler<E>> };

export interface ValidDelivery<E extends GithubEventName = GithubEventName> {
  id: string;
  name: E;
  payload: GithubEventPayload<E>;
}

/** The apps configured for a repository ("owner/name"; GitHub compares names without case). */
export function appsOfRepo(config: TugboatConfig, repo: string): string[] {
  const wanted = repo.toLowerCase();
  return Object.entries(config.apps)
    .filter(([, app]) => app.repo.toLowerCase() === wanted)
    .map(([name]) => name);
}

/** Runs every handler of the delivery's event, one after another (their order is the order they were given). */
export async function dispatchDelivery<E extends GithubEventName>(handlers: GithubEventHandlers, delivery: ValidDelivery<E>, apps: string[], log: Logger, signal: AbortSignal): Promise<void> {
  const list = (handlers[delivery.name] ?? []) as Array<GithubEventHandler<E>>;
  const ctx: DeliveryContext = { deliveryId: delivery.id, apps, log, signal };
  for (const handle of list) {
    try {
      await handle(delivery.payload, ctx);
    } catch (err) {
      log.error("a GitHub webhook handler failed", { event: delivery.name, error: errorMessage(err), stack: err instanceof Error ? err.stack : undefined });
    }
  }
}
