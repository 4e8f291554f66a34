// A compact description of the built-in types' fields: enough to decode like the API server (type errors,
// unknown fields), to check enums and required fields, and to publish OpenAPI v3 schemas that `kubectl explain` reads.

export type Schema =
  | { t: "string"; enum?: string[]; desc?: string; format?: string }
  | { t: "integer"; format: "int32" | "int64"; desc?: string }
  | { t: "number"; desc?: string }
  | { t: "boolean"; desc?: string }
  | { t: "intOrString"; desc?: string }
  | { t: "quantity"; desc?: string }
  | { t: "object"; go: string; props: () => Record<string, Schema>; required?: string[]; desc?: string }
  | { t: "map"; of: Schema; desc?: string }
  | { t: "array"; of: Schema; key?: string; desc?: string }
  /** free-form (not modelled): any JSON, unknown fields preserved */
  | { t: "any"; desc?: string };

export const s = {
  str: (desc?: string): Schema => ({ t: "string", desc }),
  time: (desc?: string): Schema => ({ t: "string", format: "date-time", desc }),
  enumOf: (values: string[], desc?: string): Schema => ({ t: "string", enum: values, desc }),
  int32: (desc?: string): Schema => ({ t: "integer", format: "int32", desc }),
  int64: (desc?: string): Schema => ({ t: "integer", format: "int64", desc }),
  bool: (desc?: string): Schema => ({ t: "boolean", desc }),
  intOrString: (desc?: string): Schema => ({ t: "intOrString", desc }),
  quantity: (desc?: string): Schema => ({ t: "quantity", desc }),
  strMap: (desc?: string): Schema => ({ t: "map", of: { t: "string" }, desc }),
  map: (of: Schema, desc?: string): Schema => ({ t: "map", of, desc }),
  arr: (of: Schema, desc?: string, key?: string): Schema => ({ t: "array", of, desc, key }),
  strArr: (desc?: string): Schema => ({ t: "array", of: { t: "string" } as Schema, desc }),
  any: (desc?: string): Schema => ({ t: "any", desc }),
  obj: (go: string, props: () => Record<string, Schema>, opts: { required?: string[]; desc?: string } = {}): Schema => ({ t: "object", go, props, ...opts }),
};

/** Go's name for a schema's type, as encoding/json prints it in "of type …". */
export function goTypeName(sc: Schema): string {
  switch (sc.t) {
    case "string": return "string";
    case "integer": return sc.format;
    case "number": return "float64";
    case "boolean": return "bool";
    case "intOrString": return "intstr.IntOrString";
    case "quantity": return "resource.Quantity";
    case "object": return sc.go.includes(".") ? sc.go : `v1.${sc.go}`;
    case "map": return `map[string]${goTypeName(sc.of)}`;
    case "array": return `[]${goTypeName(sc.of)}`;
    case "any": return "interface {}";
  }
}
