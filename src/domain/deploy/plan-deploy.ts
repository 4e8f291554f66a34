import { UserError } from "../../core/errors.js";
import type { GithubGateway, KObject, KubeCluster } from "../../gateways/types.js";
import type { V1Deployment } from "../../gateways/kube-models.js";
import { fields } from "../../core/json-fields.js";
import { resourceFor } from "../apply-objects.js";
import { describeObject } from "../render-manifests.js";
import { renderTemplates, type RenderedSet } from "../render/render-pool.js";
import { isTemplateEntry, readRepoTemplates } from "../render/read-repo-templates.js";
import { enforceContentPolicy } from "../content-policy/enforce.js";
import type { Target } from "../resolve-target.js";
import { stampAnnotations, type DeployStamp } from "./annotations.js";
import type { DeployEnv } from "./resolve-deploy-env.js";
import { imageChanges, runsImage, type ContainerChange } from "./set-images.js";

// What a deploy will write, worked out before anything changes: the rendered manifests (or, without a
// manifests folder, the app's Deployments whose image is set). What each write would do is previewPlan's.

export type DeployPlan =
  | { mode: "manifests"; files: string[]; objects: KObject[] }
  | { mode: "set-image"; targets: Array<{ deploy: V1Deployment; containers: ContainerChange[] }> };

export function isCanaryDeployment(d: V1Deployment): boolean {
  return d.metadata?.labels?.track === "canary" || (d.metadata?.name ?? "").endsWith("-canary");
}

/** The environment's Deployments running the app's image (canaries excluded). */
export async function appDeployments(cluster: KubeCluster, namespace: string, image: string): Promise<V1Deployment[]> {
  const { items } = await cluster.deployments.list({ namespace });
  return items.filter((d) => !isCanaryDeployment(d) && runsImage(d.spec?.template, image));
}

export interface PlanInput {
  github: GithubGateway;
  cluster: KubeCluster;
  target: Target;
  env: DeployEnv;
  stamp: DeployStamp;
}

export function templateValues(env: DeployEnv, target: Target): Record<string, string> {
  return {
    image: `${env.image}:${target.sha}`,
    sha: target.sha,
    shortSha: target.shortSha,
    app: env.app,
    env: env.env,
    namespace: env.namespace,
    pr: target.pr ? String(target.pr.number) : "",
  };
}

export async function readManifests(github: GithubGateway, env: DeployEnv, target: Target): Promise<{ files: string[]; objects: KObject[]; rendered: RenderedSet } | undefined> {
  const entries = await github.listDirectory(env.repo, env.manifestsPath, target.sha);
  if (!entries || !entries.some(isTemplateEntry)) return undefined;
  const values = templateValues(env, target);
  const read = await readRepoTemplates(github, env.repo, target.sha, entries, env.content.maxBytes);
  // Off the main thread and within the content policy's budget: a PR's templates cannot stall the bot.
  const rendered = await renderTemplates(read.files, values, { timeoutMs: env.content.renderTimeoutMs, maxBytes: env.content.maxBytes });
  rendered.failures.unshift(...read.failures);
  return { files: read.files.map((f) => f.path), objects: rendered.objects, rendered };
}

export async function planDeploy(input: PlanInput): Promise<DeployPlan> {
  const { github, cluster, target, env, stamp } = input;
  const manifests = await readManifests(github, env, target);
  // Refused before anything is applied, and before a plan or confirmation is shown.
  if (manifests) {
    const subject = `the manifests of ${target.label} for ${env.app} ${env.env}`;
    await enforceContentPolicy(cluster, manifests.rendered, env.content, { namespace: env.namespace, what: `deploys to ${env.env}`, subject });
  }
  if (!manifests) {
    const deploys = await appDeployments(cluster, env.namespace, env.image);
    if (deploys.length === 0) {
      throw new UserError(
        `Nothing to deploy: ${env.repo} has no \`${env.manifestsPath}/\` at ${target.shortSha}, and ${env.namespace} on ${env.cluster} has no Deployment running ${env.image}.`,
      );
    }
    refusePaused(deploys.filter((d) => d.spec?.paused === true), env.namespace);
    const targets = deploys.map((deploy) => ({ deploy, containers: imageChanges(deploy.spec?.template, env.image, target.sha) }));
    return { mode: "set-image", targets };
  }
  const annotations = stampAnnotations(stamp);
  for (const obj of manifests.objects) {
    obj.metadata ??= {};
    const res = await resourceFor(cluster, obj);
    if (!res.namespaced) throw new UserError(`${describeObject(obj)}: deploys may only change objects in ${env.namespace}, not cluster-wide ones.`);
    if (obj.metadata.namespace && obj.metadata.namespace !== env.namespace) {
      throw new UserError(`${describeObject(obj)}: deploys to ${env.env} may only change objects in ${env.namespace}.`);
    }
    obj.metadata.namespace = env.namespace;
    if (obj.kind === "Deployment" && obj.apiVersion === "apps/v1") {
      obj.metadata.annotations = { ...(obj.metadata.annotations ?? {}), ...annotations };
    }
  }
  await refusePausedTargets(cluster, env.namespace, manifests.objects);
  return { mode: "manifests", files: manifests.files, objects: manifests.objects };
}

/**
 * A paused Deployment (kubectl rollout pause) takes a new template but never rolls it out: the deploy would
 * only wait for its timeout. Refused before anything is applied, unless the manifest itself unpauses it.
 */
async function refusePausedTargets(cluster: KubeCluster, namespace: string, objects: KObject[]): Promise<void> {
  const names = new Set(objects.filter((o) => o.kind === "Deployment" && o.apiVersion === "apps/v1" && fields(o.spec).paused !== false).map((o) => o.metadata?.name));
  if (names.size === 0) return;
  const { items } = await cluster.deployments.list({ namespace });
  refusePaused(items.filter((d) => names.has(d.metadata?.name) && d.spec?.paused === true), namespace);
}

function refusePaused(paused: V1Deployment[], namespace: string): void {
  if (paused.length === 0) return;
  const list = paused.map((d) => d.metadata?.name).join(", ");
  const first = paused[0]!.metadata?.name;
  throw new UserError(
    `${list} in ${namespace} ${paused.length === 1 ? "is" : "are"} paused (kubectl rollout pause), so a deploy would never roll out. Resume ${paused.length === 1 ? "it" : "them"} first (\`kubectl rollout resume deployment/${first} -n ${namespace}\`) and try again.`,
  );
}
