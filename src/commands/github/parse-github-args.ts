import { parseFlags, type FlagSpecs } from "../../core/args.js";
import { UsageError } from "../../core/errors.js";

// The grammar of /github: what a person does on github.com, in words.

export const PUSH_USAGE = "/github push BRANCH PATH TEXT… [--message MESSAGE] [--app APP]";
export const OPEN_USAGE = "/github open BRANCH [TITLE…] [--base BRANCH] [--app APP]";
export const MERGE_USAGE = "/github merge PR [--squash | --rebase] [--app APP]";
export const CLOSE_USAGE = "/github close PR [--app APP]";
export const REOPEN_USAGE = "/github reopen PR [--app APP]";
export const LABEL_USAGE = "/github label PR LABEL [--app APP]";
export const UNLABEL_USAGE = "/github unlabel PR LABEL [--app APP]";
export const STATUS_USAGE = "/github status PR|BRANCH|SHA CONTEXT pending|success|failure|error [DESCRIPTION…] [--app APP]";

/** A branch name git and GitHub take (git check-ref-format), bounded. */
const BRANCH = /^(?!.*\.\.)(?!.*\/\/)(?!.*@\{)(?![-/.])(?!.*[/.]$)(?!.*\.lock$)(?!.*\/\.)[A-Za-z0-9._/-]{1,200}$/;
/** A path inside the repository: relative, no "." or ".." segment, no backslash. */
const PATH_SEGMENT = /^[A-Za-z0-9._ -]{1,100}$/;
const MAX_TEXT = 800;
/** GitHub's label names are at most 50 characters; a comma would split them in the API. */
const LABEL = /^[^,]{1,50}$/;
const CONTEXT = /^[A-Za-z0-9._/:-]{1,100}$/;

export const STATES = ["pending", "success", "failure", "error"] as const;
export type StatusState = (typeof STATES)[number];

export interface AppArg {
  app?: string;
}

export interface PushArgs extends AppArg {
  branch: string;
  path: string;
  text: string;
  message?: string;
}

export interface OpenArgs extends AppArg {
  branch: string;
  base?: string;
  title?: string;
}

export interface PullArgs extends AppArg {
  pr: number;
}

export interface MergeArgs extends PullArgs {
  method: "merge" | "squash" | "rebase";
}

export interface LabelArgs extends PullArgs {
  label: string;
}

export interface StatusArgs extends AppArg {
  ref: string;
  context: string;
  state: StatusState;
  description?: string;
}

const APP: FlagSpecs = { app: { kind: "string" } };

function appOf(flags: Record<string, unknown>): string | undefined {
  return typeof flags.app === "string" ? flags.app : undefined;
}

export function parseBranch(word: string | undefined, usage: string): string {
  if (word === undefined) throw new UsageError("name the branch", usage);
  if (!BRANCH.test(word)) throw new UsageError(`"${word}" is not a branch name git allows`, usage);
  return word;
}

export function parsePull(word: string | undefined, usage: string): number {
  const m = word === undefined ? null : /^(?:pr|#|pr#)?(\d{1,9})$/i.exec(word);
  if (!m) throw new UsageError(word === undefined ? "name the pull request (PR4812 or #4812)" : `"${word}" is not a pull request (PR4812 or #4812)`, usage);
  return Number(m[1]);
}

function parsePath(word: string | undefined): string {
  if (word === undefined) throw new UsageError("name the file to write", PUSH_USAGE);
  const segments = word.split("/");
  if (word.length > 300 || segments.some((s) => !PATH_SEGMENT.test(s) || s === "." || s === "..")) {
    throw new UsageError(`"${word}" is not a path inside the repository (relative, no "." or ".." parts)`, PUSH_USAGE);
  }
  return word;
}

export function parsePushArgs(words: string[]): PushArgs {
  const { positionals, flags } = parseFlags(words, { ...APP, message: { kind: "string" } }, PUSH_USAGE);
  const [branch, path, ...text] = positionals;
  const args: PushArgs = { branch: parseBranch(branch, PUSH_USAGE), path: parsePath(path), text: text.join(" "), app: appOf(flags) };
  if (text.length === 0) throw new UsageError("give the file's text", PUSH_USAGE);
  if (args.text.length > MAX_TEXT) throw new UsageError(`the text is too long (at most ${MAX_TEXT} characters)`, PUSH_USAGE);
  if (typeof flags.message === "string") args.message = flags.message;
  return args;
}

export function parseOpenArgs(words: string[]): OpenArgs {
  const { positionals, flags } = parseFlags(words, { ...APP, base: { kind: "string" } }, OPEN_USAGE);
  const [branch, ...title] = positionals;
  return {
    branch: parseBranch(branch, OPEN_USAGE),
    base: typeof flags.base === "string" ? parseBranch(flags.base, OPEN_USAGE) : undefined,
    title: title.length > 0 ? title.join(" ").slice(0, 256) : undefined,
    app: appOf(flags),
  };
}

export const parsePullArgs = (usage: string) => (words: string[]): PullArgs => {
  const { positionals, flags } = parseFlags(words, APP, usage);
  if (positionals.length > 1) throw new UsageError(`unexpected "${positionals[1]}"`, usage);
  return { pr: parsePull(positionals[0], usage), app: appOf(flags) };
};

export function parseMergeArgs(words: string[]): MergeArgs {
  const { positionals, flags } = parseFlags(words, { ...APP, squash: { kind: "boolean" }, rebase: { kind: "boolean" } }, MERGE_USAGE);
  if (flags.squash && flags.rebase) throw new UsageError("--squash and --rebase cannot go together", MERGE_USAGE);
  if (positionals.length > 1) throw new UsageError(`unexpected "${positionals[1]}"`, MERGE_USAGE);
  return { pr: parsePull(positionals[0], MERGE_USAGE), method: flags.squash ? "squash" : flags.rebase ? "rebase" : "merge", app: appOf(flags) };
}

export const parseLabelArgs = (usage: string) => (words: string[]): LabelArgs => {
  const { positionals, flags } = parseFlags(words, APP, usage);
  const [pr, ...label] = positionals;
  const name = label.join(" ");
  if (!name) throw new UsageError("name the label", usage);
  if (!LABEL.test(name)) throw new UsageError(`"${name}" is not a label name (at most 50 characters, no commas)`, usage);
  return { pr: parsePull(pr, usage), label: name, app: appOf(flags) };
};

export function parseStatusArgs(words: string[]): StatusArgs {
  const { positionals, flags } = parseFlags(words, APP, STATUS_USAGE);
  const [ref, context, state, ...description] = positionals;
  if (ref === undefined || context === undefined || state === undefined) throw new UsageError("name the commit, the context and the state", STATUS_USAGE);
  if (!CONTEXT.test(context)) throw new UsageError(`"${context}" is not a status context (letters, digits and . _ / : -)`, STATUS_USAGE);
  if (!(STATES as readonly string[]).includes(state)) throw new UsageError(`the state is one of ${STATES.join(", ")}, not "${state}"`, STATUS_USAGE);
  return { ref, context, state: state as StatusState, description: description.length > 0 ? description.join(" ").slice(0, 140) : undefined, app: appOf(flags) };
}
