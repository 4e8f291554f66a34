import type { KObject } from "../../gateways/types.js";
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

function containersOf(template: any): Array<{ list: ContainerChange["list"]; index: number; c: any }> {
  const spec = template?.spec ?? {};
  const out: Array<{ list: ContainerChange["list"]; index: number; c: any }> = [];
  (spec.initContainers ?? []).forEach((c: any, index: number) => out.push({ list: "initContainers", index, c }));
  (spec.containers ?? []).forEach((c: any, index: number) => out.push({ list: "containers", index, c }));
  return out;
}

/** Does this pod template run an image from the repository? */
export function runsImage(template: any, repository: string): boolean {
  return containersOf(template).some(({ c }) => typeof c.image === "string" && imageRepository(c.image) === repository);
}

/** The containers of a pod template that would move to `repository:tag`. */
export function imageChanges(template: any, repository: string, tag: string): ContainerChange[] {
  const to = `${repository}:${tag}`;
  return containersOf(template)
    .filter(({ c }) => typeof c.image === "string" && imageRepository(c.image) === repository)
    .map(({ list, index, c }) => ({ list, index, name: c.name, from: c.image, to }));
}

/** JSON Patch operations that set the images, guarded by a test of each container's name. */
export function imagePatchOps(changes: ContainerChange[], prefix = "/spec/template/spec"): unknown[] {
  return changes.flatMap((ch) => [
    { op: "test", path: `${prefix}/${ch.list}/${ch.index}/name`, value: ch.name },
    { op: "replace", path: `${prefix}/${ch.list}/${ch.index}/image`, value: ch.to },
  ]);
}

/** The JSON patch of a deploy without manifests: the new images and Tugboat's deploy annotations. */
export function setImageOps(deploy: KObject, containers: ContainerChange[], stamp: DeployStamp): unknown[] {
  return [...imagePatchOps(containers), ...annotationOps(deploy.metadata?.annotations, stampAnnotations(stamp))];
}

/** Sets the images in a copy of a pod template. */
export function withImages(template: any, repository: string, tag: string): any {
  const copy = structuredClone(template ?? {});
  for (const ch of imageChanges(copy, repository, tag)) copy.spec[ch.list][ch.index].image = ch.to;
  return copy;
}

/** The sha a Deployment runs: from Tugboat's annotation, else the app image's tag. */
export function runningSha(deploy: KObject, repository: string, shaAnnotation = "tugboat.dev/sha"): string | undefined {
  const fromImage = imageChanges(deploy.spec?.template, repository, "")[0]?.from;
  const tag = fromImage ? imageTag(fromImage) : "";
  const ann = deploy.metadata?.annotations?.[shaAnnotation];
  if (ann && (!tag || tag === ann)) return ann;
  return tag || ann || undefined;
}
