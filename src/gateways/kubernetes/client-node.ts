import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import type * as ClientNode from "@kubernetes/client-node";
// First: config.js imports node-fetch, which must find whatwg-url's stand-in in place (node-fetch.ts).
import "./node-fetch.js";

// The part of @kubernetes/client-node Tugboat uses (KubeConfig: auth, TLS and proxies), without the generated API
// clients. client-node's config module imports its whole generated API (`./gen/index.js`: every model and API class,
// 20-40 MB of memory once loaded) only for KubeConfig.makeApiClient, which Tugboat never calls (its requests are
// generic, see kube-cluster-client.ts). So config.js is loaded from its own text with that one import pointed at a
// stand-in that loads the real module on first use (synchronously, through require): anything that does call
// makeApiClient in this process (tests using the typed clients) still gets the real classes. The same is done for
// what only some kubeconfigs need: the OIDC, Azure and GCP auth providers (openid-client, jose, jsonpath-plus) load
// when a user of theirs first authenticates, the proxy agents (socks, hpagent) when a cluster with a proxy-url first
// connects. The module's other imports are pointed at the files they resolve to from config.js's own folder.
// Why not a module resolve hook (module.register)? On Node 20 hooks run on a thread of their own, for the whole life
// of the process: about 12 MB of RSS (docs/benchmarks.md, Memory).

const own = createRequire(import.meta.url);
const CONFIG = own.resolve("@kubernetes/client-node/dist/config.js");
const GEN = "./gen/index.js";

const standIn = (genUrl: string): string => `
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
const REAL = ${JSON.stringify(genUrl)};
let real;
const load = () => (real ??= createRequire(REAL)(fileURLToPath(REAL)));
export function ServerConfiguration(...args) { return new (load().ServerConfiguration)(...args); }
export function createConfiguration(...args) { return load().createConfiguration(...args); }
`;

/**
 * An auth provider that loads on first use. isAuthProvider is client-node's own test (the provider's name in the
 * kubeconfig user's auth-provider), so choosing a provider loads nothing; each stand-in keeps its one real instance,
 * with the token state the provider keeps.
 */
const lazyAuthProvider = (realUrl: string, className: string, providerName: string): string => `
let real;
export class ${className} {
  isAuthProvider(user) { return !!user && !!user.authProvider && user.authProvider.name === ${JSON.stringify(providerName)}; }
  async applyAuthentication(...args) {
    real ??= import(${JSON.stringify(realUrl)}).then((m) => new m.${className}());
    return (await real).applyAuthentication(...args);
  }
}
`;

/** Agent classes (CommonJS packages) constructed through the real ones, loaded synchronously on first construction. */
const lazyAgents = (realPath: string, classNames: string[]): string => `
import { createRequire } from "node:module";
let real;
const load = () => (real ??= createRequire(${JSON.stringify(pathToFileURL(realPath).href)})(${JSON.stringify(realPath)}));
${classNames.map((c) => `export class ${c} { constructor(...args) { return new (load().${c})(...args); } }`).join("\n")}
`;

const AUTH_PROVIDERS: Record<string, [className: string, providerName: string]> = {
  "./oidc_auth.js": ["OpenIDConnectAuth", "oidc"],
  "./azure_auth.js": ["AzureAuth", "azure"],
  "./gcp_auth.js": ["GoogleCloudPlatformAuth", "gcp"],
};
const AGENTS: Record<string, string[]> = {
  "socks-proxy-agent": ["SocksProxyAgent"],
  hpagent: ["HttpProxyAgent", "HttpsProxyAgent"],
};

const dataUrl = (source: string): string => `data:text/javascript,${encodeURIComponent(source)}`;

/** config.js's text with each import's specifier made absolute (a data: module resolves nothing relative or bare). */
function configSource(): string {
  const fromConfig = createRequire(CONFIG);
  const text = readFileSync(CONFIG, "utf8");
  let stoodIn = false;
  const rewritten = text.replace(/^(import\s[^;]*?\sfrom\s+)(['"])([^'"]+)\2;/gm, (_all, head: string, _q: string, spec: string) => {
    if (spec.startsWith("node:")) return `${head}"${spec}";`;
    if (spec === GEN) {
      stoodIn = true;
      return `${head}"${dataUrl(standIn(pathToFileURL(fromConfig.resolve(GEN)).href))}";`;
    }
    const provider = AUTH_PROVIDERS[spec];
    if (provider) return `${head}"${dataUrl(lazyAuthProvider(pathToFileURL(fromConfig.resolve(spec)).href, ...provider))}";`;
    const agents = AGENTS[spec];
    if (agents) return `${head}"${dataUrl(lazyAgents(fromConfig.resolve(spec), agents))}";`;
    return `${head}"${pathToFileURL(fromConfig.resolve(spec)).href}";`;
  });
  // Its source map comment is relative to the file; from a data: module it must be absolute (Node reads it when
  // source maps are on, as under tsx).
  const mapped = rewritten.replace(/^\/\/# sourceMappingURL=(\S+)\s*$/m, (_all, map: string) => `//# sourceMappingURL=${new URL(map, pathToFileURL(CONFIG)).href}`);
  // A client-node release that no longer imports it this way would load the generated clients again: say so loudly.
  if (!stoodIn) throw new Error(`@kubernetes/client-node: ${CONFIG} no longer imports ${GEN} as expected; update src/gateways/kubernetes/client-node.ts`);
  return mapped;
}

const config = (await import(dataUrl(configSource()))) as typeof ClientNode;

export const KubeConfig = config.KubeConfig;
export type KubeConfig = ClientNode.KubeConfig;
