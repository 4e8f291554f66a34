import { ApiError } from "../errors.js";
import type { ResourceDef } from "../resources.js";
import { selectorToString } from "../selectors.js";
import { clone } from "../util.js";

/** the autoscaling/v1 Scale view of a scalable object */
export function toScale(def: ResourceDef, obj: any): any {
  let selector = "";
  if (def.kind === "MachineDeployment") selector = obj.status?.selector ?? selectorToString(obj.spec?.selector);
  else selector = selectorToString(obj.spec?.selector);
  return {
    kind: "Scale",
    apiVersion: "autoscaling/v1",
    metadata: {
      name: obj.metadata.name,
      namespace: obj.metadata.namespace,
      uid: obj.metadata.uid,
      resourceVersion: obj.metadata.resourceVersion,
      creationTimestamp: obj.metadata.creationTimestamp,
    },
    spec: { replicas: obj.spec?.replicas ?? 0 },
    status: { replicas: obj.status?.replicas ?? 0, selector },
  };
}
/** `old` with spec.replicas from a Scale (422 unless a non-negative integer) */
export function withScaledReplicas(old: any, scale: any): any {
  const replicas = scale?.spec?.replicas;
  if (typeof replicas !== "number" || !Number.isInteger(replicas) || replicas < 0) {
    throw new ApiError(422, "Invalid", `Scale.autoscaling "${old.metadata.name}" is invalid: spec.replicas: Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`, {
      name: old.metadata.name, group: "autoscaling", kind: "Scale",
      causes: [{ reason: "FieldValueInvalid", message: `Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`, field: "spec.replicas" }],
    });
  }
  const next = clone(old);
  next.spec = next.spec ?? {};
  next.spec.replicas = replicas;
  return next;
}
