// Lint holds the shape: the import graph between layers (eslint-plugin-boundaries), no SDK outside its gateway,
// no floating promises in src/ (type-aware), and no `any` where a folder is already free of it.
import boundaries from "eslint-plugin-boundaries";
import tseslint from "typescript-eslint";

// Every file of src/ (and test/, scripts/) is one element; the dependency policies below name who may import whom.
// The first pattern that matches a file wins, so the specific ones come first.
const elements = [
  // The development sandbox, its own workspace package (before "src", which would match its src/ too).
  { type: "sandbox", pattern: "packages/sandbox/src", partialMatch: false },
  { type: "commands", pattern: "src/commands/*", capture: ["family"] },
  { type: "command-registry", pattern: "src/commands" },
  { type: "chat", pattern: "src/chat/*", capture: ["adapter"] },
  { type: "core", pattern: "src/core" },
  { type: "domain", pattern: "src/domain" },
  { type: "gateway", pattern: "src/gateways/*", capture: ["gateway"] },
  { type: "gateway-port", pattern: "src/gateways" },
  { type: "config", pattern: "src/config" },
  { type: "infra", pattern: "src/infra" },
  { type: "startup", pattern: "src/startup" },
  // GitHub webhook deliveries: the endpoint, payload validation and the typed handlers' dispatch.
  { type: "webhooks", pattern: "src/webhooks" },
  // What is left directly in src/: main.ts and app.ts, which build everything.
  { type: "composition-root", pattern: "src" },
  { type: "tests", pattern: "test" },
  { type: "scripts", pattern: "scripts" },
];

const to = (...types) => ({ to: { element: { types: { anyOf: types } } } });
const allowFrom = (type, ...targets) => ({ from: { element: { type } }, allow: { to: { element: { types: { anyOf: targets } } } } });
const sameCapture = (type, key) => ({
  from: { element: { type } },
  allow: { to: { element: { type, captured: { [key]: `{{ from.element.captured.${key} }}` } } } },
});

// Local imports: anything not allowed here is refused (default: disallow).
const layerPolicies = [
  // Packages and node: builtins are open to all but the SDKs (sdkPolicies, which come later and so win).
  { allow: { to: { module: { origin: ["external", "core"] } } } },
  // main.ts and app.ts build everything; any other file directly under src/ (or in a folder not listed above) is
  // a composition-root element by position only, and may import nothing of Tugboat's until it is placed.
  { from: { element: { type: "composition-root", fileInternalPath: ["main.ts", "app.ts"] } }, allow: to("*") },
  { from: { element: { types: { anyOf: ["tests", "scripts"] } } }, allow: to("*") },
  allowFrom("command-registry", "commands", "core"),
  // A command family imports its own files, never another family's: shared code lives in domain/ or core/.
  sameCapture("commands", "family"),
  allowFrom("commands", "core", "domain", "gateway-port", "config"),
  // Chat adapters hand text to the router; they never reach into commands.
  sameCapture("chat", "adapter"),
  allowFrom("chat", "core", "domain", "gateway-port", "config"),
  allowFrom("core", "core", "gateway-port", "config"),
  allowFrom("domain", "domain", "core", "gateway-port", "config"),
  allowFrom("gateway-port", "gateway-port", "core"),
  sameCapture("gateway", "gateway"),
  allowFrom("gateway", "gateway-port", "core", "config"),
  allowFrom("config", "config", "domain"),
  allowFrom("infra", "infra", "core", "startup"),
  allowFrom("startup", "startup", "core", "config", "gateway-port"),
  // Webhooks are an input like chat: verified through the gateway port, handled through domain use cases.
  allowFrom("webhooks", "webhooks", "core", "domain", "gateway-port", "config"),
  // The sandbox stands alone (its own package): it imports nothing of Tugboat's.
  allowFrom("sandbox", "sandbox"),
];

// SDKs: only the element that wraps one may import it (tests and scripts may use them to drive the real thing).
const sdkOnlyIn = (source, message, ...owners) => ({
  from: { element: { types: { noneOf: [...owners.map((o) => o.type), "tests", "scripts"] } } },
  disallow: { to: { module: { origin: "external", source } } },
  message,
});
const notOwner = (source, message, owner, key, value) => ({
  from: { element: { type: owner, captured: { [key]: `!${value}` } } },
  disallow: { to: { module: { origin: "external", source } } },
  message,
});
const sdkPolicies = [
  // The sandbox plays the API server with its own dependencies only (packages/sandbox/package.json): no SDK either.
  sdkOnlyIn(["@kubernetes/*", "@kubernetes/**"], "Only src/gateways/kubernetes may import client-node.", { type: "gateway" }),
  notOwner(["@kubernetes/*", "@kubernetes/**"], "Only src/gateways/kubernetes may import client-node.", "gateway", "gateway", "kubernetes"),
  sdkOnlyIn(["@octokit/*", "@octokit/**"], "Only src/gateways/github may import Octokit.", { type: "gateway" }),
  notOwner(["@octokit/*", "@octokit/**"], "Only src/gateways/github may import Octokit.", "gateway", "gateway", "github"),
  sdkOnlyIn(["@slack/*", "@slack/**"], "Only src/chat/slack may import the Slack SDK.", { type: "chat" }),
  notOwner(["@slack/*", "@slack/**"], "Only src/chat/slack may import the Slack SDK.", "chat", "adapter", "slack"),
  // The development sandbox is not in the build: tests and scripts import it; main.ts loads it lazily through
  // src/startup/embedded-sandbox.ts, by a name TypeScript does not resolve.
  // (The package resolves to its sources, so an import of it is local to the linter: the sandbox element.)
  {
    from: { element: { types: { noneOf: ["sandbox", "tests", "scripts"] } } },
    disallow: to("sandbox"),
    message: "Only tests and scripts import @tugboat/sandbox; main.ts loads it through src/startup/embedded-sandbox.ts, so the build does not contain it.",
  },
  // The typed views of Kubernetes objects: client-node's own models, as types only (nothing of it loads at run time),
  // in the one module of the port that domain/ and commands/ import them from.
  {
    from: { file: { path: "src/gateways/kube-models.ts" } },
    allow: { dependency: { kind: "type" }, to: { module: { origin: "external", source: "@kubernetes/client-node" } } },
  },
  {
    from: { file: { path: "!src/infra/metrics.ts" }, element: { types: { noneOf: ["tests", "scripts"] } } },
    disallow: { to: { module: { origin: "external", source: "prom-client" } } },
    message: "Only src/infra/metrics.ts may import prom-client; the rest reports through the Metrics interface (src/core/metrics.ts).",
  },
];

