// Admission for pods, in the real order: mutating (sidecar injection), then validating (ServiceAccount, Pod
// Security, then ResourceQuota). Used for pods created through the API and by the ReplicaSet controller alike.
import { ApiError } from "../errors.js";
import { findByPlural } from "../resources.js";
import type { Store } from "../store.js";
import { podSecurityDenial } from "./pod-security.js";
import { quotaDenial } from "./quota.js";
import { injectSidecar } from "./sidecar.js";

const NS_DEF = findByPlural("", "v1", "namespaces")!;
const SA_DEF = findByPlural("", "v1", "serviceaccounts")!;

/** the ServiceAccount admission plugin: a named service account must exist ("default" is assumed to) */
function serviceAccountDenial(store: Store, pod: any): string | undefined {
  const sa = pod.spec?.serviceAccountName ?? pod.spec?.serviceAccount;
  if (!sa || sa === "default" || store.get(SA_DEF, pod.metadata.namespace, sa)) return undefined;
  return `error looking up service account ${pod.metadata.namespace}/${sa}: serviceaccount ${JSON.stringify(sa)} not found`;
}

/** mutates `pod` (a named, defaulted Pod) or throws the 403 Forbidden the API server answers */
export function admitPod(store: Store, pod: any): void {
  const ns = store.get(NS_DEF, undefined, pod.metadata.namespace);
  injectSidecar(ns, pod);
  const denial = serviceAccountDenial(store, pod) ?? podSecurityDenial(ns, pod) ?? quotaDenial(store, pod);
  if (denial) {
    throw new ApiError(403, "Forbidden", `pods ${JSON.stringify(pod.metadata.name)} is forbidden: ${denial}`, { name: pod.metadata.name, kind: "pods" });
  }
}
