import { expect } from "chai";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { spawn } from "node:child_process";
import { inFreshNode } from "../helpers/fresh-node.js";
import { imageRuntime } from "../helpers/image-runtime.js";

// What the bot's own thread loads at start is most of its idle memory (docs/benchmarks.md, Memory): every module's
// source stays in the heap. This walks the imports from src/main.ts (type-only imports and lazy import()s of
// packages, such as the sandbox's, left out) and checks that packages only some paths need are not among them.

const ROOT = resolve(import.meta.dirname, "../..");

/** What `file` imports; with `lazyOwn`, also Tugboat's own modules it loads with import() that `lazyOwn` accepts. */
function staticImports(file: string, lazyOwn: (spec: string) => boolean): string[] {
  const text = readFileSync(file, "utf8");
  const specs: string[] = [];
  for (const m of text.matchAll(/^\s*(?:import|export)\s+(?!type\b)(?:[^'";]*?\s+from\s+)?["']([^"']+)["']/gm)) specs.push(m[1]!);
  // Tugboat's own modules loaded lazily count too (main.ts imports the Slack adapter in Slack mode).
  for (const m of text.matchAll(/\bimport\(\s*["'](\.[^"']+)["']\s*\)/g)) if (lazyOwn(m[1]!)) specs.push(m[1]!);
  return specs;
}

/**
 * Bare package names reached from `entry` through static imports of Tugboat's own files (and the lazy import()s of
 * its own modules that `lazyOwn` accepts: all by default); `files` collects the own files reached.
 */
function packagesReached(entry: string, lazyOwn: (spec: string) => boolean = () => true, files = new Set<string>()): Map<string, string> {
  const seen = files;
  const packages = new Map<string, string>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const spec of staticImports(file, lazyOwn)) {
      if (spec.startsWith(".")) {
        const target = join(dirname(file), spec).replace(/\.js$/, ".ts");
        if (existsSync(target)) queue.push(target);
      } else if (!spec.startsWith("node:")) {
        const name = spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0]!;
        if (!packages.has(name)) packages.set(name, file.slice(ROOT.length + 1));
      }
    }
  }
  return packages;
}

describe("startup footprint: what the bot's thread loads", () => {
  const reached = packagesReached(join(ROOT, "src/main.ts"));

  it("reaches the packages it needs (the walk works)", () => {
    for (const name of ["@slack/bolt", "prom-client", "yaml", "zod"]) expect(reached.has(name), name).to.equal(true);
  });

  it("does not load Handlebars: templates render in the worker (src/domain/render/render-templates.ts)", () => {
    expect(reached.get("handlebars"), "imported (first) from this file").to.equal(undefined);
  });

  it("loads the GitHub webhook endpoint (payload schemas, dispatch, @octokit/webhooks) only when webhooks are on", () => {
    const webhookModules = (f: string) => f.includes("/src/webhooks/") || f.endsWith("/webhook-verifier.ts");
    const everything = new Set<string>();
    expect(packagesReached(join(ROOT, "src/main.ts"), () => true, everything).has("@octokit/webhooks"), "the walk sees main.ts's lazy import of them").to.equal(true);
    const withoutWebhooks = new Set<string>();
    const packages = packagesReached(join(ROOT, "src/main.ts"), (spec) => !/(^|\/)(webhooks\/|webhook-verifier\.js$)/.test(spec), withoutWebhooks);
    expect(packages.get("@octokit/webhooks"), "imported (first) from this file").to.equal(undefined);
    expect([...withoutWebhooks].filter(webhookModules).map((f) => f.slice(ROOT.length + 1))).to.deep.equal([]);
    expect([...everything].filter(webhookModules).length).to.be.greaterThan(3);
  });
});

const KUBECONFIG = `apiVersion: v1
clusters:
- {name: c, cluster: {server: "https://10.0.0.1"}}
- {name: socks, cluster: {server: "https://10.0.0.2", proxy-url: "socks5://127.0.0.1:1080"}}
- {name: https-proxy, cluster: {server: "https://10.0.0.3", proxy-url: "http://127.0.0.1:3128"}}
contexts:
- {name: token, context: {cluster: c, user: token}}
- {name: oidc, context: {cluster: c, user: oidc}}
- {name: azure, context: {cluster: c, user: azure}}
- {name: gcp, context: {cluster: c, user: gcp}}
- {name: socks, context: {cluster: socks, user: token}}
- {name: https-proxy, context: {cluster: https-proxy, user: token}}
current-context: token
users:
- {name: token, user: {token: t0k}}
- {name: oidc, user: {auth-provider: {name: oidc, config: {client-id: x, id-token: "eyJhbGciOiJub25lIn0.eyJleHAiOjQxMDI0NDQ4MDB9.c2ln"}}}}
- {name: azure, user: {auth-provider: {name: azure, config: {access-token: az-tok}}}}
- {name: gcp, user: {auth-provider: {name: gcp, config: {access-token: gcp-tok}}}}
`;

/**
 * Runs `body` in a fresh node (inFreshNode: every ES module file it resolves noted in LOG) that has imported
 * src/gateways/kubernetes/client-node.ts, with `kubeConfig(context)`; returns the last object it `report`s.
 */
async function child(body: string): Promise<unknown> {
  return inFreshNode(`
    import { createRequire } from "node:module";
    import { readFileSync } from "node:fs";
    const { KubeConfig } = await import("./src/gateways/kubernetes/client-node.ts");
    const kubeConfig = async (context) => { const kc = new KubeConfig(); kc.loadFromString(${JSON.stringify(KUBECONFIG)}); kc.setCurrentContext(context); return kc; };
    const report = (o) => console.log(JSON.stringify(o));
    ${body}
  `);
}

describe("startup footprint: client-node's KubeConfig", function () {
  this.timeout(30_000);

  it("loads without the generated API clients and without a module hook (a thread for the life of the process on Node 20)", async () => {
    const out = await child(`
      const cache = () => Object.keys(createRequire(import.meta.url).cache);
      const kc = await kubeConfig("token");
      const opts = await kc.applyToFetchOptions({});
      report({ server: kc.getCurrentCluster().server, auth: opts.headers.get("authorization"), gen: cache().filter((f) => f.includes("client-node/dist/gen/")).length });
    `);
    expect(out).to.deep.equal({ server: "https://10.0.0.1", auth: "Bearer t0k", gen: 0 });
    const sources = readdirSync(join(ROOT, "src"), { recursive: true, encoding: "utf8" }).filter((f) => /\.(ts|mjs)$/.test(f));
    const hooks = sources.filter((f) => /\bregister\s*\(/.test(readFileSync(join(ROOT, "src", f), "utf8")) && /from "node:module"/.test(readFileSync(join(ROOT, "src", f), "utf8")));
    expect(hooks).to.deep.equal([]);
  });

  it("loads the OIDC, Azure and GCP providers and the proxy agents only when a kubeconfig uses them, and they still work", async () => {
    const out = await child(`
      const loaded = () => {
        const files = [...Object.keys(createRequire(import.meta.url).cache), ...readFileSync(LOG, "utf8").split("\\n")];
        return ["openid-client", "jsonpath-plus", "socks-proxy-agent", "hpagent"].filter((p) => files.some((f) => f.includes("/node_modules/" + p + "/")));
      };
      const before = [];
      const used = {};
      for (const ctx of ["token", "oidc", "azure", "gcp", "socks", "https-proxy"]) {
        const kc = await kubeConfig(ctx);
        const opts = await kc.applyToFetchOptions({});
        if (ctx === "token") before.push(...loaded());
        used[ctx] = [opts.headers.get("authorization"), opts.agent.constructor.name];
      }
      report({ before, used, after: loaded() });
    `);
    expect(out).to.deep.equal({
      before: [],
      used: {
        token: ["Bearer t0k", "Agent"],
        oidc: ["Bearer eyJhbGciOiJub25lIn0.eyJleHAiOjQxMDI0NDQ4MDB9.c2ln", "Agent"],
        azure: ["Bearer az-tok", "Agent"],
        gcp: ["Bearer gcp-tok", "Agent"],
        socks: ["Bearer t0k", "SocksProxyAgent"],
        "https-proxy": ["Bearer t0k", "HttpsProxyAgent"],
      },
      after: ["openid-client", "jsonpath-plus", "socks-proxy-agent", "hpagent"],
    });
  });
});

describe("startup footprint: node-fetch without whatwg-url's tables", function () {
  this.timeout(30_000);

  it("loads whatwg-url (and tr46's Unicode table) only when something reads it, and node-fetch still fetches", async () => {
    const out = await child(`
      const { createServer } = await import("node:http");
      const { fetch } = await import("./src/gateways/kubernetes/node-fetch.ts");
      const { fetchInit } = await import("./src/gateways/kubernetes/fetch-init.ts");
      const loaded = () => Object.keys(createRequire(import.meta.url).cache).filter((f) => /\\/node_modules\\/(whatwg-url|tr46)\\//.test(f)).filter((f) => !f.endsWith("/whatwg-url/lib/public-api.js")) /* the stand-in */.map((f) => f.match(/node_modules\\/([^/]+)\\//)[1]).filter((p, i, all) => all.indexOf(p) === i).sort();
      const server = createServer((req, res) => res.end(req.method + " " + req.url + " " + req.headers.authorization));
      await new Promise((r) => server.listen(0, "127.0.0.1", r));
      const init = await fetchInit(await kubeConfig("token"));
      const { agent, ...plain } = init; // the kubeconfig's https agent; the test server is plain HTTP
      const res = await fetch("http://127.0.0.1:" + server.address().port + "/api/v1/pods?limit=1", { ...plain, method: "GET" });
      const body = await res.text();
      server.close();
      const before = loaded();
      const whatwg = createRequire(createRequire(import.meta.url).resolve("node-fetch"))("whatwg-url");
      const parsed = new whatwg.URL("http://ExAmple.com/a/../b").href;
      report({ body, before, parsed, serialized: whatwg.serializeURL(whatwg.parseURL("HTTP://x.org/ ")), after: loaded() });
    `);
    expect(out).to.deep.equal({
      body: "GET /api/v1/pods?limit=1 Bearer t0k",
      before: [],
      parsed: "http://example.com/b",
      serialized: "http://x.org/",
      after: ["tr46", "whatwg-url"],
    });
  });
});

describe("startup footprint: the image's node flags", function () {
  this.timeout(60_000);

  // undici (the fetch behind the Slack and GitHub clients) parses HTTP with WebAssembly; after about ten responses V8
  // re-compiles its parse function with TurboFan on a worker thread, 24 MB of malloc'd memory that glibc often
  // keeps (docs/benchmarks.md, "Where the memory went"). The image's ENTRYPOINT keeps it on Liftoff.
  const tenFetches = `
    import { createServer } from "node:http";
    const server = createServer((req, res) => { res.setHeader("content-type", "application/json"); res.end(JSON.stringify({ ok: true, n: [1, 2, 3] })); });
    await new Promise((r) => server.listen(0, "127.0.0.1", r));
    let ok = 0;
    for (let i = 0; i < 10; i++) ok += (await (await fetch("http://127.0.0.1:" + server.address().port + "/api/auth.test")).json()).ok ? 1 : 0;
    console.log("answers " + ok);
    setTimeout(() => process.exit(0), 60_000);
  `;
  /**
   * How many TurboFan compiles of WebAssembly V8 reports in a node with `nodeArgs` that makes ten fetches: it stops at
   * the first (a compile runs on a worker thread and can take seconds on a loaded machine), else 5 s after the tenth.
   */
  const turbofanCompiles = (nodeArgs: string[]) =>
    new Promise<number>((resolvePromise, reject) => {
      const child = spawn(process.execPath, [...nodeArgs, "--trace-wasm-compilation-times", "--input-type=module", "-e", tenFetches], { stdio: ["ignore", "pipe", "inherit"] });
      let out = "";
      let quiet: NodeJS.Timeout | undefined;
      const done = (n: number) => {
        clearTimeout(quiet);
        child.kill();
        resolvePromise(n);
      };
      child.stdout!.on("data", (d) => {
        out += String(d);
        if (/using TurboFan/.test(out)) done(1);
        else if (!quiet && out.includes("answers 10")) quiet = setTimeout(() => done(0), 5_000);
      });
      child.once("exit", (code) => (quiet || /using TurboFan/.test(out) ? undefined : reject(new Error(`node exited (${code}) before ten answers: ${out}`))));
    });

  it("keep undici's HTTP parser on Liftoff, where node's defaults compile it with TurboFan after ten responses", async () => {
    const image = imageRuntime();
    expect(image.script).to.equal("dist/main.js");
    expect(await turbofanCompiles([]), "with node's defaults").to.equal(1);
    expect(await turbofanCompiles(image.nodeArgs), `with the ENTRYPOINT's ${image.nodeArgs.join(" ")}`).to.equal(0);
  });
});

describe("startup footprint: the config schema", function () {
  this.timeout(30_000);

  // The schema's zod objects are only needed for the parse at start; kept at module level they stayed in the heap for
  // the life of the process (docs/benchmarks.md, "Where the memory went"). Counted with v8.queryObjects, after a GC.
  it("is not kept after the config is loaded: the zod schemas left alive are a small part of what one schema holds", async () => {
    const out = await inFreshNode(`
      import { z } from "zod";
      import { queryObjects } from "node:v8";
      const live = () => queryObjects(z.ZodObject, { format: "count" }) + queryObjects(z.ZodString, { format: "count" });
      const zodOwn = live();
      const { loadConfigFile } = await import("./src/config/load-config.ts");
      const config = loadConfigFile("config/sandbox/tugboat.yaml");
      const held = live() - zodOwn;
      const { buildConfigSchema } = await import("./src/config/schema.ts");
      const schema = buildConfigSchema();
      console.log(JSON.stringify({ held, oneSchema: live() - zodOwn - held, parsed: Object.keys(config.clusters).length > 0 && typeof schema.parse === "function" }));
    `);
    const { held, oneSchema, parsed } = out as { held: number; oneSchema: number; parsed: boolean };
    expect(parsed).to.equal(true);
    expect(oneSchema, "the walk counts the schema's objects").to.be.greaterThan(50);
    expect(held, `${held} zod object and string schemas alive after loading, one schema has ${oneSchema}`).to.be.lessThan(oneSchema / 3);
  });
});
