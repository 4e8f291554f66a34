import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { UserError } from "../../core/errors.js";
import type { GithubGateway } from "../../gateways/types.js";
import { isTemplateEntry, readRepoTemplates } from "../render/read-repo-templates.js";

// Review-lab templates: the app repository's folder at the lab's sha, or Tugboat's own fallback set on disk.

export const REPO_TEMPLATE_DIR = "config/kubernetes/review-lab";

export interface TemplateFile {
  path: string;
  text: string;
}

export interface TemplateSet {
  /** "octo/github@663c692" or the fallback folder. */
  source: string;
  fromRepo: boolean;
  files: TemplateFile[];
  /** Templates refused before they were read (too large), in the render pool's form. */
  failures: string[];
}

const isTemplate = (name: string) => /\.ya?ml$/i.test(name);

/** The project root: the nearest folder above this module that holds package.json. */
export function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, "package.json"))) return dir;
    const up = dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
}

export function readFallbackTemplates(dir: string): TemplateSet {
  const abs = isAbsolute(dir) ? dir : resolve(projectRoot(), dir);
  let names: string[];
  try {
    names = readdirSync(abs).filter(isTemplate).sort();
  } catch {
    throw new UserError(`The app repository has no ${REPO_TEMPLATE_DIR}/ folder, and Tugboat's own review-lab templates (${dir}) cannot be read.`);
  }
  return { source: `Tugboat's ${dir}`, fromRepo: false, files: names.map((n) => ({ path: join(dir, n), text: readFileSync(join(abs, n), "utf8") })), failures: [] };
}

/** The lab templates at `sha`; those of the repository are read only when they fit within `maxBytes` in all. */
export async function loadLabTemplates(github: GithubGateway, repo: string, sha: string, fallbackDir: string, maxBytes: number): Promise<TemplateSet> {
  const entries = await github.listDirectory(repo, REPO_TEMPLATE_DIR, sha);
  if (entries === undefined) return readFallbackTemplates(fallbackDir);
  if (!entries.some(isTemplateEntry)) throw new UserError(`${repo}@${sha.slice(0, 7)}: ${REPO_TEMPLATE_DIR}/ holds no .yaml templates.`);
  const read = await readRepoTemplates(github, repo, sha, entries, maxBytes);
  return { source: `${repo}@${sha.slice(0, 7)}`, fromRepo: true, ...read };
}
