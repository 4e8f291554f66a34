import type { Harness } from "../../helpers/harness.js";
import { plainText } from "../../../src/core/reply.js";

export const MD_API = "cluster.x-k8s.io/v1beta1";

/** The sandbox server holding the Cluster API objects of every workload cluster (clusters.<name>.nodePools). */
export function management(h: Harness) {
  return h.sandbox.clusters.management!;
}

/** A workload cluster's pool: the MachineDeployment labelled with the cluster whose name (or topology entry name) is `pool`. */
export function machineDeployment(h: Harness, cluster: string, pool: string): any {
  const mds = management(h)
    .listObjects(MD_API, "MachineDeployment", "default")
    .filter((md) => md.metadata.labels?.["cluster.x-k8s.io/cluster-name"] === cluster);
  return mds.find((md) => (md.metadata.labels?.["topology.cluster.x-k8s.io/deployment-name"] ?? md.metadata.name) === pool);
}

export function replicas(h: Harness, cluster: string, pool: string): number {
  return machineDeployment(h, cluster, pool).spec.replicas;
}

export function minSize(h: Harness, cluster: string, pool: string): string | undefined {
  return machineDeployment(h, cluster, pool).metadata.annotations?.["cluster.x-k8s.io/cluster-api-autoscaler-node-group-min-size"];
}

/** Pool Leases live next to the MachineDeployments, in the management cluster. */
export function leases(h: Harness): any[] {
  return management(h).listObjects("coordination.k8s.io/v1", "Lease", "default");
}

/** Every text of a reply's blocks, joined, for assertions on content (not layout). */
export function allText(reply: { summary: string; blocks: any[] } | undefined): string {
  if (!reply) return "";
  const parts = [reply.summary];
  // Replies may hold RichText (mentions as @U…); the harness clones replies, so read them with plainText.
  for (const b of reply.blocks) {
    if (b.text) parts.push(plainText(b.text));
    if (b.items) parts.push(...b.items.map((i: any) => (typeof i === "string" || i.parts ? plainText(i) : `${i.label} ${i.state} ${i.detail ? plainText(i.detail) : ""}`)));
    if (b.fields) parts.push(...b.fields.map((f: any) => `${f.label}: ${plainText(f.value)}`));
  }
  return parts.join("\n");
}
