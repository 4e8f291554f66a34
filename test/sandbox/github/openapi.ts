// Checks sandbox responses against GitHub's published OpenAPI description (@octokit/openapi, api.github.com, deref'd).
// The description is large (~70 MB): it is loaded once per run, and validators are compiled once per operation+status.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import AjvModule from "ajv";
import addFormatsModule from "ajv-formats";
import type { ValidateFunction } from "ajv";
import type { Exchange } from "@tugboat/sandbox/github";

// ajv and ajv-formats are CommonJS; under ESM their callable export may sit on .default.
const Ajv = ((AjvModule as unknown as { default?: unknown }).default ?? AjvModule) as typeof AjvModule.default;
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as typeof addFormatsModule.default;

type Schema = Record<string, unknown>;
interface Operation { operationId: string; responses: Record<string, { content?: Record<string, { schema?: Schema }> }> }
interface Spec { paths: Record<string, Record<string, Operation>> }

/** Status codes GitHub may answer on any operation even where the description doesn't list them. */
export const GLOBAL_ERROR_STATUSES = [400, 401, 403, 404, 422, 429, 500, 502, 503];

/** Trailing parameters that may hold "/" (branch names, refs, file paths) or be empty (the contents root). */
const GREEDY_PARAMS = new Set(["{path}", "{ref}", "{branch}"]);

/** Sandbox-only paths that are not part of GitHub's API (the contents API's download_url). */
export const SANDBOX_ONLY = /^\/_raw\//;

let spec: Spec | undefined;
let matchers: Array<{ method: string; template: string; re: RegExp; literals: number; greedy: boolean }> | undefined;
let ajv: InstanceType<typeof Ajv> | undefined;
const validators = new Map<string, ValidateFunction>();

export function specFile(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve("@octokit/openapi/package.json")), "generated", "api.github.com.deref.json");
}

export function loadSpec(): Spec {
  if (!spec) {
    spec = JSON.parse(readFileSync(specFile(), "utf8")) as Spec;
    matchers = [];
    for (const [template, ops] of Object.entries(spec.paths)) {
      const segs = template.split("/");
      const literals = segs.filter((s) => s && !s.startsWith("{")).length;
      const src = segs.map((s) => (s.startsWith("{") ? "([^/]+)" : s.replace(/[.*+?^${}()|[\]\\-]/g, "\\$&"))).join("/");
      const lastIsParam = segs.at(-1)!.startsWith("{");
      for (const method of Object.keys(ops)) {
        if (!["get", "post", "put", "patch", "delete", "head"].includes(method)) continue;
        const m = method.toUpperCase();
        matchers.push({ method: m, template, re: new RegExp(`^${src}$`), literals, greedy: false });
        if (lastIsParam && GREEDY_PARAMS.has(segs.at(-1)!)) {
          matchers.push({ method: m, template, re: new RegExp(`^${src.replace(/\/\(\[\^\/\]\+\)$/, "(?:/(.*))?")}$`), literals, greedy: true });
        }
      }
    }
    ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
    addFormats(ajv);
  }
  return spec;
}

/** The OpenAPI path template for a request (e.g. "/repos/{owner}/{repo}/pulls/{pull_number}"), or undefined. */
export function matchOperation(method: string, rawPath: string): { template: string; operation: Operation } | undefined {
  const s = loadSpec();
  const hits = matchers!.filter((m) => m.method === method && m.re.test(rawPath));
  if (!hits.length) return undefined;
  // Prefer exact segment matches, then the most literal segments.
  hits.sort((a, b) => Number(a.greedy) - Number(b.greedy) || b.literals - a.literals);
  const best = hits[0]!;
  return { template: best.template, operation: s.paths[best.template]![method.toLowerCase()]! };
}

/**
 * OpenAPI 3.0 → JSON Schema for ajv: `nullable` becomes `anyOf [.., null]` (ajv refuses `nullable` without `type`
 * and ignores it beside `enum`), and a `format` whose own `default` is "" also accepts "".
 */
