import { randomBytes } from "node:crypto";
import Handlebars from "handlebars";
import { UserError } from "../../core/errors.js";
import type { KObject } from "../../gateways/types.js";
import { parseManifests, type TemplateValues } from "../render-manifests.js";
import { templateProblem } from "./template-rules.js";

// Handlebars templates for manifests. A branch name or PR title can change nothing but the value it fills:
// no new keys, documents or lines (see renderManifests). Loaded by the render worker only (render-worker.ts).

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
