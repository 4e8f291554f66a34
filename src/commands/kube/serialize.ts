import { stringify } from "yaml";
import type { KObject } from "../../gateways/types.js";

// -o json and -o yaml as kubectl prints them: keys sorted (Go marshals maps in key order), JSON indented by
// four spaces, YAML in go-yaml's block style (sequences not indented under their key, YAML 1.1 quoting).
// One deliberate difference: kubectl's JSON escapes <, > and & as \u003c, \u003e, \u0026 (Go's HTML-safe
// encoding); chat readers get them literally (`<redacted: 12 bytes>`, `<none>`), which is the same JSON value.

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v as object).sort()) {
      const x = (v as Record<string, unknown>)[k];
      if (x !== undefined) out[k] = sortKeys(x);
    }
    return out;
  }
  return v;
}

export function toKubectlJson(value: unknown): string {
  return JSON.stringify(sortKeys(value), null, 4).replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

export function toKubectlYaml(value: unknown): string {
  return stringify(sortKeys(value), {
    version: "1.1",
    indent: 2,
    indentSeq: false,
    lineWidth: 0,
    blockQuote: "literal",
    defaultStringType: "PLAIN",
    defaultKeyType: "PLAIN",
    singleQuote: false,
    nullStr: "null",
  }).replace(/\n$/, "");
}

/** kubectl's List wrapper for zero or several objects. */
export function asList(items: KObject[]): KObject {
  return { apiVersion: "v1", items, kind: "List", metadata: { resourceVersion: "" } };
}
