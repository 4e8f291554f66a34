import type { GithubGateway, KubeCluster } from "../../gateways/types.js";
import { isGatewayError } from "../../gateways/types.js";
import type { Logger } from "../../core/logger.js";
import { errorMessage } from "../../core/errors.js";
import { code, md } from "../../core/github-markdown.js";
import { mapLimit } from "../apply-objects.js";
import type { LabInfo } from "./lab-metadata.js";

// Removing a lab: delete its Namespace (Kubernetes deletes everything in it), optionally wait until it is
// gone, and mark its GitHub Deployments inactive.

export function labEnvironment(slug: string): string {
  return `review-lab/${slug}`;
}

/** Deletes the namespace; false when it was already gone. A namespace already terminating counts as deleted. */
export async function deleteLabNamespace(cluster: KubeCluster, namespace: string): Promise<boolean> {
  try {
    await cluster.namespaces.delete(namespace, undefined, { propagationPolicy: "Background" });
    return true;
  } catch (err) {
    if (isGatewayError(err, "not-found")) return false;
    // Kubernetes answers 409 to a DELETE of a namespace that is already being finalized.
    if (isGatewayError(err, "conflict")) return true;
    throw err;
  }
}

/** Resolves once the namespace no longer exists (followed by an informer); false on timeout or abort. */
export async function waitForNamespaceGone(cluster: KubeCluster, namespace: string, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
  const informer = await cluster.namespaces.informer({ fieldSelector: `metadata.name=${namespace}` });
  try {
    return (await informer.waitFor((i) => i.get(namespace) === undefined, { timeoutMs, signal })) ?? false;
  } finally {
    informer.stop();
  }
}

/** Marks every still-active GitHub Deployment of the lab's environment inactive. Failures are logged, not thrown. */
export async function markLabInactive(github: GithubGateway, repo: string, lab: Pick<LabInfo, "slug" | "deploymentId">, log: Logger): Promise<number> {
  try {
    const deployments = await github.listDeployments(repo, { environment: labEnvironment(lab.slug), limit: 20 });
    const ids = new Set(deployments.filter((d) => d.state !== "inactive").map((d) => d.id));
    if (lab.deploymentId !== undefined && !deployments.some((d) => d.id === lab.deploymentId)) ids.add(lab.deploymentId);
    await mapLimit([...ids], 4, (id) =>
      github.createDeploymentStatus(repo, id, { state: "inactive", description: "Review lab removed" }),
    );
    return ids.size;
  } catch (err) {
    log.warn("could not mark the review lab's GitHub deployments inactive", { slug: lab.slug, error: errorMessage(err) });
    return 0;
  }
}

/** Edits the lab's PR comment to say it was removed and why; nothing when there is none. Failures are logged, not thrown. */
export async function noteLabRemoved(github: GithubGateway, repo: string, lab: Pick<LabInfo, "branch" | "pr" | "commentId">, reason: string, log: Logger): Promise<void> {
  if (lab.pr === undefined || lab.commentId === undefined) return;
  try {
    await github.updateComment(repo, lab.commentId, md`The review lab for ${code(lab.branch)} was removed: ${reason}.`);
  } catch (err) {
    // A comment someone deleted stays deleted.
    if (!isGatewayError(err, "not-found")) log.warn("could not update the review lab's PR comment", { pr: lab.pr, error: errorMessage(err) });
  }
}
