import { UserError } from "../../core/errors.js";
import type { KObject, KubeCluster } from "../../gateways/types.js";
import { resourceFor } from "../apply-objects.js";
import { describeObject, type TemplateValues } from "../render-manifests.js";

// The objects of one lab: the templates' values, and a check that every rendered object (the content policy has
// already passed them) is named, served and not declared twice. Tugboat then adds its Secret and Ingress.

export const INGRESS_NAME = "review-lab";

export interface LabValues {
  image: string;
  sha: string;
  shortSha: string;
  branch: string;
  slug: string;
  namespace: string;
  host: string;
  pr?: number;
  owner: string;
  app: string;
  /** The Service the Ingress points at, for templates that create it. */
  service: string;
  /** The name of the Secret Tugboat layers into the lab. */
  secretName: string;
}

export function templateValues(v: LabValues): TemplateValues {
  return { ...v, pr: v.pr === undefined ? "" : String(v.pr) };
}

/**
 * Every object must be a kind the cluster serves, namespaced, named, not declared twice, and in the lab's
 * namespace (a missing namespace is filled in). The first refusal names the object.
 */
export async function checkLabObjects(cluster: KubeCluster, objects: KObject[], namespace: string, reserved: KObject[] = []): Promise<KObject[]> {
  const seen = new Set(reserved.map(key));
  const out: KObject[] = [];
  for (const obj of objects) {
    const name = obj.metadata?.name;
    if (typeof name !== "string" || name === "") throw new UserError(`${obj.kind} without metadata.name: every object in a review lab needs a name.`);
    const res = await resourceFor(cluster, obj);
    if (!res.namespaced) {
      throw new UserError(`${describeObject(obj)} is cluster-scoped: a review lab may only create namespaced objects in its own namespace.`);
    }
    const ns = obj.metadata?.namespace;
    if (ns !== undefined && ns !== namespace) {
      throw new UserError(`${describeObject(obj)} names namespace "${String(ns)}": review-lab objects must be in ${namespace}.`);
    }
    const placed: KObject = { ...obj, metadata: { ...obj.metadata, namespace } };
    const k = key(placed);
    if (seen.has(k)) throw new UserError(`${describeObject(placed)} is declared twice (or clashes with the Secret or Ingress Tugboat adds).`);
    seen.add(k);
    out.push(placed);
  }
  return out;
}

function key(o: KObject): string {
  return `${o.apiVersion?.split("/")[0]}/${o.kind}/${o.metadata?.name}`;
}

export interface LabIngressOptions {
  namespace: string;
  host: string;
  service: string;
  port: number;
  labels?: Record<string, string>;
  /** spec.ingressClassName: controllers such as ingress-nginx ignore Ingresses without a class unless theirs is the default. */
  className?: string;
  /** TLS for the host; `secretName` may contain "{slug}". cert-manager issues the certificate when an issuer is named. */
  tls?: { secretName: string; clusterIssuer?: string; issuer?: string };
  slug?: string;
}

const DNS_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function labIngress(opts: LabIngressOptions): KObject {
  const annotations: Record<string, string> = {};
  let tls: Array<{ hosts: string[]; secretName: string }> | undefined;
  if (opts.tls) {
    const secretName = opts.tls.secretName.replaceAll("{slug}", opts.slug ?? "");
    // A bad name would be refused by the API server half-way through up; say which setting to fix instead.
    if (!DNS_SUBDOMAIN.test(secretName)) throw new UserError(`reviewlab.ingress.tls.secretName gives "${secretName}", which is not a valid Secret name (lowercase letters, digits, - and .).`);
    tls = [{ hosts: [opts.host], secretName }];
    if (opts.tls.clusterIssuer) annotations["cert-manager.io/cluster-issuer"] = opts.tls.clusterIssuer;
    if (opts.tls.issuer) annotations["cert-manager.io/issuer"] = opts.tls.issuer;
  }
  if (opts.className !== undefined && !DNS_SUBDOMAIN.test(opts.className)) {
    throw new UserError(`reviewlab.ingress.className "${opts.className}" is not a valid IngressClass name (lowercase letters, digits, - and .).`);
  }
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "Ingress",
    metadata: {
      name: INGRESS_NAME,
      namespace: opts.namespace,
      labels: opts.labels ?? {},
      ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
    },
    spec: {
      ...(opts.className !== undefined ? { ingressClassName: opts.className } : {}),
      ...(tls ? { tls } : {}),
      rules: [
        {
          host: opts.host,
          http: {
            paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: opts.service, port: { number: opts.port } } } }],
          },
        },
      ],
    },
  };
}
