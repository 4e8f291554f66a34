/** Merge keys of list fields, shared by strategic merge patch, field sets and server-side apply. */
import { isPlainObject } from "../util.js";

const NAME_KEYED = new Set(["containers", "initContainers", "ephemeralContainers", "volumes", "env", "imagePullSecrets"]);
const OTHER_KEYS: Record<string, string> = {
  volumeMounts: "mountPath",
  volumeDevices: "devicePath",
  conditions: "type",
  ownerReferences: "uid",
  hostAliases: "ip",
  addresses: "type",
  taints: "key",
  readinessGates: "conditionType",
};
export const SET_LISTS = new Set(["finalizers"]);

/** merge key for a list field, or undefined when the list is atomic */
export function listKey(field: string, items: any[] | undefined): string | undefined {
  if (NAME_KEYED.has(field)) return "name";
  if (OTHER_KEYS[field]) return OTHER_KEYS[field];
  if (field === "ports") {
    const arr = items ?? [];
    if (arr.some((p) => isPlainObject(p) && p.containerPort !== undefined)) return "containerPort";
    return "port";
  }
  return undefined;
}

export function keyedItems(field: string, arr: any[]): string | undefined {
  const k = listKey(field, arr);
  if (!k) return undefined;
  if (!arr.every((x) => isPlainObject(x) && (x[k] !== undefined || x.$patch !== undefined))) return undefined;
  return k;
}
