import type { V1Secret } from "../../gateways/kube-models.js";
import type { KubeCluster } from "../../gateways/types.js";
import { isGatewayError } from "../../gateways/types.js";

// The lab's Secret, layered like env-api's environment/cluster/service/common keys: the source Secrets are
// read in order and later keys win. Values are base64 throughout and never leave this module except inside
// the Secret object handed to the apply; callers only ever see key and source names.

export interface LayeredSecret {
  secret: V1Secret & { data: Record<string, string> };
  /** Source Secrets found, in layering order. */
  used: string[];
  /** Source Secrets that do not exist (skipped). */
  missing: string[];
  keyCount: number;
}

export function secretSourceNames(patterns: string[], app: string): string[] {
  const names = patterns.map((p) => p.replaceAll("{app}", app));
  return names.filter((n, i) => n !== "" && names.indexOf(n) === i);
}

/** Merges the data of Secrets given in layering order (later wins) into one Opaque Secret. */
export function layerSecrets(sources: V1Secret[], target: { name: string; namespace: string; labels?: Record<string, string> }): V1Secret & { data: Record<string, string> } {
  const data: Record<string, string> = {};
  for (const s of sources) {
    for (const [k, v] of Object.entries(s.data ?? {})) data[k] = v;
    for (const [k, v] of Object.entries(s.stringData ?? {})) data[k] = Buffer.from(v, "utf8").toString("base64");
  }
  return {
    apiVersion: "v1",
    kind: "Secret",
    type: "Opaque",
    metadata: { name: target.name, namespace: target.namespace, labels: target.labels ?? {} },
    data,
  };
}

export async function buildLabSecret(
  cluster: KubeCluster,
  opts: { sourceNamespace: string; sources: string[]; app: string; name: string; namespace: string; labels?: Record<string, string> },
): Promise<LayeredSecret> {
  const names = secretSourceNames(opts.sources, opts.app);
  const found = await Promise.all(
    names.map(async (name) => {
      try {
        return await cluster.secrets.find(name, opts.sourceNamespace);
      } catch (err) {
        // A namespace that does not exist reads as "no such Secret".
        if (isGatewayError(err, "not-found")) return undefined;
        throw err;
      }
    }),
  );
  const used = names.filter((_, i) => found[i]);
  const missing = names.filter((_, i) => !found[i]);
  const secret = layerSecrets(found.filter((s): s is V1Secret => s !== undefined), opts);
  return { secret, used, missing, keyCount: Object.keys(secret.data).length };
}
