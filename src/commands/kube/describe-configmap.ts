import type { V1ConfigMap } from "../../gateways/kube-models.js";
import type { DescribeCtx } from "./describe-context.js";
import { writeEvents } from "./describe-events.js";
import { annotationsMultiline, DescribeWriter, labelsMultiline } from "./describe-writer.js";

// kubectl's ConfigMapDescriber: each key of Data with its value under a `----` rule, BinaryData as sizes, then the
// events. kubectl walks Go maps (in no fixed order); Tugboat sorts the keys.

export async function describeConfigMap(d: DescribeCtx<V1ConfigMap>): Promise<string> {
  const cm = d.obj;
  const m = cm.metadata ?? {};
  const events = await d.events([{ name: m.name ?? "", namespace: m.namespace, kind: "ConfigMap", uid: m.uid }]);
  const w = new DescribeWriter();
  w.line(0, `Name:\t${m.name ?? ""}`);
  w.line(0, `Namespace:\t${m.namespace ?? ""}`);
  labelsMultiline(w, "Labels", m.labels);
  annotationsMultiline(w, "Annotations", m.annotations);
  w.write(0, "\nData\n====\n");
  const data = cm.data ?? {};
  for (const k of Object.keys(data).sort()) w.write(0, `${k}:\n----\n${data[k]}\n\n`);
  w.write(0, "\nBinaryData\n====\n");
  const binary = cm.binaryData ?? {};
  for (const k of Object.keys(binary).sort()) w.write(0, `${k}: ${Buffer.from(binary[k] ?? "", "base64").length} bytes\n`);
  w.write(0, "\n");
  writeEvents(w, events, d.now);
  return w.text();
}
