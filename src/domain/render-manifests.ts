import { randomBytes } from "node:crypto";
import Handlebars from "handlebars";
import { parseAllDocuments } from "yaml";
import { UserError } from "../core/errors.js";
import type { KObject } from "../gateways/types.js";

// Handlebars templates for manifests. A branch name or PR title can change nothing but the value it fills:
// no new keys, documents or lines (see renderManifests).

export type TemplateValues = Record<string, string | number | boolean | undefined>;

const handlebars = Handlebars.create();

/**
 * Renders manifest templates into objects so that values can change nothing but themselves: each value enters
 * the template as an inert alphanumeric token, the YAML is parsed, and only then are the tokens in keys and string
 * scalars replaced by the real values. A value therefore works anywhere a word does (plain, quoted, inside a
 * longer string) and can never add keys, documents or lines, whatever characters it holds.
 */
export function renderManifests(source: string, values: TemplateValues, file = "template"): KObject[] {
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
    text = handlebars.compile(source, { strict: true, noEscape: true })(context);
  } catch (err) {
    throw new UserError(`${file}: cannot render the template (${(err as Error).message.split("\n")[0]})`);
  }
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
  return parseManifests(text, file).map((obj) => walk(obj) as KObject);
}

/** Parses multi-document YAML into objects; empty documents are skipped. */
export function parseManifests(text: string, file = "manifest"): KObject[] {
  const docs = parseAllDocuments(text);
  const out: KObject[] = [];
  for (const doc of Array.isArray(docs) ? docs : [docs]) {
    if (doc.errors.length > 0) throw new UserError(`${file}: invalid YAML after rendering (${doc.errors[0]!.message.split("\n")[0]})`);
    const obj = doc.toJS();
    if (obj === null || obj === undefined) continue;
    if (typeof obj !== "object" || Array.isArray(obj) || typeof obj.kind !== "string" || typeof obj.apiVersion !== "string") {
      throw new UserError(`${file}: every document must be a Kubernetes object with apiVersion and kind`);
    }
    if (obj.kind === "List" && Array.isArray(obj.items)) out.push(...obj.items);
    else out.push(obj);
  }
  return out;
}

export function describeObject(obj: KObject): string {
  const ns = obj.metadata?.namespace ? `${obj.metadata.namespace}/` : "";
  return `${obj.kind} ${ns}${obj.metadata?.name ?? "(unnamed)"}`;
}
