import { errors, validateName } from "../errors.js";
import { apiVersionOf, findByPlural, type ResourceDef } from "../resources.js";
import { matchLabelSelectorObj } from "../selectors.js";
import type { Store } from "../store.js";
import { isPlainObject } from "../util.js";
import { fieldCauses, immutableFieldCauses } from "../validation/index.js";
import { goValue } from "../validation/go-format.js";

export const NS_DEF = findByPlural("", "v1", "namespaces")!;

/** the namespace exists and is not terminating */
export function checkNamespace(store: Store, def: ResourceDef, ns: string | undefined, name: string): void {
  if (!def.namespaced) return;
  if (!ns) throw errors.badRequest("the server could not find the requested resource: namespace is required");
  const nso = store.get(NS_DEF, undefined, ns);
  if (!nso) throw errors.notFound(NS_DEF, ns);
  if (nso.metadata.deletionTimestamp || nso.status?.phase === "Terminating") {
    throw errors.forbidden(def, name, `unable to create new content in namespace ${ns} because it is being terminated`, [
      { reason: "NamespaceTerminating", message: `namespace ${ns} is being terminated`, field: "metadata.namespace" },
    ]);
  }
}

/** field validation: names, label values, selectors that match their template, containers; on update, immutable fields */
export function validateObject(def: ResourceDef, obj: any, old?: any): void {
  const name = obj.metadata.name;
  const causes: Array<{ field: string; message: string; reason?: string }> = [];
  for (const m of validateName(def.nameRule, name)) causes.push({ field: "metadata.name", message: `Invalid value: "${name}": ${m}` });
  if (obj.metadata.labels !== undefined && !isPlainObject(obj.metadata.labels)) causes.push({ field: "metadata.labels", message: "Invalid value: must be a map" });
  for (const [k, v] of Object.entries(obj.metadata.labels ?? {})) {
    if (typeof v !== "string" || v.length > 63 || (v !== "" && !/^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(v))) {
      causes.push({ field: "metadata.labels", message: `Invalid value: "${String(v)}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')` });
    }
    void k;
  }
  const checkContainers = (podSpec: any, prefix: string) => {
    if (!podSpec || !Array.isArray(podSpec.containers) || podSpec.containers.length === 0) {
      causes.push({ field: `${prefix}.containers`, message: "Required value", reason: "FieldValueRequired" });
      return;
    }
    podSpec.containers.forEach((c: any, i: number) => {
      if (!c?.name) causes.push({ field: `${prefix}.containers[${i}].name`, message: "Required value", reason: "FieldValueRequired" });
      if (!c?.image) causes.push({ field: `${prefix}.containers[${i}].image`, message: "Required value", reason: "FieldValueRequired" });
    });
  };
  if (def.kind === "Deployment" || def.kind === "ReplicaSet") {
    const sel = obj.spec?.selector;
    if (!sel || (!sel.matchLabels && !sel.matchExpressions)) {
      causes.push({ field: "spec.selector", message: "Required value", reason: "FieldValueRequired" });
    } else if (!matchLabelSelectorObj(sel, obj.spec?.template?.metadata?.labels)) {
      causes.push({ field: "spec.template.metadata.labels", message: `Invalid value: ${goValue(obj.spec?.template?.metadata?.labels ?? {})}: \`selector\` does not match template \`labels\`` });
    }
    if (typeof obj.spec?.replicas === "number" && obj.spec.replicas < 0) causes.push({ field: "spec.replicas", message: `Invalid value: ${obj.spec.replicas}: must be greater than or equal to 0` });
    checkContainers(obj.spec?.template?.spec, "spec.template.spec");
  }
  if (def.kind === "Pod") checkContainers(obj.spec, "spec");
  if (def.kind === "MachineDeployment" && typeof obj.spec?.replicas === "number" && obj.spec.replicas < 0) {
    causes.push({ field: "spec.replicas", message: `Invalid value: ${obj.spec.replicas}: must be greater than or equal to 0` });
  }
  causes.push(...fieldCauses(def, obj));
  if (old) causes.push(...immutableFieldCauses(def, old, obj));
  if (causes.length) throw errors.invalid(def, name, causes);
}

/** the body is an object of this resource's apiVersion/kind (filled in when absent) */
export function checkKind(def: ResourceDef, body: any): void {
  if (!isPlainObject(body)) throw errors.badRequest("the body of the request was not a JSON object");
  const av = apiVersionOf(def);
  if (body.apiVersion !== undefined && body.apiVersion !== av) {
    throw errors.badRequest(`the API version in the data (${body.apiVersion}) does not match the expected API version (${av})`);
  }
  if (body.kind !== undefined && body.kind !== def.kind) {
    throw errors.badRequest(`the kind in the data (${body.kind}) does not match the expected kind (${def.kind})`);
  }
  body.apiVersion = av;
  body.kind = def.kind;
  body.metadata = isPlainObject(body.metadata) ? body.metadata : {};
}

/** name and namespace in the body agree with the URL */
export function checkBodyMatchesUrl(def: ResourceDef, body: any, ns: string | undefined, name: string): void {
  if (body.metadata.name !== undefined && body.metadata.name !== name) {
    throw errors.badRequest(`the name of the object (${body.metadata.name}) does not match the name on the URL (${name})`);
  }
  if (def.namespaced && body.metadata.namespace && body.metadata.namespace !== ns) {
    throw errors.badRequest("the namespace of the provided object does not match the namespace sent on the request");
  }
}
