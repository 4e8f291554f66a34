// Loads config/sandbox/github.yaml (and the repos' files) into a GithubStore.
import { readFileSync, readdirSync, statSync, existsSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { parse } from "yaml";
import { z } from "zod";
import { GithubStore } from "./store.js";

const sha40 = z.string().regex(/^[0-9a-f]{40}$/, "a 40-character lowercase hex sha");
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/, "an ISO timestamp like 2026-01-02T03:04:05Z");

const SeedSchema = z.object({
  users: z.array(z.object({
    login: z.string().min(1),
    id: z.number().int().positive().optional(),
    type: z.enum(["User", "Organization", "Bot"]).optional(),
    name: z.string().nullable().optional(),
    email: z.string().nullable().optional(),
  }).strict()).default([]),
  tokens: z.record(z.string().min(1), z.string().min(1)).default({}),
  repos: z.array(z.object({
    full_name: z.string().regex(/^[^/\s]+\/[^/\s]+$/, "owner/name"),
    id: z.number().int().positive().optional(),
    description: z.string().nullable().optional(),
    private: z.boolean().optional(),
    default_branch: z.string().min(1).default("main"),
    created_at: isoDate.optional(),
    commits: z.array(z.object({
      sha: sha40, message: z.string(), author: z.string().optional(), date: isoDate.optional(), parents: z.array(sha40).default([]),
      /** A folder next to the repo's (e.g. "octo-github@pr4817") whose files this commit adds or replaces. */
      files: z.string().regex(/^[\w.@-]+$/, "a folder name under the repos directory").optional(),
    }).strict()).default([]),
    branches: z.record(z.string().min(1), sha40).default({}),
    pulls: z.array(z.object({
      number: z.number().int().positive(), title: z.string(), body: z.string().nullable().optional(), user: z.string().optional(),
      head: z.string().min(1), sha: sha40, base: z.string().optional(), state: z.enum(["open", "closed"]).optional(),
      merged: z.boolean().optional(), draft: z.boolean().optional(), labels: z.array(z.string()).optional(),
      created_at: isoDate.optional(), closed_at: isoDate.optional(),
    }).strict()).default([]),
    statuses: z.array(z.object({
      sha: sha40, context: z.string().min(1), state: z.enum(["error", "failure", "pending", "success"]),
      description: z.string().nullable().optional(), target_url: z.string().nullable().optional(), creator: z.string().optional(),
    }).strict()).default([]),
    check_runs: z.array(z.object({
      sha: sha40, name: z.string().min(1),
      status: z.enum(["queued", "in_progress", "completed", "waiting", "requested", "pending"]),
      conclusion: z.enum(["success", "failure", "neutral", "cancelled", "skipped", "timed_out", "action_required"]).optional(),
      details_url: z.string().optional(),
    }).strict()).default([]),
  }).strict()).default([]),
}).strict();

export type GithubSeed = z.infer<typeof SeedSchema>;

export function readSeed(seedFile: string): GithubSeed {
  let raw: unknown;
  try {
    raw = parse(readFileSync(seedFile, "utf8"));
  } catch (e) {
    throw new Error(`GitHub sandbox seed ${seedFile}: cannot read or parse YAML: ${(e as Error).message}`);
  }
  const res = SeedSchema.safeParse(raw ?? {});
  if (!res.success) {
    const lines = res.error.issues.map((i) => `  at ${i.path.join(".") || "(root)"}: ${i.message}`);
    throw new Error(`GitHub sandbox seed ${seedFile} is invalid:\n${lines.join("\n")}`);
  }
  return res.data;
}

/** Reads every file under dir into path -> content (paths with "/"). */
export function readTree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!existsSync(dir)) return out;
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const full = join(d, name);
      if (statSync(full).isDirectory()) walk(full);
      else out.set(relative(dir, full).split(sep).join("/"), readFileSync(full, "utf8"));
    }
  };
  walk(dir);
  return out;
}

export function loadSeed(seed: GithubSeed, repoFilesDir: string, store = new GithubStore()): GithubStore {
  for (const u of seed.users) store.addUser(u);
  for (const [token, login] of Object.entries(seed.tokens)) store.addToken(token, login);
  for (const r of seed.repos) {
    const repo = store.addRepo(r.full_name, r);
    const name = r.full_name;
    for (const c of r.commits) store.addCommit(name, c);
    for (const c of r.commits) {
      for (const p of c.parents) if (!repo.commits.has(p)) throw new Error(`GitHub sandbox seed: ${name} commit ${c.sha} has unknown parent ${p}`);
    }
    for (const [b, sha] of Object.entries(r.branches)) {
      if (!repo.commits.has(sha)) throw new Error(`GitHub sandbox seed: ${name} branch ${b} points at unknown commit ${sha}`);
      store.setBranch(name, b, sha);
    }
    if (!repo.branches.has(repo.default_branch)) throw new Error(`GitHub sandbox seed: ${name} has no default branch ${repo.default_branch}`);
    for (const p of r.pulls) store.addPull(name, p);
    for (const s of r.statuses) store.setStatus(name, s.sha, s.context, s.state, s);
    for (const c of r.check_runs) store.addCheckRun(name, c.sha, c.name, c.status, c.conclusion ?? null, c);
    repo.baseFiles = readTree(join(repoFilesDir, `${repo.owner}-${repo.name}`));
    for (const c of r.commits) {
      if (!c.files) continue;
      const extra = join(repoFilesDir, c.files);
      if (!existsSync(extra)) throw new Error(`GitHub sandbox seed: ${name} commit ${c.sha} names files folder ${c.files}, which does not exist`);
      for (const [path, content] of readTree(extra)) store.setFile(name, c.sha, path, content);
    }
  }
  return store;
}
