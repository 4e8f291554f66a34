import type { GithubGateway, RepoEntry } from "../../gateways/types.js";
import { mapLimit } from "../apply-objects.js";
import type { TemplateFile } from "./render-pool.js";

// A pull request decides how large its templates are: their sizes are read from the folder's listing and checked
// against the content policy's byte budget before a single one is downloaded, so a PR of many large files costs
// one request and a refusal, not its whole size in memory.

export interface RepoTemplates {
  files: TemplateFile[];
  /** Refusals in the render pool's form ("<path>: why"), for the content policy's reply. */
  failures: string[];
}

/** A .yaml or .yml file of a repository folder's listing: what is read as a template. */
export const isTemplateEntry = (e: RepoEntry) => e.type === "file" && /\.ya?ml$/i.test(e.name);

/** The folder's .yaml/.yml templates at `ref`, in name order, read only when they fit within `maxBytes` in all. */
export async function readRepoTemplates(github: GithubGateway, repo: string, ref: string, entries: RepoEntry[], maxBytes: number): Promise<RepoTemplates> {
  const chosen = entries.filter(isTemplateEntry).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const tooLarge = chosen.filter((e) => e.size > maxBytes).map((e) => `${e.path}: the template is ${e.size} bytes, more than the ${maxBytes} allowed`);
  const total = chosen.reduce((sum, e) => sum + e.size, 0);
  if (tooLarge.length > 0) return { files: [], failures: tooLarge };
  if (total > maxBytes) {
    const folder = chosen[0]!.path.slice(0, chosen[0]!.path.lastIndexOf("/") + 1);
    return { files: [], failures: [`${folder}: ${chosen.length} templates of ${total} bytes in all, more than the ${maxBytes} allowed (none was read)`] };
  }
  const texts = await mapLimit(chosen, 10, (e) => github.readFile(repo, e.path, ref));
  return { files: chosen.map((e, i) => ({ path: e.path, text: texts[i]! })), failures: [] };
}
