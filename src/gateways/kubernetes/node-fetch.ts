import { createRequire, Module } from "node:module";
import { dirname, join } from "node:path";
import type * as NodeFetch from "node-fetch";

// node-fetch 2, the HTTP client of client-node's KubeConfig and of this gateway, requires whatwg-url when it loads for
// a URL class it only uses where Node has none (it takes node:url's URL first), and whatwg-url loads tr46's
// 8,000-entry Unicode table: about 1.6 MB of heap for the life of the bot (docs/benchmarks.md, Memory). So before
// node-fetch loads, whatwg-url goes into require's cache as a stand-in whose exports load the real files when first
// read (as whatwg-url's own lib/public-api.js maps them). Everything here that uses node-fetch imports it from this
// module, and client-node.ts imports this module before it loads client-node's config (which imports node-fetch).

const own = createRequire(import.meta.url);
const fromFetch = createRequire(own.resolve("node-fetch"));
const WHATWG_URL = fromFetch.resolve("whatwg-url");

/** whatwg-url 5's exports: URL from ./URL.js (its interface), the rest from ./url-state-machine.js. */
export const WHATWG_URL_EXPORTS = ["URL", "serializeURL", "serializeURLOrigin", "basicURLParse", "setTheUsername", "setThePassword", "serializeHost", "serializeInteger", "parseURL"] as const;

function standInForWhatwgUrl(): void {
  if (fromFetch.cache[WHATWG_URL]) return; // already loaded (for real) in this process
  const load = createRequire(WHATWG_URL);
  const lib = dirname(WHATWG_URL);
  const exports: Record<string, unknown> = {};
  for (const name of WHATWG_URL_EXPORTS) {
    Object.defineProperty(exports, name, {
      enumerable: true,
      get: () => (name === "URL" ? (load(join(lib, "URL.js")) as { interface: unknown }).interface : (load(join(lib, "url-state-machine.js")) as Record<string, unknown>)[name]),
    });
  }
  const module = new Module(WHATWG_URL);
  module.filename = WHATWG_URL;
  module.loaded = true;
  module.exports = exports;
  fromFetch.cache[WHATWG_URL] = module;
}

standInForWhatwgUrl();
const nodeFetch = own("node-fetch") as typeof NodeFetch;

export const fetch = nodeFetch.default;
export const Headers = nodeFetch.Headers;
export type Headers = NodeFetch.Headers;
