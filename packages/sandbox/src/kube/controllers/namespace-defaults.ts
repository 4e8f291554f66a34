import { clone, deepEqual } from "../util.js";
import type { ControllerContext } from "./context.js";
import { D, DEFAULT_SERVICE_ACCOUNT, ROOT_CA_CONFIGMAP } from "./objects.js";

/** the cluster's CA (a fixed self-signed `CN=kubernetes` certificate: nothing verifies TLS against the sandbox) */
export const SANDBOX_ROOT_CA = `-----BEGIN CERTIFICATE-----
MIIBkDCCATegAwIBAgIUYq/oJ4lSCeFhD9XvEafBcfRzqO4wCgYIKoZIzj0EAwIw
FTETMBEGA1UEAwwKa3ViZXJuZXRlczAgFw0yNjExMzAwOTUxMzBaGA8yMTI2MTEw
NjA5NTEzMFowFTETMBEGA1UEAwwKa3ViZXJuZXRlczBZMBMGByqGSM49AgEGCCqG
SM49AwEHA0IABFDdI3+XlYNZL+B/glU4hj38R/apE/P4xx074szKeY+FTkByxrV/
o3dYlLrxKS3wPPBMzVb4SpNonFjEICWm3iSjYzBhMB0GA1UdDgQWBBRQPTQaheJk
DUNdNusfh68uemzrOzAfBgNVHSMEGDAWgBRQPTQaheJkDUNdNusfh68uemzrOzAP
BgNVHRMBAf8EBTADAQH/MA4GA1UdDwEB/wQEAwICpDAKBggqhkjOPQQDAgNHADBE
AiAYsWW2gc3Yjjqbe0vpaiAUywj5gguI6UTyOmSp0opDwAIgZn1Yf/YSktWVdNUk
sfQeHnXDYPc6BUegulWBydpVBXE=
-----END CERTIFICATE-----
`;

const ROOT_CA_ANNOTATIONS = {
  "kubernetes.io/description": "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.",
};

/**
 * The service-account and root-ca-cert-publisher controllers: every active namespace has the ServiceAccount
 * `default` (created when missing, otherwise left alone) and the ConfigMap `kube-root-ca.crt` holding the cluster's
 * CA in `ca.crt` (created when missing, its data and annotations put back when changed).
 */
export class NamespaceDefaults {
  constructor(private ctx: ControllerContext) {}

  reconcile(ns: any): void {
    if (ns.metadata.deletionTimestamp) return;
    const name = ns.metadata.name;
    const at = this.ctx.stamp(ns.metadata.creationTimestamp);
    if (!this.ctx.store.get(D.sa, name, DEFAULT_SERVICE_ACCOUNT)) {
      this.ctx.api.insert(D.sa, { metadata: { name: DEFAULT_SERVICE_ACCOUNT, namespace: name } }, at, true);
    }
    const data = { "ca.crt": SANDBOX_ROOT_CA };
    const cm = this.ctx.store.get(D.cm, name, ROOT_CA_CONFIGMAP);
    if (!cm) {
      this.ctx.api.insert(D.cm, { metadata: { name: ROOT_CA_CONFIGMAP, namespace: name, annotations: { ...ROOT_CA_ANNOTATIONS } }, data }, at, true);
    } else if (!deepEqual(cm.data, data) || !deepEqual(cm.metadata.annotations ?? {}, { ...(cm.metadata.annotations ?? {}), ...ROOT_CA_ANNOTATIONS })) {
      const next = clone(cm);
      next.data = data;
      delete next.binaryData;
      next.metadata.annotations = { ...(next.metadata.annotations ?? {}), ...ROOT_CA_ANNOTATIONS };
      this.ctx.api.save(D.cm, next);
    }
  }
}
