import { parseAllDocuments } from "yaml";
import { UserError } from "../core/errors.js";
import type { KObject, KubeObject } from "../gateways/types.js";

// Manifests as YAML: parsing rendered templates into objects, and naming objects in replies. Rendering the Handlebars
// templates is render/render-templates.ts, loaded only by the render worker (render/render-pool.ts), so the bot's own
// thread never loads Handlebars and its compiler (about 0.7 MB of source; docs/benchmarks.md, Memory).

export type TemplateValues = Record<string, string | number | boolean | undefined>;

/** Aliases a document may expand; past this it is an alias bomb ("billion laughs"), not a manifest. */
const MAX_ALIAS_COUNT = 100;

/** Parses multi-document YAML into objects; empty documents are skipped and a `kind: List` is expanded. */
export function parseManifests(text: string, file = "manifest"): KObject[] {
  const docs = parseAllDocuments(text, { uniqueKeys: true });
  const out: KObject[] = [];
  for (const [d, doc] of (Array.isArray(docs) ? docs : [docs]).entries()) {
    const where = `${file}: document ${d + 1}`;
    if (doc.errors.length > 0) throw new UserError(`${where}: invalid YAML after rendering (${doc.errors[0]!.message.split("\n")[0]})`);
    let obj: unknown;
    try {
      obj = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (err) {
      // The yaml library refuses excessive alias expansion with a ReferenceError; say what it means.
      const why = /alias/i.test((err as Error).message) ? `its aliases expand too much (more than ${MAX_ALIAS_COUNT}; an alias bomb?)` : (err as Error).message.split("\n")[0];
      throw new UserError(`${where}: cannot be read: ${why}`);
    }
    if (obj === null || obj === undefined) continue;
    if (!isKubeObject(obj)) throw new UserError(`${where}: every document must be a Kubernetes object with apiVersion and kind`);
    if (obj.kind === "List") {
      if (!Array.isArray(obj.items)) throw new UserError(`${where}: a List needs an items array`);
      obj.items.forEach((item: unknown, i: number) => {
        if (!isKubeObject(item)) throw new UserError(`${where}: List item ${i + 1} is not a Kubernetes object with apiVersion and kind`);
        if (item.kind === "List") throw new UserError(`${where}: List item ${i + 1} is itself a List`);
        out.push(item);
      });
    } else out.push(obj);
  }
  return out;
}

function isKubeObject(v: unknown): v is KObject & { kind: string; apiVersion: string } {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return false;
  const o = v as Record<string, unknown>;
  return typeof o.kind === "string" && typeof o.apiVersion === "string" && (o.metadata === undefined || (o.metadata !== null && typeof o.metadata === "object" && !Array.isArray(o.metadata)));
}

export function describeObject(obj: KubeObject): string {
  const ns = obj.metadata?.namespace ? `${obj.metadata.namespace}/` : "";
  return `${obj.kind} ${ns}${obj.metadata?.name ?? "(unnamed)"}`;
}
