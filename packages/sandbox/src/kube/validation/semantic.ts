// The API server's field validation (422 Invalid): enums, port ranges, names of containers, config keys,
// ingress paths, and the immutable fields of updates, with apimachinery's field.Error wording.
import { isDns1123Label } from "../errors.js";
import { isPlainObject } from "../util.js";
import { goValue } from "./go-format.js";
import type { Schema } from "./schema.js";

export interface Cause { field: string; message: string; reason: string }

const notSupported = (field: string, v: unknown, values: string[]): Cause => ({
  field,
  reason: "FieldValueNotSupported",
  message: `Unsupported value: ${JSON.stringify(v)}: supported values: ${values.map((x) => JSON.stringify(x)).join(", ")}`,
});
const invalid = (field: string, v: unknown, detail: string): Cause => ({ field, reason: "FieldValueInvalid", message: `Invalid value: ${goValue(v)}: ${detail}` });
const required = (field: string, detail?: string): Cause => ({ field, reason: "FieldValueRequired", message: detail ? `Required value: ${detail}` : "Required value" });

/** enum values anywhere in the object, from the schema */
function enums(sc: Schema, v: unknown, path: string, out: Cause[]): void {
  if (v === null || v === undefined) return;
  if (sc.t === "string" && sc.enum && typeof v === "string" && !sc.enum.includes(v)) out.push(notSupported(path, v, sc.enum));
  else if (sc.t === "array" && Array.isArray(v)) v.forEach((x, i) => enums(sc.of, x, `${path}[${i}]`, out));
  else if (sc.t === "map" && isPlainObject(v)) for (const [k, x] of Object.entries(v)) enums(sc.of, x, `${path}[${k}]`, out);
  else if (sc.t === "object" && isPlainObject(v)) {
    const props = sc.props();
    for (const [k, x] of Object.entries(v)) if (props[k]) enums(props[k], x, path ? `${path}.${k}` : k, out);
  }
}

const PORT_RANGE = "must be between 1 and 65535, inclusive";
const CONFIG_KEY_RE = /^[-._a-zA-Z0-9]+$/;

function containers(spec: any, path: string, out: Cause[]): void {
  if (!isPlainObject(spec)) return;
  const seen = new Set<string>();
  for (const list of ["initContainers", "containers"]) {
    const cs = spec[list];
    if (!Array.isArray(cs)) continue;
    cs.forEach((c: any, i: number) => {
      const p = `${path}.${list}[${i}]`;
      if (!isPlainObject(c)) return;
      if (typeof c.name === "string" && c.name) {
        if (!isDns1123Label(c.name)) out.push(invalid(`${p}.name`, c.name, "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"));
        if (seen.has(c.name)) out.push({ field: `${p}.name`, reason: "FieldValueDuplicate", message: `Duplicate value: ${JSON.stringify(c.name)}` });
        seen.add(c.name);
      }
      (Array.isArray(c.ports) ? c.ports : []).forEach((port: any, j: number) => {
        const n = port?.containerPort;
        if (typeof n === "number" && (n < 1 || n > 65535)) out.push(invalid(`${p}.ports[${j}].containerPort`, n, PORT_RANGE));
      });
    });
  }
}

