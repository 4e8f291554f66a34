// Lint exists mainly to hold the layering: commands, domain and core never touch an SDK.
import tseslint from "typescript-eslint";

const sdkImports = {
  patterns: [
    { group: ["@slack/*", "@slack/**"], message: "Only src/chat/slack may import the Slack SDK." },
    { group: ["@kubernetes/*", "@kubernetes/**"], message: "Only src/gateways/kubernetes (and the sandbox) may import client-node." },
    { group: ["@octokit/*", "@octokit/**"], message: "Only src/gateways/github may import Octokit." },
    { group: ["**/chat/**", "**/gateways/*/*", "**/sandbox/**"], message: "Commands, domain and core depend on gateway interfaces only (src/gateways/types.ts), never on adapters, implementations or the sandbox." },
    { group: ["**/node_modules/**"], message: "Import packages by name, so the layering rule can see them." },
  ],
  // createRequire would load any SDK past this rule.
  paths: ["node:module", "module"].map((name) => ({ name, importNames: ["createRequire"], message: "Commands, domain and core load modules with static imports only." })),
};

// Dynamic import() and require() are invisible to no-restricted-imports: these layers may not use them at all.
const dynamicLoading = [
  { selector: "ImportExpression", message: "Commands, domain and core use static imports only, so the layering rule can check them." },
  { selector: "CallExpression[callee.name='require']", message: "Commands, domain and core use static imports only, so the layering rule can check them." },
  { selector: "CallExpression[callee.property.name='getBuiltinModule']", message: "Commands, domain and core use static imports only, so the layering rule can check them." },
];

export default tseslint.config(
  { ignores: ["node_modules/**", "dist/**", ".sandbox/**"] },
  {
    files: ["**/*.ts"],
    languageOptions: { parser: tseslint.parser },
    plugins: { "@typescript-eslint": tseslint.plugin },
    rules: {
      "no-debugger": "error",
      "no-var": "error",
      "prefer-const": "error",
    },
  },
  {
    files: ["src/commands/**/*.ts", "src/domain/**/*.ts", "src/core/**/*.ts"],
    rules: { "no-restricted-imports": ["error", sdkImports], "no-restricted-syntax": ["error", ...dynamicLoading] },
  },
);
