// Schema-driven request validation, hooked into the API's writes: decoding (400), field validation (422),
// immutable fields on update (422), and fieldValidation=Ignore|Warn|Strict for unknown fields.
import { ApiError, errors } from "../errors.js";
import type { ResourceDef } from "../resources.js";
import { applyTypeProblems, decodeTyped } from "./decode.js";
import { kindSchemaOf } from "./kinds.js";
import { immutableCauses, semanticCauses } from "./semantic.js";

export type FieldValidation = "Ignore" | "Warn" | "Strict";

/** What the request asked for; the API server's default is Warn. */
export function fieldValidationOf(param: string | null | undefined): FieldValidation {
  if (param === "Ignore" || param === "Strict") return param;
  return "Warn";
}

function schemaFor(def: ResourceDef) {
  // Custom resources are free-form, except the Istio kinds, whose CRDs carry structural schemas.
  return def.crd && def.group !== "networking.istio.io" ? undefined : kindSchemaOf(def.group, def.version, def.kind);
}

/**
 * A create/update body (or a patch's result) decoded into the type: wrong JSON types are a 400 whatever the
 * directive; unknown fields fail under Strict and become warnings under Warn.
 */
export function decodeBody(def: ResourceDef, body: unknown, directive: FieldValidation, warnings?: string[], patched = false): void {
  const sc = schemaFor(def);
  if (!sc) return;
  const json = patched ? JSON.stringify(body) : "";
  const r = decodeTyped(sc, body);
  // a patch's result is decoded by the patch handler: its errors name the patch, not the kind
  const prefix = patched ? "" : `${def.kind} in version "${def.version}" cannot be handled as a ${def.kind}: `;
  if (r.typeError && patched) {
    const message = `Invalid value: ${JSON.stringify(json)}: ${r.typeError}`;
    throw new ApiError(422, "Invalid", ` "" is invalid: patch: ${message}`, { name: "", kind: "", causes: [{ reason: "FieldValueInvalid", message, field: "patch" }] });
  }
  if (r.typeError) throw errors.badRequest(`${prefix}${r.typeError}`);
  if (!r.unknown.length || directive === "Ignore") return;
  const msgs = r.unknown.map((p) => `unknown field ${JSON.stringify(p)}`);
  if (directive === "Strict") throw errors.badRequest(`${prefix}strict decoding error: ${msgs.join(", ")}`);
  warnings?.push(...msgs);
}

/** Server-side apply builds a typed object from the applied configuration: undeclared fields fail (500, as the real server answers). */
export function checkApplyConfiguration(def: ResourceDef, body: any, namespace: string | undefined, name: string): void {
  const sc = schemaFor(def);
  if (!sc) return;
  const problems = applyTypeProblems(sc, body);
  if (!problems.length) return;
  const gv = def.group ? `${def.group}/${def.version}` : `/${def.version}`;
  const detail = problems.length === 1 ? problems[0] : `errors:\n  ${problems.join("\n  ")}`;
  throw new ApiError(500, "", `failed to create typed patch object (${namespace ?? ""}/${name}; ${gv}, Kind=${def.kind}): ${detail}`);
}

/** 422 causes for the object as it would be stored */
export function fieldCauses(def: ResourceDef, obj: any) {
  return semanticCauses(schemaFor(def), def.kind, obj);
}

/** 422 causes of an update that changes immutable fields */
export function immutableFieldCauses(def: ResourceDef, old: any, next: any) {
  return immutableCauses(def.kind, old, next);
}
