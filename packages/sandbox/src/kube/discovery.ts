/** /version, /api, /apis, /api/v1, /apis/<g>/<v> and the OpenAPI v2/v3 documents kubectl needs. */
import { RESOURCES, groupVersions, type ResourceDef } from "./resources.js";
import { fnv32 } from "./util.js";
import { kindSchemaOf } from "./validation/kinds.js";
import { toOpenApi } from "./validation/openapi.js";
import { preferredFirst } from "./versions/index.js";

export const VERSION_INFO = {
  major: "1",
  minor: "32",
  gitVersion: "v1.32.4",
  gitCommit: "59526cd4867447956156ae3a602fcbac10a2c335",
  gitTreeState: "clean",
  buildDate: "2025-04-22T16:02:27Z",
  goVersion: "go1.23.6",
  compiler: "gc",
  platform: "linux/amd64",
};

export function apiVersions(serverAddress: string): any {
  return { kind: "APIVersions", versions: ["v1"], serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress }] };
}

export function apiGroupList(): any {
  const byGroup = new Map<string, string[]>();
  for (const gv of groupVersions()) if (gv.group) byGroup.set(gv.group, [...(byGroup.get(gv.group) ?? []), gv.version]);
  const groups = [...byGroup].map(([name, versions]) => {
    const vs = preferredFirst(name, versions).map((version) => ({ groupVersion: `${name}/${version}`, version }));
    return { name, versions: vs, preferredVersion: vs[0] };
  });
  return { kind: "APIGroupList", apiVersion: "v1", groups };
}

export function apiGroup(group: string): any | undefined {
  const list = apiGroupList();
  const g = list.groups.find((x: any) => x.name === group);
  return g ? { kind: "APIGroup", apiVersion: "v1", ...g } : undefined;
}

function subresourceEntries(r: ResourceDef): any[] {
  const out: any[] = [];
  for (const s of r.subresources) {
    if (s === "scale") out.push({ name: `${r.plural}/scale`, singularName: r.singular, namespaced: r.namespaced, group: "autoscaling", version: "v1", kind: "Scale", verbs: ["get", "patch", "update"] });
    else if (s === "status") out.push({ name: `${r.plural}/status`, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs: ["get", "patch", "update"] });
    else if (s === "log") out.push({ name: `${r.plural}/log`, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs: ["get"] });
    else if (s === "finalize") out.push({ name: `${r.plural}/finalize`, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs: ["update"] });
  }
  return out;
}

export function apiResourceList(group: string, version: string): any | undefined {
  const rs = RESOURCES.filter((r) => r.group === group && r.version === version);
  if (!rs.length) {
    if (group === "autoscaling" && version === "v1") return { kind: "APIResourceList", apiVersion: "v1", groupVersion: "autoscaling/v1", resources: [] };
    return undefined;
  }
  const resources: any[] = [];
  for (const r of rs) {
    const e: any = { name: r.plural, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs: r.verbs };
    if (r.shortNames) e.shortNames = r.shortNames;
    if (r.categories) e.categories = r.categories;
    e.storageVersionHash = Buffer.from(String(fnv32(`${r.group}/${r.version}/${r.kind}`))).toString("base64").slice(0, 11);
    resources.push(e, ...subresourceEntries(r));
  }
  return { kind: "APIResourceList", apiVersion: "v1", groupVersion: group ? `${group}/${version}` : version, resources };
}

/** apidiscovery.k8s.io/v2 aggregated discovery */
export function aggregatedDiscovery(legacy: boolean, apiVersion: "v2" | "v2beta1"): any {
  const gvs = groupVersions().filter((g) => (legacy ? g.group === "" : g.group !== ""));
  const byGroup = new Map<string, any>();
  for (const gv of gvs) {
    const resources = RESOURCES.filter((r) => r.group === gv.group && r.version === gv.version).map((r) => {
      const e: any = {
        resource: r.plural,
        responseKind: { group: r.group, version: r.version, kind: r.kind },
        scope: r.namespaced ? "Namespaced" : "Cluster",
        singularResource: r.singular,
        verbs: r.verbs,
      };
      if (r.shortNames) e.shortNames = r.shortNames;
      if (r.categories) e.categories = r.categories;
      const subs = r.subresources.map((s) => ({
        subresource: s,
        responseKind: s === "scale" ? { group: "autoscaling", version: "v1", kind: "Scale" } : { group: r.group, version: r.version, kind: r.kind },
        verbs: s === "log" ? ["get"] : s === "finalize" ? ["update"] : ["get", "patch", "update"],
      }));
      if (subs.length) e.subresources = subs;
      return e;
    });
    const g = byGroup.get(gv.group) ?? { metadata: { name: gv.group, creationTimestamp: null }, versions: [] };
    g.versions.push({ version: gv.version, resources, freshness: "Current" });
    byGroup.set(gv.group, g);
  }
  for (const [group, g] of byGroup) {
    const order = preferredFirst(group, g.versions.map((v: any) => v.version));
    g.versions.sort((a: any, b: any) => order.indexOf(a.version) - order.indexOf(b.version));
  }
  return { kind: "APIGroupDiscoveryList", apiVersion: `apidiscovery.k8s.io/${apiVersion}`, metadata: {}, items: [...byGroup.values()] };
}

