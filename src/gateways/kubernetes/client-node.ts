import { register } from "node:module";
import type * as ClientNode from "@kubernetes/client-node";

// The part of @kubernetes/client-node Tugboat uses (KubeConfig: auth, TLS and proxies), without the
// generated API clients. client-node's config module imports its whole generated API (`./gen/index.js`: every
// model and API class, about 50 MB of memory once loaded) only for KubeConfig.makeApiClient, which Tugboat never
// calls (its requests are generic, see kube-cluster-client.ts). A module resolve hook hands config.js a stand-in
// for that import which loads the real one on first use (synchronously, through require), so anything that does
// call makeApiClient in this process (tests using the typed clients) still gets the real classes.

const standIn = (realUrl: string) => `
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
const REAL = ${JSON.stringify(realUrl)};
let real;
const load = () => (real ??= createRequire(REAL)(fileURLToPath(REAL)));
export function ServerConfiguration(...args) { return new (load().ServerConfiguration)(...args); }
export function createConfiguration(...args) { return load().createConfiguration(...args); }
`;

const hook = `
const standIn = ${standIn.toString()};
export async function resolve(specifier, context, next) {
  if (specifier === "./gen/index.js" && context.parentURL && context.parentURL.endsWith("/@kubernetes/client-node/dist/config.js")) {
    const real = new URL(specifier, context.parentURL).href;
    return { url: "data:text/javascript," + encodeURIComponent(standIn(real)), shortCircuit: true };
  }
  return next(specifier, context);
}
`;

register(`data:text/javascript,${encodeURIComponent(hook)}`);

// Imported only after the hook is in place (static imports would be resolved before it).
const config: typeof ClientNode = await import("@kubernetes/client-node/dist/config.js" as string);

export const KubeConfig = config.KubeConfig;
export type KubeConfig = ClientNode.KubeConfig;
