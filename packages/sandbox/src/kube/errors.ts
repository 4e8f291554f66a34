import type { ResourceDef } from "./resources.js";
import { qualifiedResource, qualifiedKind } from "./resources.js";

export interface StatusCause { reason?: string; message?: string; field?: string }

export class ApiError extends Error {
  constructor(
    public code: number,
    public reason: string,
    message: string,
    public details?: { name?: string; group?: string; kind?: string; uid?: string; causes?: StatusCause[]; retryAfterSeconds?: number },
  ) {
    super(message);
  }

  toStatus(): any {
    const s: any = { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: this.message };
    if (this.reason) s.reason = this.reason; // some real failures (SSA's typed-patch errors) carry no reason
    if (this.details) s.details = this.details;
    s.code = this.code;
    return s;
  }
}

function det(def: ResourceDef, name?: string): any {
  const d: any = {};
  if (name !== undefined) d.name = name;
  if (def.group) d.group = def.group;
  d.kind = def.plural;
  return d;
}

export const errors = {
  notFound(def: ResourceDef, name: string): ApiError {
    return new ApiError(404, "NotFound", `${qualifiedResource(def)} "${name}" not found`, det(def, name));
  },
  alreadyExists(def: ResourceDef, name: string): ApiError {
    return new ApiError(409, "AlreadyExists", `${qualifiedResource(def)} "${name}" already exists`, det(def, name));
  },
  conflict(def: ResourceDef, name: string, msg = "the object has been modified; please apply your changes to the latest version and try again"): ApiError {
    return new ApiError(409, "Conflict", `Operation cannot be fulfilled on ${qualifiedResource(def)} "${name}": ${msg}`, det(def, name));
  },
  invalid(def: ResourceDef, name: string, causes: Array<{ field: string; message: string; reason?: string }>): ApiError {
    const msgs = causes.map((c) => `${c.field}: ${c.message}`);
    const joined = msgs.length === 1 ? msgs[0] : `[${msgs.join(", ")}]`;
    return new ApiError(422, "Invalid", `${qualifiedKind(def)} "${name}" is invalid: ${joined}`, {
      name,
      ...(def.group ? { group: def.group } : {}),
      kind: def.kind,
      causes: causes.map((c) => ({ reason: c.reason ?? "FieldValueInvalid", message: c.message, field: c.field })),
    });
  },
  forbidden(def: ResourceDef, name: string, msg: string, causes?: StatusCause[]): ApiError {
    return new ApiError(403, "Forbidden", `${qualifiedResource(def)} "${name}" is forbidden: ${msg}`, { ...det(def, name), ...(causes ? { causes } : {}) });
  },
  badRequest(msg: string): ApiError {
    return new ApiError(400, "BadRequest", msg);
  },
  methodNotAllowed(msg = "the server does not allow this method on the requested resource"): ApiError {
    return new ApiError(405, "MethodNotAllowed", msg);
  },
  gone(msg: string): ApiError {
    return new ApiError(410, "Expired", msg);
  },
  notFoundPath(): ApiError {
    return new ApiError(404, "NotFound", "the server could not find the requested resource", {});
  },
  unsupportedMedia(ct: string): ApiError {
    return new ApiError(415, "UnsupportedMediaType", `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json; got ${ct}`);
  },
  internal(msg: string): ApiError {
    return new ApiError(500, "InternalError", `Internal error occurred: ${msg}`, { causes: [{ message: msg }] });
  },
};

export function faultError(code: number, def: ResourceDef | undefined, name: string | undefined, retryAfterSeconds = 1): ApiError {
  const n = name ?? "";
  switch (code) {
    case 404: return def ? errors.notFound(def, n) : errors.notFoundPath();
    case 409: return def ? errors.conflict(def, n) : new ApiError(409, "Conflict", "Operation cannot be fulfilled: the object has been modified; please apply your changes to the latest version and try again");
    case 410: return errors.gone("too old resource version");
    case 429: return new ApiError(429, "TooManyRequests", "the server has received too many requests and has asked us to try again later", { retryAfterSeconds });
    case 403: return def ? errors.forbidden(def, n, "injected fault") : new ApiError(403, "Forbidden", "forbidden: injected fault");
    case 401: return new ApiError(401, "Unauthorized", "Unauthorized");
    case 503: return new ApiError(503, "ServiceUnavailable", "the server is currently unable to handle the request");
    case 504: return new ApiError(504, "Timeout", "the server was unable to return a response in the time allotted, but may still be processing the request");
    case 400: return errors.badRequest("injected fault");
    default: return new ApiError(code, code >= 500 ? "InternalError" : "BadRequest", `Internal error occurred: injected fault (${code})`);
  }
}

const LABEL_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_RE = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const SUBDOMAIN_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function validateName(rule: ResourceDef["nameRule"], name: string): string[] {
  const errs: string[] = [];
  if (rule === "label") {
    if (name.length > 63) errs.push("must be no more than 63 characters");
    if (!LABEL_RE.test(name)) errs.push(`a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`);
  } else if (rule === "dns1035") {
    if (name.length > 63) errs.push("must be no more than 63 characters");
    if (!DNS1035_RE.test(name)) errs.push(`a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`);
  } else if (rule === "path") {
    // RBAC objects: any path segment name (ValidatePathSegmentName).
    if (name === "." || name === "..") errs.push(`may not be '${name}'`);
    for (const bad of ["/", "%"]) if (name.includes(bad)) errs.push(`may not contain '${bad}'`);
  } else {
    if (name.length > 253) errs.push("must be no more than 253 characters");
    if (!SUBDOMAIN_RE.test(name)) errs.push(`a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`);
  }
  return errs;
}

export function isDns1123Label(s: string): boolean {
  return s.length <= 63 && LABEL_RE.test(s);
}
