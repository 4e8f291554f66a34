/** Seed loader: multi-document YAML files → objects with creation times in the past. */
import { readdirSync, readFileSync, existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { makeNode } from "./controllers/node-factory.js";
import { fnv32, isoNow } from "./util.js";

const DAY = 86_400_000;

const AGE_BY_KIND: Record<string, number> = {
  Namespace: 40 * DAY,
  Node: 12 * DAY,
  Machine: 12 * DAY,
  MachineDeployment: 30 * DAY,
  Secret: 20 * DAY,
  ConfigMap: 20 * DAY,
  Service: 25 * DAY,
  Deployment: 3 * DAY,
};

export function loadSeedDir(dir: string): any[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new Error(`kube sandbox seed dir not found: ${dir}`);
  const out: any[] = [];
  for (const f of readdirSync(dir).filter((x) => x.endsWith(".yaml") || x.endsWith(".yml")).sort()) {
    const docs = parseAllDocuments(readFileSync(join(dir, f), "utf8"));
    for (const d of docs) {
      if (d.errors.length) throw new Error(`${f}: ${d.errors[0].message}`);
      const v = d.toJS();
      if (!v) continue;
      if (v.kind === "List" && Array.isArray(v.items)) out.push(...v.items);
      else out.push(v);
    }
  }
  return out;
}

/** fill in seed-only conveniences: past creation timestamps, full Node status */
export function prepareSeed(objs: any[], now = Date.now()): any[] {
  return objs.map((o0) => {
    const o = JSON.parse(JSON.stringify(o0));
    o.metadata = o.metadata ?? {};
    if (!o.metadata.creationTimestamp) {
      const base = AGE_BY_KIND[o.kind] ?? 5 * DAY;
      const jitter = (fnv32(`${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`) % 600) * 60_000;
      o.metadata.creationTimestamp = isoNow(now - base - jitter);
    }
    if (o.kind === "Node" && !o.status) {
      const labels = o.metadata.labels ?? {};
      const ip = /^ip-(\d+)-(\d+)-(\d+)-(\d+)/.exec(o.metadata.name)?.slice(1).join(".") ?? `10.0.${fnv32(o.metadata.name) % 250}.${(fnv32(o.metadata.name + "x") % 250) + 2}`;
      const n = makeNode(o.metadata.name, {
        labels,
        annotations: o.metadata.annotations,
        providerID: o.spec?.providerID,
        ip,
        ready: o.metadata.annotations?.["sandbox.tugboat.dev/not-ready"] !== "true",
        at: o.metadata.creationTimestamp,
        instanceType: labels["node.kubernetes.io/instance-type"],
        version: o.metadata.annotations?.["sandbox.tugboat.dev/kubelet-version"],
      });
      n.metadata.creationTimestamp = o.metadata.creationTimestamp;
      n.spec = { ...n.spec, ...(o.spec ?? {}) };
      return n;
    }
    return o;
  });
}