function kindRules(kind: string, obj: any, out: Cause[]): void {
  const spec = obj.spec;
  switch (kind) {
    case "Deployment":
    case "ReplicaSet":
      containers(spec?.template?.spec, "spec.template.spec", out);
      break;
    case "Pod":
      containers(spec, "spec", out);
      break;
    case "Job": {
      containers(spec?.template?.spec, "spec.template.spec", out);
      // A pod's restartPolicy defaults to Always before validation, which a Job refuses.
      const policy = spec?.template?.spec?.restartPolicy ?? "Always";
      if (policy !== "OnFailure" && policy !== "Never") out.push(notSupported("spec.template.spec.restartPolicy", policy, ["OnFailure", "Never"]));
      break;
    }
    case "Service":
      (Array.isArray(spec?.ports) ? spec.ports : []).forEach((p: any, i: number) => {
        if (typeof p?.port === "number" && (p.port < 1 || p.port > 65535)) out.push(invalid(`spec.ports[${i}].port`, p.port, PORT_RANGE));
      });
      break;
    case "ConfigMap":
    case "Secret":
      for (const field of ["data", "binaryData", "stringData"]) {
        for (const k of Object.keys(isPlainObject(obj[field]) ? obj[field] : {})) {
          if (!CONFIG_KEY_RE.test(k) || k.length > 253) out.push(invalid(`${field}[${k}]`, k, "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"));
        }
      }
      if (kind === "Secret") secretTypeRules(obj, out);
      break;
    case "Ingress":
      (Array.isArray(spec?.rules) ? spec.rules : []).forEach((r: any, i: number) => {
        (Array.isArray(r?.http?.paths) ? r.http.paths : []).forEach((p: any, j: number) => {
          const at = `spec.rules[${i}].http.paths[${j}]`;
          if (p?.pathType === undefined) out.push(required(`${at}.pathType`, "pathType must be specified"));
          else if ((p.pathType === "Exact" || p.pathType === "Prefix") && !String(p.path ?? "").startsWith("/")) out.push(invalid(`${at}.path`, p.path ?? "", "must be an absolute path"));
        });
      });
      break;
    case "HorizontalPodAutoscaler":
      if (typeof spec?.maxReplicas === "number" && spec.maxReplicas < 1) out.push(invalid("spec.maxReplicas", spec.maxReplicas, "must be greater than or equal to 1"));
      if (typeof spec?.minReplicas === "number" && typeof spec?.maxReplicas === "number" && spec.minReplicas > spec.maxReplicas) {
        out.push(invalid("spec.maxReplicas", spec.maxReplicas, "must be greater than or equal to `minReplicas`"));
      }
      break;
  }
}

/** ValidateSecret's rules per built-in type, on data with stringData merged in (as the API server converts it) */
function secretTypeRules(secret: any, out: Cause[]): void {
  const data: Record<string, string> = { ...(isPlainObject(secret.data) ? secret.data : {}) };
  for (const [k, v] of Object.entries(isPlainObject(secret.stringData) ? secret.stringData : {})) data[k] = Buffer.from(String(v)).toString("base64");
  const has = (key: string) => Object.hasOwn(data, key);
  const json = (key: string) => {
    if (!has(key)) return out.push(required(`data[${key}]`));
    try {
      JSON.parse(Buffer.from(data[key] ?? "", "base64").toString("utf8"));
    } catch (e) {
      // the real message is Go's JSON error; the value is never shown
      out.push(invalid(`data[${key}]`, "<secret contents redacted>", e instanceof Error ? e.message : String(e)));
    }
  };
  switch (secret.type) {
    case "kubernetes.io/service-account-token":
      // the token controller fills in the rest (token, ca.crt, namespace, the uid annotation)
      if (!secret.metadata?.annotations?.["kubernetes.io/service-account.name"]) out.push(required("metadata.annotations[kubernetes.io/service-account.name]"));
      break;
    case "kubernetes.io/dockercfg":
      json(".dockercfg");
      break;
    case "kubernetes.io/dockerconfigjson":
      json(".dockerconfigjson");
      break;
    case "kubernetes.io/basic-auth":
      if (!has("username") && !has("password")) out.push(required("data[username]"), required("data[password]"));
      break;
    case "kubernetes.io/ssh-auth":
      if (!data["ssh-privatekey"]) out.push(required("data[ssh-privatekey]"));
      break;
    case "kubernetes.io/tls":
      for (const key of ["tls.crt", "tls.key"]) if (!has(key)) out.push(required(`data[${key}]`));
      break;
  }
}

