import { firstTimeAnywhere, SeenIds, type SharedIds } from "../core/seen-ids.js";
import type { Services } from "../core/services.js";
import { deployOnMerge } from "./deploy-on-merge.js";
import type { GithubEventHandlers } from "./dispatch.js";
import { labsFromPullRequests, labsFromStatuses } from "./labs-from-pulls.js";

// Which use cases GitHub's events drive, in order per event. Each handler checks its own config (reviewlab.auto,
// apps.<app>.autoDeploy) and does nothing without it.

/** How long "this commit was auto-deployed" is remembered. */
const AUTO_DEPLOY_MEMORY_MS = 7 * 24 * 60 * 60 * 1000;

/** `shared`: the replicas' record (the webhook endpoint's); without it, this replica's memory only. */
export function buildWebhookHandlers(services: Services, shared?: SharedIds): GithubEventHandlers {
  const local = new SeenIds(AUTO_DEPLOY_MEMORY_MS, () => services.clock.now().getTime());
  const claim = (key: string) => firstTimeAnywhere(local, shared, key);
  const deploys = deployOnMerge({ services, claim });
  const labs = { services, claim };
  return {
    push: [...deploys.push!],
    pull_request: [labsFromPullRequests(labs)],
    status: [labsFromStatuses(labs), ...deploys.status!],
    check_run: [...deploys.check_run!],
  };
}
