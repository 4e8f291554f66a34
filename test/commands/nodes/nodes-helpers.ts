import type { Harness } from "../../helpers/harness.js";

export const MD_API = "cluster.x-k8s.io/v1beta1";

export function machineDeployment(h: Harness, cluster: string, pool: string): any {
  return h.sandbox.clusters[cluster]!.getObject(MD_API, "MachineDeployment", "default", pool);
}

export function replicas(h: Harness, cluster: string, pool: string): number {
  return machineDeployment(h, cluster, pool).spec.replicas;
}

export function minSize(h: Harness, cluster: string, pool: string): string | undefined {
  return machineDeployment(h, cluster, pool).metadata.annotations?.["cluster.x-k8s.io/cluster-api-autoscaler-node-group-min-size"];
}

export function leases(h: Harness, cluster: string): any[] {
  return h.sandbox.clusters[cluster]!.listObjects("coordination.k8s.io/v1", "Lease", "default");
}

/** Every text of a reply's blocks, joined, for assertions on content (not layout). */
export function allText(reply: { summary: string; blocks: any[] } | undefined): string {
  if (!reply) return "";
  const parts = [reply.summary];
  for (const b of reply.blocks) {
    if (b.text) parts.push(b.text);
    if (b.items) parts.push(...b.items.map((i: any) => (typeof i === "string" ? i : `${i.label} ${i.state} ${i.detail ?? ""}`)));
    if (b.fields) parts.push(...b.fields.map((f: any) => `${f.label}: ${f.value}`));
  }
  return parts.join("\n");
}
