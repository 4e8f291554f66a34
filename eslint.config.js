// Lint exists mainly to hold the layering: commands, domain and core never touch an SDK.
import tseslint from "typescript-eslint";

const sdkImports = {
  patterns: [
    { group: ["@slack/*", "@slack/**"], message: "Only src/chat/slack may import the Slack SDK." },
    { group: ["@kubernetes/*", "@kubernetes/**"], message: "Only src/gateways/kubernetes (and the sandbox) may import client-node." },
    { group: ["@octokit/*", "@octokit/**"], message: "Only src/gateways/github may import Octokit." },
    { group: ["**/chat/**", "**/gateways/*/*", "**/sandbox/**"], message: "Commands, domain and core depend on gateway interfaces only (src/gateways/types.ts), never on adapters, implementations or the sandbox." },
  ],
};

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
    rules: { "no-restricted-imports": ["error", sdkImports] },
  },
);