const converted = new WeakMap<object, unknown>();
export function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (!node || typeof node !== "object") return node;
  const hit = converted.get(node);
  if (hit) return hit;
  const src = node as Schema;
  const out: Schema = {};
  for (const [k, v] of Object.entries(src)) {
    if (k === "nullable" || k === "discriminator" || k === "example" || k === "examples") continue;
    if (k === "properties" || k === "patternProperties") {
      out[k] = Object.fromEntries(Object.entries(v as Schema).map(([pk, pv]) => [pk, toJsonSchema(pv)]));
    } else if (k === "enum" || k === "required" || k === "const" || k === "default") {
      out[k] = v;
    } else if (k === "oneOf") {
      // GitHub's description lists overlapping alternatives under oneOf (PUT contents' 409 is a Basic Error or a rule
      // violation, and any Basic Error is both): read as anyOf, or no body could ever match.
      out.anyOf = toJsonSchema(v);
    } else {
      out[k] = toJsonSchema(v);
    }
  }
  let result: unknown = out;
  // e.g. deployment-status.target_url: `format: uri` but `default: ""`, and GitHub does send "" when unset.
  if (typeof src.format === "string" && src.default === "") result = { anyOf: [result, { const: "" }] };
  if (src.nullable === true) result = { anyOf: [result, { type: "null" }] };
  converted.set(node, result);
  return result;
}

function validatorFor(key: string, schema: Schema): ValidateFunction {
  let v = validators.get(key);
  if (!v) {
    v = ajv!.compile(toJsonSchema(schema) as Schema);
    validators.set(key, v);
  }
  return v;
}

export interface Verdict {
  /** "GET /repos/{owner}/{repo} (repos/get) → 200" */
  operation: string;
  template?: string;
  operationId?: string;
  status: number;
  errors: string[];
}

/** Validates one exchange (status code and body) against the description. */
export function checkExchange(x: Exchange): Verdict {
  const s = loadSpec();
  if (SANDBOX_ONLY.test(x.rawPath)) return { operation: `${x.method} ${x.path} (sandbox only)`, status: x.status, errors: [] };
  const found = matchOperation(x.method, x.rawPath);
  if (!found) return { operation: `${x.method} ${x.path}`, status: x.status, errors: ["no operation in the OpenAPI description matches this request"] };
  const { template, operation } = found;
  const label = `${x.method} ${template} (${operation.operationId}) → ${x.status}`;
  const verdict: Verdict = { operation: label, template, operationId: operation.operationId, status: x.status, errors: [] };
  const documented = operation.responses[String(x.status)] ?? operation.responses.default;
  // The deref'd description has no components: take "Basic Error" from an operation that documents it.
  const basicError = s.paths["/repos/{owner}/{repo}"]!.get!.responses["404"]!.content!["application/json"]!.schema!;
  const validationError = s.paths["/repos/{owner}/{repo}/deployments"]!.post!.responses["422"]!.content!["application/json"]!.schema!;
  let schema: Schema | undefined;
  let key: string;
  if (x.faulted || (!documented && GLOBAL_ERROR_STATUSES.includes(x.status))) {
    // GitHub answers 422 "Validation Failed" wherever it validates input; other errors are a Basic Error.
    schema = x.status === 422 && !x.faulted ? validationError : basicError;
    key = x.status === 422 && !x.faulted ? "validation-error" : "basic-error";
  } else if (!documented) {
    verdict.errors.push(`status ${x.status} is not documented for ${operation.operationId} (documented: ${Object.keys(operation.responses).join(", ")})`);
    return verdict;
  } else {
    const json = documented.content?.["application/json"];
    schema = json?.schema ?? (x.status >= 400 ? basicError : undefined);
    key = `${x.method} ${template} ${x.status}`;
    if (!json && x.status < 300) {
      // e.g. 204 No Content
      if (x.responseBody !== undefined && x.responseBody !== "") verdict.errors.push(`status ${x.status} is documented without a body, but one was sent`);
      return verdict;
    }
  }
  const ct = x.responseHeaders["content-type"] ?? "";
  if (!ct.startsWith("application/json")) return verdict; // raw media types (e.g. contents as raw text) have no JSON schema
  if (!schema) return verdict;
  const v = validatorFor(key, schema);
  if (!v(x.responseBody)) {
    verdict.errors.push(...(v.errors ?? []).slice(0, 20).map((e) => `${e.instancePath || "(body)"} ${e.message}${e.params ? " " + JSON.stringify(e.params) : ""}`));
  }
  return verdict;
}

/** Validates many exchanges; returns a readable report of failures ("" when all pass). */
export function report(exchanges: Exchange[]): string {
  const bad = exchanges.map((x) => ({ x, v: checkExchange(x) })).filter(({ v }) => v.errors.length);
  return bad.map(({ x, v }) => `${v.operation}\n    request: ${x.method} ${x.path}${x.query ? "?" + x.query : ""}\n    ${v.errors.join("\n    ")}`).join("\n");
}
