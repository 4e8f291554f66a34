import { parse as parseYaml } from "yaml";
import { ApiError, errors } from "../errors.js";
import { applyJsonPatch, applyMergePatch, smp } from "../patch/index.js";
import type { ResourceDef } from "../resources.js";
import { isPlainObject } from "../util.js";

/** a JSON patch, merge patch or strategic merge patch body */
export function parsePatchBody(rawBody: string): any {
  try {
    return JSON.parse(rawBody);
  } catch (e) {
    throw errors.badRequest(`the server rejected our request due to an error in our request: ${(e as Error).message}`);
  }
}

/** a server-side apply body (YAML or JSON): an object */
export function parseApplyBody(rawBody: string): Record<string, any> {
  let body: unknown;
  try {
    body = parseYaml(rawBody);
  } catch (e) {
    throw errors.badRequest(`error decoding YAML: ${(e as Error).message}`);
  }
  if (!isPlainObject(body)) throw errors.badRequest("the body of the request was not a JSON object");
  return body;
}

/** apply a JSON, merge or strategic-merge patch document (by content type) to `current` */
export function applyPatchDocument(def: ResourceDef, current: any, ct: string, body: any): any {
  switch (ct) {
    case "application/json-patch+json":
      return applyJsonPatch(current, body);
    case "application/merge-patch+json":
      if (!isPlainObject(body)) throw errors.badRequest("the server rejected our request due to an error in our request: merge patch must be a JSON object");
      return applyMergePatch(current, body);
    case "application/strategic-merge-patch+json":
      if (!isPlainObject(body)) throw errors.badRequest("the server rejected our request due to an error in our request: strategic merge patch must be a JSON object");
      if (def.crd) throw new ApiError(415, "UnsupportedMediaType", `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml`);
      return smp(current, body);
    default:
      throw errors.unsupportedMedia(ct);
  }
}
