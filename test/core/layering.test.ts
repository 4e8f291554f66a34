import { expect } from "chai";
import { ESLint } from "eslint";

// The layering rule must bite: a command module that imports an SDK fails lint, and so `npm test`.
describe("layering lint rule", () => {
  const eslint = new ESLint({ cwd: process.cwd() });
  const cases: Array<[string, string]> = [
    ["src/commands/kube/evil.ts", 'import { KubeConfig } from "@kubernetes/client-node";\nexport const k = KubeConfig;\n'],
    ["src/commands/deploy/evil.ts", 'import { Octokit } from "@octokit/rest";\nexport const o = Octokit;\n'],
    ["src/domain/evil.ts", 'import { App } from "@slack/bolt";\nexport const a = App;\n'],
    ["src/commands/nodes/evil.ts", 'import { createKubeGateway } from "../../gateways/kubernetes/create-kube-gateway.js";\nexport const g = createKubeGateway;\n'],
    ["src/core/evil.ts", 'import { startSandbox } from "../sandbox/index.js";\nexport const s = startSandbox;\n'],
  ];
  for (const [filePath, code] of cases) {
    it(`fails ${filePath}`, async () => {
      const [result] = await eslint.lintText(code, { filePath });
      expect(result!.errorCount, JSON.stringify(result!.messages)).to.be.greaterThan(0);
      expect(result!.messages.map((m) => m.ruleId)).to.include("no-restricted-imports");
    });
  }
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
  it("allows a command to use the gateway interfaces", async () => {
    const [result] = await eslint.lintText('import type { KubeCluster } from "../../gateways/types.js";\nexport type K = KubeCluster;\n', { filePath: "src/commands/kube/fine.ts" });
    expect(result!.errorCount).to.equal(0);
  });
});
