// The field schemas as OpenAPI v3 (what `kubectl explain` walks, and what clients see of the types).
import type { Schema } from "./schema.js";

export function toOpenApi(sc: Schema): any {
  const d = sc.desc ? { description: sc.desc } : {};
  switch (sc.t) {
    case "string":
      return { ...d, type: "string", ...(sc.format ? { format: sc.format } : {}), ...(sc.enum ? { enum: sc.enum } : {}) };
    case "integer":
      return { ...d, type: "integer", format: sc.format };
    case "number":
      return { ...d, type: "number", format: "double" };
    case "boolean":
      return { ...d, type: "boolean" };
    case "intOrString":
    case "quantity":
      return { ...d, "x-kubernetes-int-or-string": true };
    case "map":
      return { ...d, type: "object", additionalProperties: toOpenApi(sc.of) };
    case "array":
      return { ...d, type: "array", items: toOpenApi(sc.of) };
    case "any":
      return { ...d, type: "object", "x-kubernetes-preserve-unknown-fields": true };
    case "object": {
      const props = sc.props();
      const out: any = { ...d, type: "object", properties: Object.fromEntries(Object.entries(props).map(([k, v]) => [k, toOpenApi(v)])) };
      if (sc.required?.length) out.required = sc.required;
      return out;
    }
  }
}
