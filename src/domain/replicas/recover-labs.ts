import type { AuditLog, Logger } from "../../core/logger.js";
import { errorMessage } from "../../core/errors.js";
import { getOwn } from "../../core/own-keys.js";
import type { Services } from "../../core/services.js";
import { listLabs } from "../reviewlab/find-labs.js";
import { labEnvironment } from "../reviewlab/remove-lab.js";
import { OPEN_DEPLOYMENT_STATES, SLACK_ID, coordinationOf, replicaAlive } from "./coordination.js";

// Restart recovery for review labs: a `/reviewlab up` whose replica died leaves the lab's GitHub deployment in
// progress. The lab stays where it is (as a failed `up` leaves it, for inspection and `/reviewlab down`); its
// deployment is marked `error` with the reason, the channel that asked is told, and the audit log records it.

export interface SettledLab {
  namespace: string;
  deploymentId: number;
}


export async function recoverLabs(services: Services, log: Logger, audit?: AuditLog): Promise<SettledLab[]> {
  const cfg = services.config.reviewlab;
  if (!cfg) return [];
  const c = coordinationOf(services);
  const labs = (await listLabs(services.kube.cluster(cfg.cluster))).filter((l) => !l.terminating);
  const settled: SettledLab[] = [];
  for (const lab of labs) {
    const repo = getOwn(services.config.apps, lab.app)?.repo;
    if (!repo) continue;
    try {
      const records = await services.github.listDeployments(repo, { environment: labEnvironment(lab.slug), limit: 5 });
      for (const record of records) {
        const instance = record.payload?.instance;
        if (record.state === undefined || !OPEN_DEPLOYMENT_STATES.has(record.state) || typeof instance !== "string" || !instance) continue;
        // A live replica (this one included) is still bringing it up.
        if (await replicaAlive(c, instance)) continue;
        const reason = "Tugboat stopped while bringing this lab up; the lab is left in place (`/reviewlab down` removes it)";
        await services.github.createDeploymentStatus(repo, record.id, { state: "error", description: reason.slice(0, 140) });
        settled.push({ namespace: lab.namespace, deploymentId: record.id });
        const channel = String(record.payload?.channel ?? "");
        audit?.record({
          requestId: "recovery",
          actor: SLACK_ID.test(lab.owner) ? lab.owner : "tugboat",
          channel: SLACK_ID.test(channel) ? channel : "",
          command: `recovery: review lab ${lab.namespace}`,
          decision: "allowed",
          outcome: "error",
          durationMs: 0,
          reason,
          details: { recovery: true, githubDeployment: record.id, namespace: lab.namespace, sha: lab.sha },
        });
        log.warn("restart recovery settled a review lab", { namespace: lab.namespace, deployment: record.id });
        if (SLACK_ID.test(channel)) {
          const summary = `Tugboat restarted while bringing up the review lab ${lab.namespace} (GitHub deployment ${record.id}); it is left as it got. \`/reviewlab down ${lab.branch}\` removes it, \`/reviewlab up ${lab.branch}\` tries again.`;
          await services.notifier.post(channel, { summary, tone: "warning", blocks: [{ type: "text", text: summary }] }).catch((err) => log.warn("could not post the lab recovery", { error: errorMessage(err) }));
        }
      }
    } catch (err) {
      log.warn("restart recovery failed for a review lab", { namespace: lab.namespace, error: errorMessage(err) });
    }
  }
  return settled;
}