// Dynamic import() and require() are how a module could load past the import rules: these layers may not use them.
const dynamicLoading = [
  { selector: "ImportExpression", message: "Commands, domain and core use static imports only, so the layering rule can check them." },
  { selector: "CallExpression[callee.name='require']", message: "Commands, domain and core use static imports only, so the layering rule can check them." },
  { selector: "CallExpression[callee.property.name='getBuiltinModule']", message: "Commands, domain and core use static imports only, so the layering rule can check them." },
];
// Time and waiting go through the port and the injected clock (docs/architecture.md, "Waiting, retrying and time").
const clockAndInformers = [
  { selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']", message: "Read the time from services.clock (the injected Clock), so tests can move it." },
  { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: "Read the time from services.clock (the injected Clock), so tests can move it." },
  { selector: "MemberExpression[object.name='performance'][property.name='now']", message: "Read the time from services.clock (the injected Clock), so tests can move it." },
  { selector: "CallExpression[callee.name=/^(setTimeout|setInterval)$/]", message: "Wait with clock.sleep (the injected Clock), so tests do not sleep." },
  { selector: "CallExpression[callee.property.name='watch']", message: "Wait for cluster state with cluster.informer(…).waitFor: it re-lists, backs off and says why it gave up." },
];
const staticImportsOnly = {
  patterns: [{ group: ["**/node_modules/**"], message: "Import packages by name, so the layering rule can see them." }],
  // createRequire would load any SDK past the rules.
  paths: ["node:module", "module"].map((name) => ({ name, importNames: ["createRequire"], message: "Commands, domain and core load modules with static imports only." })),
};

export default tseslint.config(
  { ignores: ["node_modules/**", "dist/**", ".sandbox/**"] },
  {
    files: ["**/*.ts"],
    languageOptions: { parser: tseslint.parser },
    plugins: { "@typescript-eslint": tseslint.plugin, boundaries },
    settings: {
      "boundaries/elements": elements,
      "boundaries/include": ["src/**/*.ts", "test/**/*.ts", "scripts/**/*.ts", "packages/*/src/**/*.ts"],
      "boundaries/dependency-nodes": ["import", "export", "dynamic-import"],
      "boundaries/legacy-templates": false,
      "import/resolver": { typescript: { project: "tsconfig.json" } },
    },
    rules: {
      "no-debugger": "error",
      "no-var": "error",
      "prefer-const": "error",
      "boundaries/dependencies": ["error", { default: "disallow", checkAllOrigins: true, policies: [...layerPolicies, ...sdkPolicies] }],
    },
  },
  {
    // Type-aware rules for the product code: a promise nobody awaits loses its error (an unhandled rejection ends
    // the process) and its ordering. Fire-and-forget is written `void work()` with its errors handled inside.
    files: ["src/**/*.ts"],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: { "@typescript-eslint/no-floating-promises": "error" },
  },
  {
    // `any` turns the type checker off: none in src/. What the Kubernetes port does not type is `unknown` (KObject's
    // other fields), and the gateways take the JSON they receive as a named shape once, where they receive it. The
    // sandbox (packages/sandbox) is a package of its own and left out.
    files: ["src/**/*.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "error" },
  },
  {
    files: ["src/commands/**/*.ts", "src/domain/**/*.ts", "src/core/**/*.ts", "src/webhooks/**/*.ts"],
    rules: { "no-restricted-imports": ["error", staticImportsOnly], "no-restricted-syntax": ["error", ...dynamicLoading] },
  },
  {
    files: ["src/commands/**/*.ts", "src/domain/**/*.ts", "src/webhooks/**/*.ts"],
    // The render worker's budget is real CPU time: a worker is ended after that many wall-clock ms, whatever a test's clock says.
    ignores: ["src/domain/render/**"],
    rules: { "no-restricted-syntax": ["error", ...dynamicLoading, ...clockAndInformers] },
  },
);
