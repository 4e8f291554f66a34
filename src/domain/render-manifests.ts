import { randomBytes } from "node:crypto";
import Handlebars from "handlebars";
import { parseAllDocuments } from "yaml";
import { UserError } from "../core/errors.js";
import type { KObject } from "../gateways/types.js";
import { templateProblem } from "./render/template-rules.js";

// Handlebars templates for manifests. A branch name or PR title can change nothing but the value it fills:
// no new keys, documents or lines (see renderManifests).

export type TemplateValues = Record<string, string | number | boolean | undefined>;

const handlebars = Handlebars.create();

type Compiled = { problem: string } | { render: HandlebarsTemplateDelegate };
/** Checked and compiled templates by source: values enter as tokens, so a compiled template serves every render. */
const compiled = new Map<string, Compiled>();
const CACHE_ENTRIES = 64;
const CACHE_MAX_SOURCE = 64 * 1024;

function compile(source: string): Compiled {
  const hit = compiled.get(source);
  if (hit) return hit;
  const problem = templateProblem(source);
  const entry: Compiled = problem ? { problem } : { render: handlebars.compile(source, { strict: true, noEscape: true }) };
  if (source.length <= CACHE_MAX_SOURCE) {
    if (compiled.size >= CACHE_ENTRIES) compiled.delete(compiled.keys().next().value!);
    compiled.set(source, entry);
  }
  return entry;
}

/**
 * Renders manifest templates into objects so that values can change nothing but themselves: each value enters
 * the template as an inert alphanumeric token, the YAML is parsed, and only then are the tokens in keys and string
 * scalars replaced by the real values. A value therefore works anywhere a word does (plain, quoted, inside a
 * longer string) and can never add keys, documents or lines, whatever characters it holds.
 */
export function renderManifests(source: string, values: TemplateValues, file = "template"): KObject[] {
  return renderManifestsWithin(source, values, file, Number.POSITIVE_INFINITY).objects;
}

/** renderManifests, refusing a template whose output passes maxBytes (before that output is parsed). */
export function renderManifestsWithin(source: string, values: TemplateValues, file: string, maxBytes: number): { objects: KObject[]; bytes: number } {
  const template = compile(source);
  if ("problem" in template) throw new UserError(`${file}: ${template.problem}`);
  const prefix = `tugboatv${randomBytes(6).toString("hex")}x`;
  const tokens = new Map<string, string>();
  const context: Record<string, string> = {};
  Object.entries(values).forEach(([key, value], i) => {
    const token = `${prefix}${i}z`;
    tokens.set(token, value === undefined ? "" : String(value));
    context[key] = token;
  });
  let text: string;
  try {
    text = template.render(context);
  } catch (err) {
    throw new UserError(`${file}: cannot render the template (${(err as Error).message.split("\n")[0]})`);
  }
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > maxBytes) throw new UserError(`${file}: renders to ${bytes} bytes, more than the ${maxBytes} allowed`);
  const pattern = new RegExp(`${prefix}\\d+z`, "g");
  const substitute = (s: string): string => (s.includes(prefix) ? s.replace(pattern, (t) => tokens.get(t) ?? t) : s);
  const walk = (node: unknown): unknown => {
    if (typeof node === "string") return substitute(node);
    if (Array.isArray(node)) return node.map(walk);
    if (node && typeof node === "object") {
      return Object.fromEntries(Object.entries(node).map(([k, v]) => [substitute(k), walk(v)]));
    }
    return node;
  };
  return { objects: parseManifests(text, file).map((obj) => walk(obj) as KObject), bytes };
}

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

export function describeObject(obj: KObject): string {
  const ns = obj.metadata?.namespace ? `${obj.metadata.namespace}/` : "";
  return `${obj.kind} ${ns}${obj.metadata?.name ?? "(unnamed)"}`;
}