// ------------------------------------------------------------------ OpenAPI

function gvPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

function schemaName(r: { group: string; version: string; kind: string }): string {
  if (r.group === "") return `io.k8s.api.core.${r.version}.${r.kind}`;
  if (r.group === "autoscaling") return `io.k8s.api.autoscaling.${r.version}.${r.kind}`;
  const short = r.group.endsWith(".k8s.io") ? r.group.slice(0, -".k8s.io".length) : r.group;
  if (r.group.includes(".") && !r.group.endsWith(".k8s.io")) return `${r.group.split(".").reverse().join(".")}.${r.version}.${r.kind}`;
  return `io.k8s.api.${short}.${r.version}.${r.kind}`;
}

export function openapiV3Index(): any {
  const paths: Record<string, any> = {};
  for (const gv of [...groupVersions(), { group: "autoscaling", version: "v1" }]) {
    const p = gvPath(gv.group, gv.version);
    paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${fnv32(p + "v1").toString(16).toUpperCase().padStart(8, "0")}` };
  }
  return { paths };
}

const PATCH_TYPES_BUILTIN = ["application/json-patch+json", "application/merge-patch+json", "application/apply-patch+yaml"];

function queryParam(name: string, description: string): any {
  return { name, in: "query", description, schema: { type: "string", uniqueItems: true } };
}

function objSchema(gvk: { group: string; version: string; kind: string }, list = false): any {
  const typed = list ? undefined : kindSchemaOf(gvk.group, gvk.version, gvk.kind);
  if (typed) return { ...toOpenApi(typed), "x-kubernetes-group-version-kind": [{ group: gvk.group, kind: gvk.kind, version: gvk.version }] };
  const s: any = {
    description: list ? `${gvk.kind} is a list of objects.` : `${gvk.kind} (sandbox schema: unknown fields are preserved).`,
    type: "object",
    properties: {
      apiVersion: { type: "string", description: "APIVersion defines the versioned schema of this representation of an object." },
      kind: { type: "string", description: "Kind is a string value representing the REST resource this object represents." },
      metadata: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
    },
    "x-kubernetes-preserve-unknown-fields": true,
    "x-kubernetes-group-version-kind": [{ group: gvk.group, kind: gvk.kind, version: gvk.version }],
  };
  if (list) s.properties.items = { type: "array", items: { type: "object", "x-kubernetes-preserve-unknown-fields": true } };
  else {
    s.properties.spec = { type: "object", "x-kubernetes-preserve-unknown-fields": true };
    s.properties.status = { type: "object", "x-kubernetes-preserve-unknown-fields": true };
  }
  return s;
}

export function openapiV3Doc(group: string, version: string): any | undefined {
  const rs = RESOURCES.filter((r) => r.group === group && r.version === version);
  const isAutoscaling = group === "autoscaling" && version === "v1";
  if (!rs.length && !isAutoscaling) return undefined;
  const base = "/" + gvPath(group, version);
  const paths: Record<string, any> = {};
  const schemas: Record<string, any> = {};
  const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
  const jsonContent = (name: string) => ({ "application/json": { schema: ref(name) }, "application/yaml": { schema: ref(name) } });
  const common = [queryParam("pretty", "If 'true', then the output is pretty printed.")];
  const writeParams = [
    queryParam("dryRun", "When present, indicates that modifications should not be persisted."),
    queryParam("fieldManager", "fieldManager is a name associated with the actor or entity that is making these changes."),
    queryParam("fieldValidation", "fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: Ignore, Warn, Strict."),
  ];
  for (const r of rs) {
    const gvk = { group: r.group, version: r.version, kind: r.kind };
    const sname = schemaName(r);
    schemas[sname] = objSchema(gvk);
    schemas[sname + "List"] = objSchema({ ...gvk, kind: r.kind + "List" }, true);
    const ext = { "x-kubernetes-group-version-kind": gvk };
    const patchTypes = PATCH_TYPES_BUILTIN;
    const op = (action: string, opId: string, extra: any = {}) => ({
      tags: [group || "core"],
      operationId: opId,
      "x-kubernetes-action": action,
      ...ext,
      responses: { "200": { description: "OK", content: jsonContent(action === "list" ? sname + "List" : sname) } },
      ...extra,
    });
    const nsPart = r.namespaced ? "/namespaces/{namespace}" : "";
    const coll = `${base}${nsPart}/${r.plural}`;
    const item = `${coll}/{name}`;
    const nsParam = r.namespaced ? [{ name: "namespace", in: "path", required: true, schema: { type: "string", uniqueItems: true } }] : [];
    const nameParam = [{ name: "name", in: "path", required: true, schema: { type: "string", uniqueItems: true } }];
    paths[coll] = {
      get: op("list", `list${r.kind}`),
      post: op("post", `create${r.kind}`, { parameters: writeParams, requestBody: { content: { "*/*": { schema: ref(sname) } }, required: true } }),
      delete: op("deletecollection", `deleteCollection${r.kind}`),
      parameters: [...nsParam, ...common],
    };
    const patchOp = (kind: string, opId: string) => ({
      tags: [group || "core"],
      operationId: opId,
      "x-kubernetes-action": "patch",
      "x-kubernetes-group-version-kind": kind === "Scale" ? { group: "autoscaling", version: "v1", kind: "Scale" } : gvk,
      parameters: [...writeParams, queryParam("force", "Force is going to \"force\" Apply requests.")],
      requestBody: { content: Object.fromEntries(patchTypes.map((t) => [t, { schema: { type: "object" } }])), required: true },
      responses: { "200": { description: "OK", content: jsonContent(kind === "Scale" ? "io.k8s.api.autoscaling.v1.Scale" : sname) } },
    });
    paths[item] = {
      get: op("get", `read${r.kind}`),
      put: op("put", `replace${r.kind}`, { parameters: writeParams, requestBody: { content: { "*/*": { schema: ref(sname) } }, required: true } }),
      patch: patchOp(r.kind, `patch${r.kind}`),
      delete: op("delete", `delete${r.kind}`),
      parameters: [...nameParam, ...nsParam, ...common],
    };
    for (const s of r.subresources) {
      if (s === "status") {
        paths[`${item}/status`] = {
          get: op("get", `read${r.kind}Status`),
          put: op("put", `replace${r.kind}Status`, { parameters: writeParams, requestBody: { content: { "*/*": { schema: ref(sname) } }, required: true } }),
          patch: patchOp(r.kind, `patch${r.kind}Status`),
          parameters: [...nameParam, ...nsParam, ...common],
        };
      } else if (s === "scale") {
        const scaleRef = "io.k8s.api.autoscaling.v1.Scale";
        schemas[scaleRef] = objSchema({ group: "autoscaling", version: "v1", kind: "Scale" });
        paths[`${item}/scale`] = {
          get: { ...op("get", `read${r.kind}Scale`), "x-kubernetes-group-version-kind": { group: "autoscaling", version: "v1", kind: "Scale" } },
          patch: patchOp("Scale", `patch${r.kind}Scale`),
          parameters: [...nameParam, ...nsParam, ...common],
        };
      } else if (s === "log") {
        paths[`${item}/log`] = {
          get: { tags: ["core"], operationId: "readPodLog", "x-kubernetes-action": "get", "x-kubernetes-group-version-kind": gvk, responses: { "200": { description: "OK", content: { "text/plain": { schema: { type: "string" } } } } } },
          parameters: [...nameParam, ...nsParam, ...common],
        };
      }
    }
  }
  if (isAutoscaling) schemas["io.k8s.api.autoscaling.v1.Scale"] = objSchema({ group: "autoscaling", version: "v1", kind: "Scale" });
  return {
    openapi: "3.0.0",
    info: { title: "Kubernetes", version: "v1.32.4" },
    paths,
    components: { schemas, securitySchemes: { BearerToken: { type: "apiKey", description: "Bearer Token authentication", name: "authorization", in: "header" } } },
  };
}

export function openapiV2Doc(): any {
  const definitions: Record<string, any> = {};
  const paths: Record<string, any> = {};
  for (const r of RESOURCES) {
    const gvk = { group: r.group, version: r.version, kind: r.kind };
    const sname = schemaName(r);
    const s = objSchema(gvk);
    definitions[sname] = s;
    const nsPart = r.namespaced ? "/namespaces/{namespace}" : "";
    const item = `/${gvPath(r.group, r.version)}${nsPart}/${r.plural}/{name}`;
    paths[item] = {
      patch: {
        consumes: ["application/json-patch+json", "application/merge-patch+json", "application/apply-patch+yaml"],
        operationId: `patch${r.kind}`,
        parameters: [{ name: "fieldValidation", in: "query", type: "string", uniqueItems: true }, { name: "fieldManager", in: "query", type: "string", uniqueItems: true }],
        "x-kubernetes-action": "patch",
        "x-kubernetes-group-version-kind": gvk,
        responses: { "200": { description: "OK", schema: { $ref: `#/definitions/${sname}` } } },
      },
    };
  }
  return { swagger: "2.0", info: { title: "Kubernetes", version: "v1.32.4" }, paths, definitions };
}
