// Several served versions of one stored resource (autoscaling/v1 next to v2, Cluster API v1beta2 next to v1beta1):
// the alternate versions' resource definitions, which version a group prefers, and the conversions the HTTP layer
// applies on the way in and out. Objects are stored once, in the storage version.
import type { ResourceDef } from "../resources.js";
import { capiToV1beta1, capiToV1beta2 } from "./capi.js";
import { hpaToV1, hpaToV2 } from "./hpa.js";

interface Alternate {
  group: string;
  plural: string;
  version: string;
  /** the group's preferred version (else the storage version is) */
  preferred: boolean;
  toServed(stored: any): any;
  toStorage(served: any, old?: any): any;
  /** the version's own printer columns, where its status differs */
  columns?: Record<string, string>;
}

/** v1beta2 moved the old counters: the printer columns read the new ones */
const CAPI_V1BETA2_COLUMNS = { ".status.updatedReplicas": ".status.upToDateReplicas", ".status.unavailableReplicas": ".status.deprecated.v1beta1.unavailableReplicas" };

const ALTERNATES: Alternate[] = [
  { group: "autoscaling", plural: "horizontalpodautoscalers", version: "v1", preferred: false, toServed: hpaToV1, toStorage: hpaToV2 },
  ...["machinedeployments", "machines", "clusters"].map((plural) => ({ group: "cluster.x-k8s.io", plural, version: "v1beta2", preferred: true, toServed: capiToV1beta2, toStorage: capiToV1beta1, columns: CAPI_V1BETA2_COLUMNS })),
];

export interface ServedVersion {
  storage: ResourceDef;
  toServed(stored: any): any;
  toStorage(served: any, old?: any): any;
}

const servedBy = new Map<ResourceDef, ServedVersion>();

/** definitions of the alternate versions of the given (storage) resources */
export function alternateVersionDefs(storageDefs: ResourceDef[]): ResourceDef[] {
  const out: ResourceDef[] = [];
  for (const a of ALTERNATES) {
    const storage = storageDefs.find((d) => d.group === a.group && d.plural === a.plural && d.version !== a.version);
    if (!storage) continue;
    const def: ResourceDef = { ...storage, version: a.version };
    if (storage.printerColumns && a.columns) def.printerColumns = storage.printerColumns.map((c) => ({ ...c, jsonPath: a.columns![c.jsonPath] ?? c.jsonPath }));
    servedBy.set(def, { storage, toServed: a.toServed, toStorage: a.toStorage });
    out.push(def);
  }
  return out;
}

/** how to serve `def` when it is an alternate version (undefined for storage versions) */
export function servedVersionOf(def: ResourceDef): ServedVersion | undefined {
  return servedBy.get(def);
}

/** versions of a group, preferred first (as APIGroup and aggregated discovery list them) */
export function preferredFirst(group: string, versions: string[]): string[] {
  const preferred = ALTERNATES.find((a) => a.group === group && a.preferred && versions.includes(a.version))?.version;
  const alternates = new Set(ALTERNATES.filter((a) => a.group === group).map((a) => a.version));
  const rank = (v: string) => (v === preferred ? 0 : !preferred && !alternates.has(v) ? 0 : 1);
  return [...versions].sort((a, b) => rank(a) - rank(b));
}
