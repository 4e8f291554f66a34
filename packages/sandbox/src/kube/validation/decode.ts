// Decoding a request body into a built-in type as the API server does: wrong JSON types fail the whole request
// (encoding/json's message), unknown fields are collected for fieldValidation (Strict fails, Warn warns).
import { isPlainObject } from "../util.js";
import { goTypeName, type Schema } from "./schema.js";

export interface DecodeResult {
  /** encoding/json's error, e.g. `json: cannot unmarshal number into Go struct field ConfigMap.data of type string` */
  typeError?: string;
  /** `spec.template.spec.containers[0].foo` */
  unknown: string[];
}

const QUANTITY_RE = /^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$/;
export const QUANTITY_ERROR = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

function jsonKind(v: unknown): string {
  if (typeof v === "string") return "string";
  if (typeof v === "number") return `number`;
  if (typeof v === "boolean") return "bool";
  if (Array.isArray(v)) return "array";
  return "object";
}

interface Ctx { unknown: string[]; error?: string }

/** Unknown fields are removed from `v`. `struct` is the innermost Go struct's name, `fieldPath` the dotted JSON field path (no indices), as Go prints them. */
function walk(sc: Schema, v: unknown, path: string, fieldPath: string, struct: string, ctx: Ctx): void {
  if (ctx.error || v === null || v === undefined) return;
  const fail = (what = jsonKind(v)) => {
    ctx.error ??= struct
      ? `json: cannot unmarshal ${what} into Go struct field ${struct}.${fieldPath} of type ${goTypeName(sc)}`
      : `json: cannot unmarshal ${what} into Go value of type ${goTypeName(sc)}`;
  };
  switch (sc.t) {
    case "any":
      return;
    case "string":
      if (typeof v !== "string") fail();
      return;
    case "boolean":
      if (typeof v !== "boolean") fail();
      return;
    case "number":
      if (typeof v !== "number") fail();
      return;
    case "integer": {
      if (typeof v !== "number") return fail();
      const max = sc.format === "int32" ? 2 ** 31 : 2 ** 63;
      if (!Number.isInteger(v) || v >= max || v < -max) fail(`number ${v}`);
      return;
    }
    case "intOrString":
      if (typeof v !== "string" && !(typeof v === "number" && Number.isInteger(v))) fail();
      return;
    case "quantity":
      if (typeof v === "number") return;
      if (typeof v !== "string") return fail();
      if (!QUANTITY_RE.test(v)) ctx.error ??= QUANTITY_ERROR;
      return;
    case "map":
      if (!isPlainObject(v)) return fail();
      for (const [k, x] of Object.entries(v)) walk(sc.of, x, `${path}${path ? "." : ""}${k}`, fieldPath, struct, ctx);
      return;
    case "array":
      if (!Array.isArray(v)) return fail();
      v.forEach((x, i) => walk(sc.of, x, `${path}[${i}]`, fieldPath, struct, ctx));
      return;
    case "object": {
      if (!isPlainObject(v)) return fail();
      const props = sc.props();
      for (const [k, x] of Object.entries(v)) {
        const p = path ? `${path}.${k}` : k;
        const child = props[k];
        if (!child) {
          ctx.unknown.push(p);
          delete (v as Record<string, unknown>)[k]; // typed decoding drops what the type does not have
          continue;
        }
        walk(child, x, p, fieldPath ? `${fieldPath}.${k}` : k, sc.go, ctx);
      }
    }
  }
}

export function decodeTyped(sc: Schema, body: unknown): DecodeResult {
  const ctx: Ctx = { unknown: [] };
  walk(sc, body, "", "", "", ctx);
  return { typeError: ctx.error, unknown: ctx.unknown };
}

/** Server-side apply's typed conversion (structured-merge-diff): its path syntax and messages. */
export function applyTypeProblems(sc: Schema, body: unknown): string[] {
  const out: string[] = [];
  const visit = (sch: Schema, v: unknown, path: string) => {
    if (v === null || v === undefined) return;
    const got = `&value.valueUnstructured{Value:${typeof v === "string" ? JSON.stringify(v) : JSON.stringify(v)}}`;
    switch (sch.t) {
      case "string":
        if (typeof v !== "string") out.push(`${path}: expected string, got ${got}`);
        return;
      case "boolean":
        if (typeof v !== "boolean") out.push(`${path}: expected boolean, got ${got}`);
        return;
      case "integer":
      case "number":
        if (typeof v !== "number") out.push(`${path}: expected numeric (int or float), got ${got}`);
        return;
      case "map":
        if (!isPlainObject(v)) out.push(`${path}: expected map, got ${got}`);
        else for (const [k, x] of Object.entries(v)) visit(sch.of, x, `${path}.${k}`);
        return;
      case "array":
        if (!Array.isArray(v)) out.push(`${path}: expected list, got ${got}`);
        else
          v.forEach((x, i) => {
            const key = sch.key && isPlainObject(x) && x[sch.key] !== undefined ? `[${sch.key}=${JSON.stringify(x[sch.key])}]` : `[${i}]`;
            visit(sch.of, x, `${path}${key}`);
          });
        return;
      case "object": {
        if (!isPlainObject(v)) {
          out.push(`${path}: expected map, got ${got}`);
          return;
        }
        const props = sch.props();
        for (const [k, x] of Object.entries(v)) {
          if (!props[k]) out.push(`${path}.${k}: field not declared in schema`);
          else visit(props[k], x, `${path}.${k}`);
        }
        return;
      }
      default:
        return;
    }
  };
  visit(sc, body, "");
  return out;
}
