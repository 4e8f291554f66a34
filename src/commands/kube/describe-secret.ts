import type { V1Secret } from "../../gateways/kube-models.js";
import type { DescribeCtx } from "./describe-context.js";
import { annotationsMultiline, DescribeWriter, labelsMultiline } from "./describe-writer.js";
import { redactedByteCount } from "./redact-secret.js";

// kubectl's SecretDescriber: metadata, Type, and each key of Data as its size; no events. kubectl prints the value
// of a service-account-token Secret's `token` key; Tugboat prints its size too, so no value ever reaches chat. The
// describer only gets the redacted copy (sizes, no values). kubectl walks Go maps in no fixed order; Tugboat sorts.

export async function describeSecret(d: DescribeCtx<V1Secret>): Promise<string> {
  const secret = d.obj;
  const m = secret.metadata ?? {};
  const w = new DescribeWriter();
  w.line(0, `Name:\t${m.name ?? ""}`);
  w.line(0, `Namespace:\t${m.namespace ?? ""}`);
  labelsMultiline(w, "Labels", m.labels);
  annotationsMultiline(w, "Annotations", m.annotations);
  w.line(0, `\nType:\t${secret.type ?? ""}`);
  w.write(0, "\nData\n====\n");
  const data = secret.data ?? {};
  for (const k of Object.keys(data).sort()) w.line(0, `${k}:\t${redactedByteCount(data[k])} bytes`);
  return w.text();
}
