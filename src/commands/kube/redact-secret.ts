import type { KObject, KubeObject } from "../../gateways/types.js";

// Secret values never leave Tugboat: `data` and `stringData` values become `<redacted: N bytes>` in every
// output format, including inside the kubectl.kubernetes.io/last-applied-configuration annotation.

export const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

export function isSecret(obj: KubeObject | undefined): boolean {
  return !!obj && obj.kind === "Secret" && (obj.apiVersion === "v1" || obj.apiVersion === undefined);
}

/** Byte length of a `data` value (base64) once decoded, or of a `stringData` value as UTF-8. */
function byteLength(value: unknown, base64: boolean): number {
  if (typeof value !== "string") return 0;
  if (base64) return Buffer.from(value, "base64").length;
  return Buffer.byteLength(value, "utf8");
}

export function redactedValue(n: number): string {
  return `<redacted: ${n} bytes>`;
}

/** The size a redacted value stands for (0 for anything else), for describers that print sizes from the redacted copy. */
export function redactedByteCount(value: string | undefined): number {
  const size = /^<redacted: (\d+) bytes>$/.exec(value ?? "");
  return size ? Number(size[1]) : 0;
}

function redactValues(map: unknown, base64: boolean): unknown {
  if (!map || typeof map !== "object" || Array.isArray(map)) return map === undefined ? undefined : "<redacted>";
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(map as Record<string, unknown>)) out[k] = redactedValue(byteLength(v, base64));
  return out;
}

function redactSecretBody<T extends object>(obj: T): T {
  const copy: Record<string, unknown> = { ...(obj as Record<string, unknown>) };
  if ("data" in copy) copy.data = redactValues(copy.data, true);
  if ("stringData" in copy) copy.stringData = redactValues(copy.stringData, false);
  return copy as T;
}

function redactAnnotation(raw: string): string {
  try {
    const parsed: unknown = JSON.parse(raw);
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) return "<redacted>";
    return JSON.stringify(redactSecretBody(parsed)) + (raw.endsWith("\n") ? "\n" : "");
  } catch {
    return "<redacted>";
  }
}

/** A copy of a Secret with every value replaced; other objects are returned unchanged. */
export function redactSecret<T extends KubeObject>(obj: T): T {
  if (!isSecret(obj)) return obj;
  const copy = redactSecretBody(obj);
  const annotations = obj.metadata?.annotations;
  if (annotations && LAST_APPLIED in annotations) {
    copy.metadata = { ...obj.metadata, annotations: { ...annotations, [LAST_APPLIED]: redactAnnotation(annotations[LAST_APPLIED]!) } };
  }
  return copy;
}

/** Drops managedFields (as kubectl does by default) and redacts Secrets. */
export function forDisplay<T extends KubeObject>(obj: T): T {
  let out = obj;
  if (obj.metadata && "managedFields" in obj.metadata) {
    const { managedFields: _dropped, ...metadata } = obj.metadata;
    out = { ...obj, metadata };
  }
  return redactSecret(out);
}
