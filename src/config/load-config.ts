import { readFileSync } from "node:fs";
import { parseDocument } from "yaml";
import { buildConfigSchema, type TugboatConfig } from "./schema.js";

/** A config file that cannot be used. The message names the file, the path in it and what was expected. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

export function loadConfigFile(file: string): TugboatConfig {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new ConfigError(`${file}: cannot read the config file (${(err as NodeJS.ErrnoException).code ?? err}). Set TUGBOAT_CONFIG to its path.`);
  }
  return parseConfig(text, file);
}

export function parseConfig(text: string, file = "config"): TugboatConfig {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(doc.errors.map((e) => `${file}: YAML error: ${e.message}`).join("\n"));
  }
  // Built here, not kept: nothing after the parse needs the schema (schema.ts).
  const result = buildConfigSchema().safeParse(doc.toJS() ?? {});
  if (!result.success) {
    const lines = result.error.issues.map((issue) => {
      const path = issue.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("").replace(/^\./, "") || "(top level)";
      return `${file}: ${path}: ${issue.message}`;
    });
    throw new ConfigError(`invalid configuration:\n${lines.join("\n")}`);
  }
  // A copy: zod hands every parse the same nested default objects (deploy's default holds one analysis object),
  // so a config changed in one place (a test, a second app instance) would change every other config.
  return structuredClone(result.data);
}
