import type { Harness } from "../../helpers/harness.js";
import { SHAS } from "../deploy/helpers.js";

/** A branch of octo/github one commit past main, holding these files (on top of main's), its image gate green. */
export function branchWithFiles(h: Harness, branch: string, sha: string, files: Record<string, string>): void {
  const store = h.sandbox.github.store;
  store.addCommit("octo/github", { sha, message: branch, parents: [SHAS.main] });
  store.setBranch("octo/github", branch, sha);
  store.setStatus("octo/github", sha, "ci/image", "success");
  for (const [path, text] of Object.entries(files)) store.setFile("octo/github", sha, path, text);
}
