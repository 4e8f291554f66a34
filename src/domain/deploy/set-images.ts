import type { V1Container, V1Deployment, V1ObjectMeta, V1PodTemplateSpec } from "../../gateways/kube-models.js";
import { annotationOps, stampAnnotations, type DeployStamp } from "./annotations.js";

// `kubectl set image` for the app's own image: only containers running an image from the app's repository
// change; sidecars and other images stay as they are.

/** "registry.example.com:5000/github:abc@sha256:…" → "registry.example.com:5000/github". */
export function imageRepository(image: string): string {
  const noDigest = image.split("@")[0]!;
  const slash = noDigest.lastIndexOf("/");
  const colon = noDigest.lastIndexOf(":");
  return colon > slash ? noDigest.slice(0, colon) : noDigest;
}

/** The tag of an image ("" when none). */
export function imageTag(image: string): string {
  const noDigest = image.split("@")[0]!;
  const slash = noDigest.lastIndexOf("/");
  const colon = noDigest.lastIndexOf(":");
  return colon > slash ? noDigest.slice(colon + 1) : "";
}

export interface ContainerChange {
  /** "containers" or "initContainers". */
  list: "containers" | "initContainers";
  index: number;
  name: string;
  from: string;
  to: string;
}

function containersOf(template: V1PodTemplateSpec | undefined): Array<{ list: ContainerChange["list"]; index: number; c: V1Container }> {
  const spec = template?.spec;
  const out: Array<{ list: ContainerChange["list"]; index: number; c: V1Container }> = [];
  (spec?.initContainers ?? []).forEach((c, index) => out.push({ list: "initContainers", index, c }));
  (spec?.containers ?? []).forEach((c, index) => out.push({ list: "containers", index, c }));
  return out;
}

/** The container runs an image from the repository. */
function fromRepository(c: V1Container, repository: string): c is V1Container & { image: string } {
  return typeof c.image === "string" && imageRepository(c.image) === repository;
}

/** Does this pod template run an image from the repository? */
export function runsImage(template: V1PodTemplateSpec | undefined, repository: string): boolean {
  return containersOf(template).some(({ c }) => fromRepository(c, repository));
}

/** The containers of a pod template that would move to `repository:tag`. */
export function imageChanges(template: V1PodTemplateSpec | undefined, repository: string, tag: string): ContainerChange[] {
  const to = `${repository}:${tag}`;
  return containersOf(template).flatMap(({ list, index, c }) => (fromRepository(c, repository) ? [{ list, index, name: c.name, from: c.image, to }] : []));
}

/** JSON Patch operations that set the images, guarded by a test of each container's name. */
export function imagePatchOps(changes: ContainerChange[], prefix = "/spec/template/spec"): unknown[] {
  return changes.flatMap((ch) => [
    { op: "test", path: `${prefix}/${ch.list}/${ch.index}/name`, value: ch.name },
    { op: "replace", path: `${prefix}/${ch.list}/${ch.index}/image`, value: ch.to },
  ]);
}

/** The JSON patch of a deploy without manifests: the new images and Tugboat's deploy annotations. */
export function setImageOps(deploy: { metadata?: V1ObjectMeta }, containers: ContainerChange[], stamp: DeployStamp): unknown[] {
  return [...imagePatchOps(containers), ...annotationOps(deploy.metadata?.annotations, stampAnnotations(stamp))];
}

/** Sets the images in a copy of a pod template. */
export function withImages(template: V1PodTemplateSpec | undefined, repository: string, tag: string): V1PodTemplateSpec {
  const copy = structuredClone(template ?? {});
  for (const ch of imageChanges(copy, repository, tag)) {
    const container = copy.spec?.[ch.list]?.[ch.index];
    if (container) container.image = ch.to;
  }
  return copy;
}

/** The sha a Deployment runs: from Tugboat's annotation, else the app image's tag. */
export function runningSha(deploy: V1Deployment, repository: string, shaAnnotation = "tugboat.dev/sha"): string | undefined {
  const fromImage = imageChanges(deploy.spec?.template, repository, "")[0]?.from;
  const tag = fromImage ? imageTag(fromImage) : "";
  const ann = deploy.metadata?.annotations?.[shaAnnotation];
  if (ann && (!tag || tag === ann)) return ann;
  return tag || ann || undefined;
}