const NAME_PART_RE = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const SUBDOMAIN_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE_RE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** label keys are qualified names (`prefix/name`), as ValidateLabelName checks them */
function labelKeyProblems(key: string): string[] {
  const slash = key.lastIndexOf("/");
  const [prefix, name] = slash >= 0 ? [key.slice(0, slash), key.slice(slash + 1)] : [undefined, key];
  const out: string[] = [];
  if (prefix !== undefined) {
    if (prefix.length === 0) out.push("prefix part must be non-empty");
    else if (prefix.length > 253) out.push("prefix part must be no more than 253 characters");
    else if (!SUBDOMAIN_RE.test(prefix)) out.push("prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')");
  }
  if (name.length === 0) out.push("name part must be non-empty");
  else if (name.length > 63) out.push("name part must be no more than 63 characters");
  if (name.length > 0 && !NAME_PART_RE.test(name)) out.push("name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')");
  return out;
}

function labels(map: unknown, field: string, checkValues: boolean, out: Cause[]): void {
  if (!isPlainObject(map)) return;
  for (const [k, v] of Object.entries(map)) {
    for (const p of labelKeyProblems(k)) out.push(invalid(field, k, p));
    if (checkValues && typeof v === "string" && (v.length > 63 || !LABEL_VALUE_RE.test(v))) {
      out.push(invalid(field, v, v.length > 63 ? "must be no more than 63 characters" : "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"));
    }
  }
}

export function semanticCauses(sc: Schema | undefined, kind: string, obj: any): Cause[] {
  const out: Cause[] = [];
  if (sc) enums(sc, obj, "", out);
  // values of metadata.labels are checked with the names (admission.ts); keys here, and the template's both
  labels(obj.metadata?.labels, "metadata.labels", false, out);
  labels(obj.spec?.template?.metadata?.labels, "spec.template.metadata.labels", true, out);
  kindRules(kind, obj, out);
  return out;
}

/** immutable fields on update, with the real validators' messages */
export function immutableCauses(kind: string, old: any, next: any): Cause[] {
  const out: Cause[] = [];
  const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
  if ((kind === "Deployment" || kind === "ReplicaSet") && old.spec?.selector && !same(old.spec.selector, next.spec?.selector)) {
    out.push({ field: "spec.selector", reason: "FieldValueInvalid", message: `Invalid value: ${goValue(next.spec?.selector ?? null, "v1.LabelSelector")}: field is immutable` });
  }
  if (kind === "Job" && !same(old.spec?.template, next.spec?.template)) {
    out.push({ field: "spec.template", reason: "FieldValueInvalid", message: `Invalid value: ${goValue(next.spec?.template ?? null)}: field is immutable` });
  }
  if (kind === "Service" && old.spec?.clusterIP && old.spec.clusterIP !== "None" && next.spec?.clusterIP !== undefined && next.spec.clusterIP !== old.spec.clusterIP) {
    const ips = next.spec.clusterIPs && !same(next.spec.clusterIPs, old.spec.clusterIPs) ? next.spec.clusterIPs : [next.spec.clusterIP];
    out.push({ field: "spec.clusterIPs[0]", reason: "FieldValueInvalid", message: `Invalid value: ${goValue(ips)}: may not change once set` });
  }
  if (kind === "Secret" && (old.type ?? "Opaque") !== (next.type ?? "Opaque")) {
    out.push({ field: "type", reason: "FieldValueInvalid", message: `Invalid value: ${goValue(next.type ?? "")}: field is immutable` });
  }
  if ((kind === "ConfigMap" || kind === "Secret") && old.immutable === true) {
    if (!same(old.data, next.data)) out.push({ field: "data", reason: "FieldValueForbidden", message: "Forbidden: field is immutable when `immutable` is set" });
    if (next.immutable !== true) out.push({ field: "immutable", reason: "FieldValueForbidden", message: "Forbidden: field is immutable when `immutable` is set" });
  }
  return out;
}
