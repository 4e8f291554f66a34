import { z } from "zod";

// The fields Tugboat reads from GitHub's webhook payloads, checked before any handler sees them. A delivery is
// signed by GitHub, but what it carries (branch names, titles, labels, contexts) was typed by anyone who can push or
// open a pull request: everything is bounded here, and names are held to what git and GitHub allow.

const SHA = z.string().regex(/^[0-9a-f]{40}$/, "a 40-character commit sha");
/** A login: letters, digits and single hyphens; apps' bots end in "[bot]". */
const LOGIN = z.string().regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\[bot\])?$/, "a GitHub login");
const REPO = z.string().regex(/^[\w.-]{1,100}\/[\w.-]{1,100}$/, "owner/name");
/**
 * A branch name as git allows it (git check-ref-format), bounded: no control characters, spaces, "~^:?*[\",
 * "..", "@{", a leading "-" or "/", or a trailing "/", "." or ".lock".
 */
export const BRANCH = z
  .string()
  .min(1)
  .max(255)
  .refine((b) => !/[\x00-\x20\x7f~^:?*[\\]|\.\.|@\{|^[-/]|\/$|\.$|\.lock$|\/\/|\/\./.test(b) && b !== "@", "a git branch name");
const URL_TEXT = z.string().max(2048).url();
/** Text for people (titles, descriptions): bounded, and shown only through Reply's escaping. */
const text = (max: number) => z.string().max(max);

const repository = z.object({ full_name: REPO, default_branch: BRANCH.optional() });
const sender = z.object({ login: LOGIN });
/** Present on deliveries of a GitHub App's webhook. */
const installation = z.object({ id: z.number().int().positive() }).optional();
const common = { repository, sender, installation };

export const pushPayload = z.object({
  ...common,
  ref: z
    .string()
    .max(300)
    .regex(/^refs\/(heads|tags)\/./, "refs/heads/… or refs/tags/…")
    .refine((ref) => BRANCH.safeParse(ref.replace(/^refs\/(heads|tags)\//, "")).success, "refs/heads/ and a git branch (or tag) name"),
  before: SHA,
  after: SHA,
  created: z.boolean(),
  deleted: z.boolean(),
  forced: z.boolean(),
});

const label = z.object({ name: text(100) });

export const pullRequestPayload = z.object({
  ...common,
  action: z.string().max(40),
  number: z.number().int().positive(),
  label: label.optional(),
  pull_request: z.object({
    number: z.number().int().positive(),
    state: z.enum(["open", "closed"]),
    merged: z.boolean().nullish(),
    draft: z.boolean().optional(),
    title: text(1024),
    user: z.object({ login: LOGIN }),
    /** head.repo is the fork a PR comes from (null when the fork was deleted). */
    head: z.object({ ref: BRANCH, sha: SHA, repo: z.object({ full_name: REPO }).nullable() }),
    base: z.object({ ref: BRANCH }),
    labels: z.array(label).max(100),
    merge_commit_sha: SHA.nullish(),
    html_url: URL_TEXT,
  }),
});

export const statusPayload = z.object({
  ...common,
  sha: SHA,
  context: text(255),
  state: z.enum(["pending", "success", "failure", "error"]),
  description: text(1024).nullish(),
  target_url: URL_TEXT.nullish(),
});

export const checkRunPayload = z.object({
  ...common,
  action: z.string().max(40),
  check_run: z.object({
    name: text(255),
    head_sha: SHA,
    status: z.enum(["queued", "in_progress", "completed", "waiting", "requested", "pending"]),
    conclusion: z.enum(["success", "failure", "neutral", "cancelled", "skipped", "timed_out", "action_required", "stale"]).nullable(),
    html_url: URL_TEXT.nullish(),
  }),
});

/** The events Tugboat acts on, by X-GitHub-Event name. Any other event is acknowledged and ignored. */
export const EVENT_PAYLOADS = {
  push: pushPayload,
  pull_request: pullRequestPayload,
  status: statusPayload,
  check_run: checkRunPayload,
} as const;

export type GithubEventName = keyof typeof EVENT_PAYLOADS;
export type GithubEventPayload<E extends GithubEventName> = z.infer<(typeof EVENT_PAYLOADS)[E]>;
export type PushEvent = GithubEventPayload<"push">;
export type PullRequestEvent = GithubEventPayload<"pull_request">;
export type StatusEvent = GithubEventPayload<"status">;
export type CheckRunEvent = GithubEventPayload<"check_run">;

export function isHandledEvent(name: string): name is GithubEventName {
  return Object.hasOwn(EVENT_PAYLOADS, name);
}

/** The payload checked against its event's schema, or the first problem as "path: message". */
export function parsePayload<E extends GithubEventName>(name: E, body: unknown): { ok: true; payload: GithubEventPayload<E> } | { ok: false; problem: string } {
  const result = EVENT_PAYLOADS[name].safeParse(body);
  if (result.success) return { ok: true, payload: result.data as GithubEventPayload<E> };
  const issue = result.error.issues[0];
  return { ok: false, problem: `${issue?.path.join(".") || "(payload)"}: ${issue?.message ?? "invalid"}` };
}
