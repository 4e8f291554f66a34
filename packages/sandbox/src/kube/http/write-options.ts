// The dryRun query parameter of writes, validated as the API server validates Create/Update/Patch/DeleteOptions:
// "All" is the only value; anything else is a 422, never a silent real write.
import { ApiError } from "../errors.js";

const OPTIONS_KIND: Record<string, string> = {
  create: "CreateOptions",
  update: "UpdateOptions",
  patch: "PatchOptions",
  delete: "DeleteOptions",
  deletecollection: "DeleteOptions",
};

/** Go's %#v of a []string, as the API server prints the rejected value. */
function goStrings(values: string[]): string {
  return `[]string{${values.map((v) => JSON.stringify(v)).join(", ")}}`;
}

/** Whether a write is a dry run; reads ignore the parameter, as the API server does. */
export function dryRunOf(q: URLSearchParams, verb: string): boolean {
  const values = q.getAll("dryRun");
  const kind = OPTIONS_KIND[verb];
  if (!kind || values.length === 0) return false;
  if (values.some((v) => v !== "All")) {
    const message = `Unsupported value: ${goStrings(values)}: supported values: "All"`;
    throw new ApiError(422, "Invalid", `${kind}.meta.k8s.io "" is invalid: dryRun: ${message}`, {
      group: "meta.k8s.io",
      kind,
      causes: [{ reason: "FieldValueNotSupported", message, field: "dryRun" }],
    });
  }
  return true;
}
