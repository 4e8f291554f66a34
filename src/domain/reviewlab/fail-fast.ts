import { errorMessage } from "../../core/errors.js";
import type { KubeCluster, KubeObject } from "../../gateways/types.js";
import { describeObject } from "../render-manifests.js";

// Applying a lab's objects in parallel: the first failure names its object, and the other workers stop applying.

export class ApplyFailure extends Error {
  constructor(
    readonly object: KubeObject,
    readonly reason: unknown,
  ) {
    super(`${describeObject(object)}: ${errorMessage(reason)}`);
  }
}

/** The same cluster, whose `apply` throws the first ApplyFailure again once one apply has failed. */
export function failFast(cluster: KubeCluster): KubeCluster {
  let failed: ApplyFailure | undefined;
  return new Proxy(cluster, {
    get(target, prop) {
      if (prop === "apply") {
        const apply: KubeCluster["apply"] = async (res, obj, opts) => {
          if (failed) throw failed;
          try {
            return await target.apply(res, obj, opts);
          } catch (err) {
            failed ??= new ApplyFailure(obj, err);
            throw failed;
          }
        };
        return apply;
      }
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
