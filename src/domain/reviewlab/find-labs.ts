import type { KubeCluster } from "../../gateways/types.js";
import { LAB_SELECTOR, readLab, type LabInfo } from "./lab-metadata.js";


// Labs are Namespaces labelled tugboat.dev/review-lab=true; their annotations describe them.

export async function listLabs(cluster: KubeCluster): Promise<LabInfo[]> {
  const { items } = await cluster.namespaces.list({ labelSelector: LAB_SELECTOR });
  return items.map(readLab).filter((l): l is LabInfo => l !== undefined).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
}

export type FoundLab = { state: "absent" } | { state: "foreign" } | { state: "lab"; lab: LabInfo };

/** The lab in this namespace: absent, a namespace Tugboat did not make ("foreign"), or the lab. */
export async function findLab(cluster: KubeCluster, namespace: string): Promise<FoundLab> {
  const ns = await cluster.namespaces.find(namespace);
  if (!ns) return { state: "absent" };
  const lab = readLab(ns);
  return lab ? { state: "lab", lab } : { state: "foreign" };
}
