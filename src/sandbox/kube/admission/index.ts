// Admission for pods, in the real order: mutating (sidecar injection), then validating (Pod Security, then
// ResourceQuota). Used for pods created through the API and by the ReplicaSet controller alike.
import { ApiError } from "../errors.js";
import { findByPlural } from "../resources.js";
import type { Store } from "../store.js";
import { podSecurityDenial } from "./pod-security.js";
import { quotaDenial } from "./quota.js";
import { injectSidecar } from "./sidecar.js";

const NS_DEF = findByPlural("", "v1", "namespaces")!;

/** mutates `pod` (a named, defaulted Pod) or throws the 403 Forbidden the API server answers */
export function admitPod(store: Store, pod: any): void {
  const ns = store.get(NS_DEF, undefined, pod.metadata.namespace);
  injectSidecar(ns, pod);
  const denial = podSecurityDenial(ns, pod) ?? quotaDenial(store, pod);
  if (denial) {
    throw new ApiError(403, "Forbidden", `pods ${JSON.stringify(pod.metadata.name)} is forbidden: ${denial}`, { name: pod.metadata.name, kind: "pods" });
  }
}
