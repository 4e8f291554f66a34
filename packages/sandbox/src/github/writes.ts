// What a push, a new branch and a merge do to the store: new commits (with the files of their parents plus the
// change), branches moved. The routes call these and then say what happened (webhooks/events.ts).
import { type CommitRecord, type GithubStore, type RepoRecord, fakeSha, normalizePath, nowIso } from "./store.js";

const fullName = (r: RepoRecord): string => `${r.owner}/${r.name}`;

/** A new commit on `branch` whose files are its parent's with `path` set to `content`; the branch moves to it. */
export function commitFile(store: GithubStore, r: RepoRecord, input: { branch: string; path: string; content: string; message: string; author: string }): CommitRecord {
  const parent = r.branches.get(input.branch);
  if (!parent) throw new Error(`no branch ${input.branch}`);
  const sha = newSha(r, "commit", parent, input.path, input.content, input.message);
  const commit = store.addCommit(fullName(r), { sha, message: input.message, parents: [parent], author: input.author, date: nowIso() });
  inheritFiles(r, sha, [parent]);
  store.setFile(fullName(r), sha, normalizePath(input.path), input.content);
  r.branches.set(input.branch, sha);
  return commit;
}

/**
 * A merge commit of `head` into `base` (parents: base's tip, then head); base moves to it. A file takes head's
 * content where head changed it since the merge base, else base's (a three-way merge without conflicts).
 */
export function mergeInto(store: GithubStore, r: RepoRecord, input: { base: string; head: string; message: string; author: string }): CommitRecord {
  const baseTip = r.branches.get(input.base);
  if (!baseTip) throw new Error(`no branch ${input.base}`);
  const sha = newSha(r, "merge", baseTip, input.head, input.message);
  const commit = store.addCommit(fullName(r), { sha, message: input.message, parents: [baseTip, input.head], author: input.author, date: nowIso() });
  const onBase = store.ancestors(r, baseTip);
  const mergeBase = [...store.ancestors(r, input.head)].find((s) => onBase.has(s));
  const layer = new Map(r.fileOverrides.get(baseTip) ?? []);
  const headLayer = r.fileOverrides.get(input.head) ?? new Map<string, string | null>();
  const baseLayer = (mergeBase && r.fileOverrides.get(mergeBase)) || new Map<string, string | null>();
  for (const path of new Set([...headLayer.keys(), ...baseLayer.keys()])) {
    const theirs = headLayer.has(path) ? headLayer.get(path)! : undefined;
    const before = baseLayer.has(path) ? baseLayer.get(path)! : undefined;
    if (theirs === before) continue;
    if (theirs === undefined) layer.delete(path);
    else layer.set(path, theirs);
  }
  r.fileOverrides.set(sha, layer);
  r.branches.set(input.base, sha);
  return commit;
}

/** The commits on `after` that `before` does not have (oldest first), at most 20 as in a push payload. */
export function pushedCommits(store: GithubStore, r: RepoRecord, before: string | undefined, after: string): CommitRecord[] {
  const known = before ? store.ancestors(r, before) : new Set<string>();
  const out: CommitRecord[] = [];
  const todo = [after];
  const seen = new Set<string>();
  while (todo.length) {
    const s = todo.pop()!;
    if (seen.has(s) || known.has(s)) continue;
    seen.add(s);
    const c = r.commits.get(s);
    if (!c) continue;
    out.push(c);
    todo.push(...c.parents);
  }
  return out.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0)).slice(-20);
}

/** A sha no commit of the repository has yet (the commit count keeps two identical changes apart). */
function newSha(r: RepoRecord, ...parts: string[]): string {
  return fakeSha(fullName(r), r.commits.size, ...parts);
}

/** The new commit's own file layer: its parents' layers, later parents winning. */
function inheritFiles(r: RepoRecord, sha: string, parents: string[]): void {
  const layer = new Map<string, string | null>();
  for (const p of parents) for (const [path, content] of r.fileOverrides.get(p) ?? []) layer.set(path, content);
  r.fileOverrides.set(sha, layer);
}
