import { expect } from "chai";
import { ESLint } from "eslint";

// The import rules must bite: each fixture breaks one rule of eslint.config.js and fails lint, and so `npm test`.
describe("layering lint rules", function () {
  this.timeout(60_000);
  // The import rules need no types: fixtures (which are not on disk) are linted without the type-aware rules.
  const eslint = new ESLint({
    cwd: process.cwd(),
    overrideConfig: { files: ["src/**/*.ts"], languageOptions: { parserOptions: { projectService: false } }, rules: { "@typescript-eslint/no-floating-promises": "off" } },
  });
  const cases: Array<[string, string, string]> = [
    // SDKs only in their gateway (or adapter).
    ["client-node outside its gateway", "src/commands/kube/evil.ts", 'import { KubeConfig } from "@kubernetes/client-node";\nexport const k = KubeConfig;\n'],
    ["client-node in the other gateway", "src/gateways/github/evil.ts", 'import { KubeConfig } from "@kubernetes/client-node";\nexport const k = KubeConfig;\n'],
    ["Octokit outside its gateway", "src/commands/deploy/evil.ts", 'import { Octokit } from "@octokit/rest";\nexport const o = Octokit;\n'],
    ["Octokit in the Kubernetes gateway", "src/gateways/kubernetes/evil.ts", 'import type { Octokit } from "@octokit/rest";\nexport type O = Octokit;\n'],
    ["Bolt in domain", "src/domain/evil.ts", 'import { App } from "@slack/bolt";\nexport const a = App;\n'],
    ["Bolt in the terminal adapter", "src/chat/terminal/evil.ts", 'import { App } from "@slack/bolt";\nexport const a = App;\n'],
    ["prom-client outside infra/metrics.ts", "src/core/evil.ts", 'import { Registry } from "prom-client";\nexport const r = Registry;\n'],
    // Layers.
    ["a command importing a gateway implementation", "src/commands/nodes/evil.ts", 'import { createKubeGateway } from "../../gateways/kubernetes/create-kube-gateway.js";\nexport const g = createKubeGateway;\n'],
    ["core importing the sandbox", "src/core/evil.ts", 'import { startSandbox } from "@tugboat/sandbox";\nexport const s = startSandbox;\n'],
    ["a command importing the sandbox by path", "src/commands/kube/evil.ts", 'import { startKubeSandbox } from "../../../packages/sandbox/src/kube/index.js";\nexport const s = startKubeSandbox;\n'],
    // main.ts loads it through startup/embedded-sandbox.ts by a name TypeScript does not resolve; a static import would build it in.
    ["main.ts importing the sandbox statically", "src/main.ts", 'import { startSandbox } from "@tugboat/sandbox";\nexport const s = startSandbox;\n'],
    ["domain importing a gateway implementation", "src/domain/evil.ts", 'import { createKubeGateway } from "../gateways/kubernetes/create-kube-gateway.js";\nexport const g = createKubeGateway;\n'],
    ["Octokit in domain", "src/domain/deploy/evil.ts", 'import { Octokit } from "@octokit/rest";\nexport const o = Octokit;\n'],
    ["startup importing the sandbox statically", "src/startup/evil.ts", 'import { startSandbox } from "@tugboat/sandbox";\nexport const s = startSandbox;\n'],
    ["webhooks importing commands", "src/webhooks/evil.ts", 'import { buildFamilies } from "../commands/index.js";\nexport const b = buildFamilies;\n'],
    ["core importing domain", "src/core/evil.ts", 'import { LeaseLock } from "../domain/lease-lock.js";\nexport const l = LeaseLock;\n'],
    ["domain importing a chat adapter", "src/domain/evil.ts", 'import { startSlack } from "../chat/slack/slack-adapter.js";\nexport const s = startSlack;\n'],
    ["domain importing a command", "src/domain/deploy/evil.ts", 'import { deployFromChat } from "../../commands/deploy/deploy-from-chat.js";\nexport const d = deployFromChat;\n'],
    ["one command family importing another", "src/commands/canary/evil.ts", 'import { deployFromChat } from "../deploy/deploy-from-chat.js";\nexport const d = deployFromChat;\n'],
    ["a type-only import across families", "src/commands/kube/evil.ts", 'import type { DeployArgs } from "../deploy/parse-deploy-args.js";\nexport type D = DeployArgs;\n'],
    ["chat importing commands", "src/chat/slack/evil.ts", 'import { buildFamilies } from "../../commands/index.js";\nexport const b = buildFamilies;\n'],
    ["one chat adapter importing another", "src/chat/terminal/evil.ts", 'import { startSlack } from "../slack/slack-adapter.js";\nexport const s = startSlack;\n'],
    ["a gateway importing the other", "src/gateways/github/evil.ts", 'import { createKubeGateway } from "../kubernetes/create-kube-gateway.js";\nexport const g = createKubeGateway;\n'],
    ["the sandbox importing Tugboat", "packages/sandbox/src/evil.ts", 'import { UserError } from "../../../src/core/errors.js";\nexport const e = UserError;\n'],
    ["the sandbox importing client-node", "packages/sandbox/src/kube/evil.ts", 'import { KubeConfig } from "@kubernetes/client-node";\nexport const k = KubeConfig;\n'],
    ["the sandbox importing test code", "packages/sandbox/src/kube/evil.ts", 'import { startHarness } from "../../../../test/helpers/harness.js";\nexport const h = startHarness;\n'],
    ["src importing test code", "src/domain/evil.ts", 'import { startHarness } from "../../test/helpers/harness.js";\nexport const h = startHarness;\n'],
    // The typed models module names client-node as types only; a value import there (or the SDK's types elsewhere) fails.
    ["client-node values in the typed models module", "src/gateways/kube-models.ts", 'import { KubeConfig } from "@kubernetes/client-node";\nexport const k = KubeConfig;\n'],
    ["client-node types in the gateway interfaces", "src/gateways/types.ts", 'import type * as k8s from "@kubernetes/client-node";\nexport type D = k8s.V1Deployment;\n'],
    ["client-node types in domain", "src/domain/evil.ts", 'import type { V1Deployment } from "@kubernetes/client-node";\nexport type D = V1Deployment;\n'],
    ["a re-export across families", "src/commands/nodes/evil.ts", 'export { deployFromChat } from "../deploy/deploy-from-chat.js";\n'],
  ];
  for (const [rule, filePath, code] of cases) {
    it(`fails ${rule} (${filePath})`, async () => {
      const [result] = await eslint.lintText(code, { filePath });
      expect(result!.errorCount, JSON.stringify(result!.messages)).to.be.greaterThan(0);
      expect(result!.messages.map((m) => m.ruleId)).to.include("boundaries/dependencies");
    });
  }
  it("fails a file in a new folder of src/ that imports Tugboat code before the folder has a place in the rules", async () => {
    const [result] = await eslint.lintText('import { UserError } from "../core/errors.js";\nexport const e = UserError;\n', { filePath: "src/helpers/misc.ts" });
    expect(result!.messages.map((m) => m.ruleId)).to.include("boundaries/dependencies");
  });
  // The ways around a static import: each must fail lint too.
  const sneaky: Array<[string, string]> = [
    ["src/commands/kube/dynamic.ts", 'export const k = await import("@kubernetes/client-node");\n'],
    ["src/domain/computed.ts", 'const name = "@octokit/" + "rest";\nexport const o = await import(name);\n'],
    ["src/commands/deploy/required.ts", 'import { createRequire } from "node:module";\nexport const o = createRequire(import.meta.url)("@octokit/rest");\n'],
    ["src/core/builtin.ts", 'export const m = process.getBuiltinModule("node:module");\n'],
    ["src/commands/nodes/by-path.ts", 'import { KubeConfig } from "../../../node_modules/@kubernetes/client-node/dist/index.js";\nexport const k = KubeConfig;\n'],
  ];
  for (const [filePath, code] of sneaky) {
    it(`fails ${filePath}`, async () => {
      const [result] = await eslint.lintText(code, { filePath });
      expect(result!.errorCount, JSON.stringify(result!.messages)).to.be.greaterThan(0);
    });
  }
  it("still lets the composition root load Bolt lazily", async () => {
    const [result] = await eslint.lintText('export const slack = await import("./chat/slack/slack-adapter.js");\n', { filePath: "src/main.ts" });
    expect(result!.errorCount).to.equal(0);
  });
  // The allowed paths, so the rules cannot pass by refusing everything.
  const allowed: Array<[string, string]> = [
    ["src/gateways/kube-models.ts", 'import type * as k8s from "@kubernetes/client-node";\nexport type D = k8s.V1Deployment;\n'],
    ["src/domain/typed.ts", 'import type { V1Deployment } from "../gateways/kube-models.js";\nexport type D = V1Deployment;\n'],
    ["src/commands/kube/typed.ts", 'import type { V1Pod } from "../../gateways/kube-models.js";\nexport type P = V1Pod;\n'],
    ["src/commands/kube/fine.ts", 'import type { KubeCluster } from "../../gateways/types.js";\nimport { parse } from "yaml";\nimport { UserError } from "../../core/errors.js";\nimport { formatCount } from "../../domain/format/count.js";\nimport { parseKubeArgs } from "./parse-kube-args.js";\nexport const x = [parse, UserError, formatCount, parseKubeArgs];\nexport type K = KubeCluster;\n'],
    ["src/gateways/kubernetes/fine.ts", 'import { KubeConfig } from "@kubernetes/client-node";\nimport type { KubeCluster } from "../types.js";\nexport const k = KubeConfig;\nexport type K = KubeCluster;\n'],
    ["src/chat/slack/fine.ts", 'import { App } from "@slack/bolt";\nimport { Router } from "../../core/router.js";\nexport const x = [App, Router];\n'],
    ["src/infra/metrics.ts", 'import { Registry } from "prom-client";\nexport const r = Registry;\n'],
    ["src/commands/index.ts", 'import { kubeFamily } from "./kube/index.js";\nexport const k = kubeFamily;\n'],
    ["packages/sandbox/src/kube/fine.ts", 'import { parse } from "yaml";\nimport { Store } from "./store.js";\nimport { writeKubeconfig } from "../kubeconfig.js";\nexport const x = [parse, Store, writeKubeconfig];\n'],
    ["test/startup/fine.ts", 'import { startSandbox } from "@tugboat/sandbox";\nimport { ZERO_DELAYS } from "@tugboat/sandbox/kube";\nexport const x = [startSandbox, ZERO_DELAYS];\n'],
  ];
  for (const [filePath, code] of allowed) {
    it(`allows ${filePath} its own imports`, async () => {
      const [result] = await eslint.lintText(code, { filePath });
      expect(result!.errorCount, JSON.stringify(result!.messages)).to.equal(0);
    });
  }

  it("fails an `any` anywhere in src/ (the gateways and domain included), not in the sandbox package", async () => {
    for (const filePath of ["src/commands/deploy/loose.ts", "src/domain/loose.ts", "src/gateways/kubernetes/loose.ts", "src/gateways/types-loose.ts"]) {
      const [result] = await eslint.lintText("export function f(x: any): number {\n  return x;\n}\n", { filePath });
      expect(result!.messages.map((m) => m.ruleId), filePath).to.include("@typescript-eslint/no-explicit-any");
    }
    const [sandbox] = await eslint.lintText("export function f(x: any): number {\n  return x;\n}\n", { filePath: "packages/sandbox/src/loose.ts" });
    expect(sandbox!.messages.map((m) => m.ruleId)).to.not.include("@typescript-eslint/no-explicit-any");
  });
  // Type-aware: a fixture that is not on disk is linted in the project service's default project.
  it("fails a floating promise in src/, and passes once it is awaited or voided on purpose", async () => {
    const typed = new ESLint({
      cwd: process.cwd(),
      overrideConfig: { files: ["src/**/*.ts"], languageOptions: { parserOptions: { projectService: { allowDefaultProject: ["src/core/*.ts"] } } } },
    });
    const work = "async function work(): Promise<void> {}\n";
    const [floating] = await typed.lintText(`${work}work();\n`, { filePath: "src/core/floating-fixture.ts" });
    expect(floating!.messages.map((m) => m.ruleId), JSON.stringify(floating!.messages)).to.include("@typescript-eslint/no-floating-promises");
    const [handled] = await typed.lintText(`${work}export async function run(): Promise<void> {\n  await work();\n  void work().catch(() => undefined);\n}\n`, { filePath: "src/core/floating-fixture.ts" });
    expect(handled!.errorCount, JSON.stringify(handled!.messages)).to.equal(0);
  });
});
