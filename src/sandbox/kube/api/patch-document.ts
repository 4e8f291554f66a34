import { ApiError, errors } from "../errors.js";
import { applyJsonPatch, applyMergePatch, smp } from "../patch/index.js";
import type { ResourceDef } from "../resources.js";
import { isPlainObject } from "../util.js";

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
