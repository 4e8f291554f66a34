import type { ApiResource } from "../types.js";

// Reads API discovery the way kubectl does: aggregated discovery (2 requests) when the server offers it,
// else the legacy per-group-version documents. Every served version is kept (a manifest may use a served,
// non-preferred version such as autoscaling/v1), the preferred version's resources first so that lookups by
// name resolve to it, as kubectl's do.

/** A discovery document, in whichever of its forms the server answered (see the interfaces below). */
export type JsonGet = (path: string, accept?: string) => Promise<DiscoveryDoc>;

// What discovery answers, as far as Tugboat reads it: legacy /api (APIVersions), /apis (APIGroupList), /api/v1 and
// /apis/g/v (APIResourceList), or with the aggregated Accept, an APIGroupDiscoveryList for /api and /apis.
interface DiscoveryDoc {
  kind?: string;
  /** APIVersions (legacy /api). */
  versions?: string[];
  /** APIGroupList (legacy /apis). */
  groups?: Array<{ name?: string; preferredVersion?: { groupVersion?: string }; versions?: Array<{ groupVersion?: string }> }>;
  /** APIResourceList. */
  resources?: LegacyResource[];
  /** APIGroupDiscoveryList. */
  items?: Array<{ metadata?: { name?: string }; versions?: AggregatedVersion[] }>;
}

interface LegacyResource {
  name: string;
  singularName?: string;
  kind: string;
  namespaced?: boolean;
  shortNames?: string[];
  verbs?: string[];
  categories?: string[];
}

interface AggregatedVersion {
  version: string;
  resources?: Array<{
    resource: string;
    singularResource?: string;
    responseKind?: { kind?: string };
    scope?: string;
    shortNames?: string[];
    verbs?: string[];
    categories?: string[];
  }>;
}

const AGGREGATED_ACCEPT =
  "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";

export async function discoverResources(get: JsonGet): Promise<ApiResource[]> {
  const [core, groups] = await Promise.all([get("/api", AGGREGATED_ACCEPT), get("/apis", AGGREGATED_ACCEPT)]);
  if (core?.kind === "APIGroupDiscoveryList" && groups?.kind === "APIGroupDiscoveryList") {
    return [...fromAggregated(core), ...fromAggregated(groups)];
  }
  const resources: ApiResource[] = [];
  const legacy = core?.kind === "APIGroupDiscoveryList" ? await get("/api") : core;
  const apis = groups?.kind === "APIGroupDiscoveryList" ? await get("/apis") : groups;
  const coreVersion = legacy?.versions?.[0] ?? "v1";
  const docs: Array<Promise<ApiResource[]>> = [get(`/api/${coreVersion}`).then((d) => fromResourceList(d, "", coreVersion))];
  for (const g of apis?.groups ?? []) {
    const preferred = g.preferredVersion?.groupVersion ?? g.versions?.[0]?.groupVersion;
    if (!preferred) continue;
    const all = (g.versions ?? []).map((v) => v.groupVersion).filter((gv): gv is string => typeof gv === "string" && gv !== preferred);
    for (const gv of [preferred, ...all]) {
      const [group = "", version = ""] = gv.split("/");
      docs.push(get(`/apis/${gv}`).then((d) => fromResourceList(d, group, version), () => []));
    }
  }
  for (const list of await Promise.all(docs)) resources.push(...list);
  return resources;
}

function fromResourceList(doc: DiscoveryDoc | undefined, group: string, version: string): ApiResource[] {
  return (doc?.resources ?? [])
    .filter((r) => !String(r.name).includes("/"))
    .map((r) => ({
      group,
      version,
      groupVersion: group ? `${group}/${version}` : version,
      kind: r.kind,
      plural: r.name,
      singular: r.singularName || String(r.kind).toLowerCase(),
      shortNames: r.shortNames ?? [],
      namespaced: Boolean(r.namespaced),
      verbs: r.verbs ?? [],
      categories: r.categories ?? [],
    }));
}

function fromAggregated(list: DiscoveryDoc): ApiResource[] {
  const out: ApiResource[] = [];
  for (const g of list.items ?? []) {
    const group = g.metadata?.name ?? "";
    // the first listed version is the preferred one
    for (const v of g.versions ?? []) out.push(...aggregatedVersion(group, v));
  }
  return out;
}

function aggregatedVersion(group: string, v: AggregatedVersion): ApiResource[] {
  return (v.resources ?? []).map((r) => ({
    group,
    version: v.version,
    groupVersion: group ? `${group}/${v.version}` : v.version,
    kind: r.responseKind?.kind ?? r.resource,
    plural: r.resource,
    singular: r.singularResource || String(r.responseKind?.kind ?? r.resource).toLowerCase(),
    shortNames: r.shortNames ?? [],
    namespaced: r.scope === "Namespaced",
    verbs: r.verbs ?? [],
    categories: r.categories ?? [],
  }));
}

/** kubectl's resolution: plural, singular, short name or Kind, optionally qualified as `name.group`. */
export function resolveResource(resources: ApiResource[], typeName: string): ApiResource | undefined {
  const wanted = typeName.toLowerCase();
  const matches = (r: ApiResource, name: string) =>
    r.plural === name || r.singular === name || r.shortNames.includes(name) || r.kind.toLowerCase() === name;
  // Unqualified first: discovery order puts the core and built-in groups ahead of CRDs, as kubectl prefers.
  const direct = resources.find((r) => matches(r, wanted));
  if (direct) return direct;
  const dot = wanted.indexOf(".");
  if (dot < 0) return undefined;
  const name = wanted.slice(0, dot);
  const rest = wanted.slice(dot + 1);
  // `deployments.apps`, `deployments.v1.apps`, `machinedeployments.cluster.x-k8s.io`
  return resources.find((r) => matches(r, name) && (r.group === rest || `${r.version}.${r.group}` === rest));
}
