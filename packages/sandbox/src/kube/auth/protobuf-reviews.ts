// kubectl sends its self-reviews as protobuf (k8s.io/api authorization/v1 and authentication/v1 generated.proto):
// decoded here into the JSON the reviews read. Only the request fields are decoded.

interface Field {
  no: number;
  wire: number;
  v: number | Buffer;
}

type Decode = (buf: Buffer) => Field[];

const text = (f: Field | undefined) => (f ? (f.v as Buffer).toString("utf8") : undefined);

function strings(fields: Field[], names: Record<number, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [no, name] of Object.entries(names)) {
    const v = text(fields.find((f) => f.no === Number(no)));
    if (v !== undefined) out[name] = v;
  }
  return out;
}

const RESOURCE_ATTRIBUTES = { 1: "namespace", 2: "verb", 3: "group", 4: "version", 5: "resource", 6: "subresource", 7: "name" };
const NON_RESOURCE_ATTRIBUTES = { 1: "path", 2: "verb" };

/** The spec of a self-review from the object's fields (metadata = 1, spec = 2); undefined for other kinds. */
export function decodeReviewSpec(kind: string, objectFields: Field[], decode: Decode): Record<string, unknown> | undefined {
  const specField = objectFields.find((f) => f.no === 2);
  const spec = specField && kind !== "SelfSubjectReview" ? decode(specField.v as Buffer) : [];
  switch (kind) {
    case "SelfSubjectAccessReview": {
      const out: Record<string, unknown> = {};
      const ra = spec.find((f) => f.no === 1);
      const nra = spec.find((f) => f.no === 2);
      if (ra) out.resourceAttributes = strings(decode(ra.v as Buffer), RESOURCE_ATTRIBUTES);
      if (nra) out.nonResourceAttributes = strings(decode(nra.v as Buffer), NON_RESOURCE_ATTRIBUTES);
      return out;
    }
    case "SelfSubjectRulesReview":
      return strings(spec, { 1: "namespace" });
    case "SelfSubjectReview":
      return {};
    default:
      return undefined;
  }
}
