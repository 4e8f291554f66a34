import type { Services } from "../core/services.js";
import type { GithubEventHandlers } from "./dispatch.js";
import { labsFromPullRequests, labsFromStatuses } from "./labs-from-pulls.js";

// Which use cases GitHub's events drive. Each handler checks its own config (reviewlab.auto, …) and does nothing
// without it.

export function buildWebhookHandlers(services: Services): GithubEventHandlers {
  return {
    pull_request: [labsFromPullRequests(services)],
    status: [labsFromStatuses(services)],
  };
}
