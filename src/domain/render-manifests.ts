import Handlebars from "handlebars";
import { parseAllDocuments } from "yaml";
import { UserError } from "../core/errors.js";
import type { KObject } from "../gateways/types.js";

// Handlebars templates for manifests. Every value is escaped for YAML before it reaches the template, so a
// branch name or PR title can change nothing but the value it fills: no new keys, documents or lines.

export type TemplateValues = Record<string, string | number | boolean | undefined>;

// A value this plain is safe anywhere in a YAML line, inside or outside quotes.
const PLAIN = /^[A-Za-z0-9][A-Za-z0-9._/:@+-]*$/;
// Plain-looking words YAML would read as another type.
const YAML_SPECIAL = /^(true|false|yes|no|on|off|null|y|n|~|[-+]?(\d[\d_]*(\.\d*)?([eE][-+]?\d+)?|0x[0-9a-fA-F]+|0o[0-7]+|\.inf|\.nan))$/i;

/** A YAML-safe rendering of one value: plain when harmless, else a double-quoted scalar with no raw newlines. */
export function yamlScalar(value: string | number | boolean | undefined): string {
  if (value === undefined) return '""';
  if (typeof value !== "string") return JSON.stringify(String(value));
  if (PLAIN.test(value) && !YAML_SPECIAL.test(value)) return value;
  // JSON strings are valid YAML double-quoted scalars; escape the line separators JSON leaves raw.
  return JSON.stringify(value).replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029").replace(/\u0085/g, "\\u0085");
}

const handlebars = Handlebars.create();

export function renderTemplate(source: string, values: TemplateValues, file = "template"): string {
  const escaped: Record<string, Handlebars.SafeString> = {};
  for (const [k, v] of Object.entries(values)) escaped[k] = new handlebars.SafeString(yamlScalar(v));
  try {
    // strict: a placeholder the values do not define is an error, not an empty string.
    return handlebars.compile(source, { strict: true, noEscape: true })(escaped);
  } catch (err) {
    throw new UserError(`${file}: cannot render the template (${(err as Error).message.split("\n")[0]})`);
  }
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
