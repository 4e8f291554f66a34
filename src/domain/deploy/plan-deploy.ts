import { UserError } from "../../core/errors.js";
import type { GithubGateway, KObject, KubeCluster } from "../../gateways/types.js";
import { resourceFor } from "../apply-objects.js";
import { describeObject, renderManifests } from "../render-manifests.js";
import type { Target } from "../resolve-target.js";
import { stampAnnotations, type DeployStamp } from "./annotations.js";
import { findResource } from "./follow-rollout.js";
import type { DeployEnv } from "./resolve-deploy-env.js";
import { retryTransient } from "./retry-transient.js";
import { imageChanges, runsImage, type ContainerChange } from "./set-images.js";

// What a deploy will change, worked out before anything changes: the rendered manifests (or, without a
// manifests folder, the app's Deployments whose image is set), and per Deployment the image before → after.

export interface DeploymentChange {
  name: string;
  /** False when the manifests create it. */
  exists: boolean;
  images: Array<{ container: string; from?: string; to: string }>;
}

export type DeployPlan =
  | { mode: "manifests"; files: string[]; objects: KObject[]; changes: DeploymentChange[] }
  | { mode: "set-image"; targets: Array<{ deploy: KObject; containers: ContainerChange[] }>; changes: DeploymentChange[] };

export function isCanaryDeployment(d: KObject): boolean {
  return d.metadata?.labels?.track === "canary" || (d.metadata?.name ?? "").endsWith("-canary");
}

/** The environment's Deployments running the app's image (canaries excluded). */
export async function appDeployments(cluster: KubeCluster, namespace: string, image: string): Promise<KObject[]> {
  const res = await findResource(cluster, "apps", "deployments");
  const { items } = await retryTransient(() => cluster.list(res, { namespace }));
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

export async function readManifests(github: GithubGateway, env: DeployEnv, target: Target): Promise<{ files: string[]; objects: KObject[] } | undefined> {
  const entries = await github.listDirectory(env.repo, env.manifestsPath, target.sha);
  if (!entries) return undefined;
  const files = entries
    .filter((e) => e.type === "file" && /\.ya?ml$/i.test(e.name))
    .map((e) => e.path)
    .sort();
  if (files.length === 0) return undefined;
  const values = templateValues(env, target);
  const texts = await Promise.all(files.map((f) => github.readFile(env.repo, f, target.sha)));
  const objects = texts.flatMap((text, i) => renderManifests(text, values, files[i]));
  return { files, objects };
}

export async function planDeploy(input: PlanInput): Promise<DeployPlan> {
  const { github, cluster, target, env, stamp } = input;
  const manifests = await readManifests(github, env, target);
  const deployRes = await findResource(cluster, "apps", "deployments");
  if (!manifests) {
    const deploys = await appDeployments(cluster, env.namespace, env.image);
    if (deploys.length === 0) {
      throw new UserError(
        `Nothing to deploy: ${env.repo} has no \`${env.manifestsPath}/\` at ${target.shortSha}, and ${env.namespace} on ${env.cluster} has no Deployment running ${env.image}.`,
      );
    }
    const targets = deploys.map((deploy) => ({ deploy, containers: imageChanges(deploy.spec?.template, env.image, target.sha) }));
    return {
      mode: "set-image",
      targets,
      changes: targets.map((t) => ({
        name: t.deploy.metadata!.name!,
        exists: true,
        images: t.containers.map((c) => ({ container: c.name, from: c.from, to: c.to })),
      })),
    };
  }
  const annotations = stampAnnotations(stamp);
  const changes: DeploymentChange[] = [];
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
      const current = await retryTransient(() => cluster.find(deployRes, obj.metadata!.name!, env.namespace));
      const before = new Map<string, string>();
      for (const c of [...(current?.spec?.template?.spec?.initContainers ?? []), ...(current?.spec?.template?.spec?.containers ?? [])]) before.set(c.name, c.image);
      const after = [...(obj.spec?.template?.spec?.initContainers ?? []), ...(obj.spec?.template?.spec?.containers ?? [])];
      changes.push({
        name: obj.metadata.name!,
        exists: current !== undefined,
        images: after
          .filter((c: any) => before.get(c.name) !== c.image || (typeof c.image === "string" && c.image.startsWith(`${env.image}:`)))
          .map((c: any) => ({ container: c.name, from: before.get(c.name), to: c.image })),
      });
    }
  }
  return { mode: "manifests", files: manifests.files, objects: manifests.objects, changes };
}

/** Plain lines for the plan: `unicorn: registry/github:4e2b69b → registry/github:eed486a`. */
export function describeChanges(changes: DeploymentChange[]): string[] {
  const short = (image?: string) => (image ? image.replace(/:([0-9a-f]{40})$/, (_m, sha: string) => `:${sha.slice(0, 7)}`) : "(new)");
  return changes.map((c) => {
    const images = c.images.map((i) => `${c.images.length > 1 ? `${i.container}: ` : ""}${short(i.from)} → ${short(i.to)}`).join(", ");
    return `\`${c.name}\`${c.exists ? "" : " (new)"}: ${images || "no image change"}`;
  });
}
