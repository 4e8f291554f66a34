import type { CommandFamily, CommandSpec } from "../../core/command.js";
import { defineCommand } from "../../core/command.js";
import { withClearErrors } from "../../core/with-clear-errors.js";
import { changeLabel, mergePull, openPull, pushFile, setPullState, setStatus } from "./drive-github.js";
import {
  CLOSE_USAGE,
  LABEL_USAGE,
  MERGE_USAGE,
  OPEN_USAGE,
  PUSH_USAGE,
  REOPEN_USAGE,
  STATUS_USAGE,
  UNLABEL_USAGE,
  parseLabelArgs,
  parseMergeArgs,
  parseOpenArgs,
  parsePullArgs,
  parsePushArgs,
  parseStatusArgs,
} from "./parse-github-args.js";

// /github drives the sandbox's GitHub as a person would drive github.com, so that webhooks (deploy on merge, labs from
// pull requests) can be tried from the terminal. It is registered only against the sandbox (main.ts): on a real
// GitHub these clicks belong to the person, in GitHub's own UI or `gh`, not to Tugboat's token (see docs/commands.md).

/** Every verb changes GitHub and needs github:write (granted only in the sandbox config). */
function githubVerb<A>(spec: Pick<CommandSpec<A>, "verb" | "summary" | "usage" | "examples" | "parse" | "run">): CommandSpec<A> {
  return defineCommand({ family: "github", sideEffects: true, permission: () => "github:write", ...spec });
}

const push = githubVerb({
  verb: "push",
  summary: "Write a file on a branch (creating the branch from the default one if needed): one commit.",
  usage: PUSH_USAGE,
  examples: ["/github push my-branch README.md Hello from chat", '/github push main config/app.txt "v2" --message "Bump to v2"'],
  parse: parsePushArgs,
  run: (a, ctx) => withClearErrors("Could not push", () => pushFile(a, ctx, PUSH_USAGE)),
});

const open = githubVerb({
  verb: "open",
  summary: "Open a pull request from a branch (title: its head commit's first line unless given).",
  usage: OPEN_USAGE,
  examples: ["/github open my-branch", "/github open my-branch Fix the login page --base main"],
  parse: parseOpenArgs,
  run: (a, ctx) => withClearErrors("Could not open the pull request", () => openPull(a, ctx, OPEN_USAGE)),
});

const merge = githubVerb({
  verb: "merge",
  summary: "Merge a pull request at the head it has now.",
  usage: MERGE_USAGE,
  examples: ["/github merge PR4812", "/github merge #4812 --squash"],
  parse: parseMergeArgs,
  run: (a, ctx) => withClearErrors(`Could not merge PR #${a.pr}`, () => mergePull(a, ctx, MERGE_USAGE)),
});

const close = githubVerb({
  verb: "close",
  summary: "Close a pull request without merging it.",
  usage: CLOSE_USAGE,
  examples: ["/github close PR4816"],
  parse: parsePullArgs(CLOSE_USAGE),
  run: (a, ctx) => withClearErrors(`Could not close PR #${a.pr}`, () => setPullState(a, "closed", ctx, CLOSE_USAGE)),
});

const reopen = githubVerb({
  verb: "reopen",
  summary: "Reopen a closed pull request.",
  usage: REOPEN_USAGE,
  examples: ["/github reopen PR4816"],
  parse: parsePullArgs(REOPEN_USAGE),
  run: (a, ctx) => withClearErrors(`Could not reopen PR #${a.pr}`, () => setPullState(a, "open", ctx, REOPEN_USAGE)),
});

const label = githubVerb({
  verb: "label",
  summary: "Add a label to a pull request.",
  usage: LABEL_USAGE,
  examples: ["/github label PR4816 review-lab"],
  parse: parseLabelArgs(LABEL_USAGE),
  run: (a, ctx) => withClearErrors(`Could not label PR #${a.pr}`, () => changeLabel(a, true, ctx, LABEL_USAGE)),
});

const unlabel = githubVerb({
  verb: "unlabel",
  summary: "Remove a label from a pull request.",
  usage: UNLABEL_USAGE,
  examples: ["/github unlabel PR4816 review-lab"],
  parse: parseLabelArgs(UNLABEL_USAGE),
  run: (a, ctx) => withClearErrors(`Could not unlabel PR #${a.pr}`, () => changeLabel(a, false, ctx, UNLABEL_USAGE)),
});

const status = githubVerb({
  verb: "status",
  summary: "Set a commit status (what CI does), on a PR's head, a branch's head or a sha.",
  usage: STATUS_USAGE,
  examples: ["/github status PR4816 ci/image success", "/github status main ci/image failure image build broke"],
  parse: parseStatusArgs,
  run: (a, ctx) => withClearErrors("Could not set the status", () => setStatus(a, ctx, STATUS_USAGE)),
});

export const githubFamily: CommandFamily = {
  name: "github",
  summary: "Drive the sandbox's GitHub: push, open, merge, close, label, set statuses",
  commands: [push, open, merge, close, reopen, label, unlabel, status],
};
