// Text Tugboat writes to GitHub: PR comments (markdown) and deployment descriptions (plain text that other tools,
// chat integrations among them, show as they like). Text from outside (branch names, PR titles, lock reasons) must
// stay text there too: no @org/team notification, no [Approve](http://evil) link, no HTML.
//
// Comments are built with md``: its literal parts are Tugboat's markdown, every interpolated string is escaped
// (plainMarkdown), and code() puts a value in a code span, where GitHub renders nothing (no mentions, links, HTML).

const BRAND: unique symbol = Symbol("GithubMarkdown");

/** Markdown Tugboat vouches for. Only md``, code() and plainMarkdown() make it. */
export interface GithubMarkdown {
  readonly markdown: string;
  readonly [BRAND]: true;
}

function vouch(markdown: string): GithubMarkdown {
  return { markdown, [BRAND]: true };
}

function isMarkdown(v: unknown): v is GithubMarkdown {
  return typeof v === "object" && v !== null && (v as GithubMarkdown)[BRAND] === true;
}

/** A word joiner: invisible, but it keeps "@team", "#12" and "http://" from being read as a mention, issue or link. */
const JOINER = "\u2060";

/**
 * Outside text as markdown that shows exactly that text: &, < and > as entities (no HTML), markdown punctuation
 * backslash-escaped (no emphasis, links or images), and a word joiner after "@" and "#" and inside "://" and
 * "www." (no mentions, issue references or autolinks). Line breaks become spaces: one value, one line.
 */
export function plainMarkdown(text: string): GithubMarkdown {
  const escaped = text
    .replace(/[\r\n]+/g, " ")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/[\\`*_{}[\]()#+\-.!|~]/g, (c) => `\\${c}`)
    .replace(/@(?=\w)/g, `@${JOINER}`)
    .replace(/#(?=\w)/g, `#${JOINER}`)
    .replace(/:\/\//g, `:${JOINER}//`)
    .replace(/\bwww\\\./gi, (w) => `${w.slice(0, 3)}${JOINER}${w.slice(3)}`);
  return vouch(escaped);
}

/** A value in a code span: shown verbatim, with nothing rendered inside. The fence outgrows any backticks in it. */
export function code(text: string): GithubMarkdown {
  const flat = text.replace(/[\r\n]+/g, " ");
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longest + 1);
  const pad = flat.startsWith("`") || flat.endsWith("`") || flat.startsWith(" ") ? " " : "";
  return vouch(`${fence}${pad}${flat}${pad}${fence}`);
}

/** A link Tugboat built (a lab's URL): an autolink to an http(s) URL, else the text shown as text. */
export function linkMarkdown(url: string): GithubMarkdown {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.protocol !== "https:" && parsed.protocol !== "http:")) return plainMarkdown(url);
  return vouch(`<${parsed.href.replace(/[<> ]/g, encodeURIComponent)}>`);
}

/** Template tag for a comment: literal parts are Tugboat's markdown; strings are escaped, numbers written as is. */
export function md(strings: TemplateStringsArray, ...values: Array<GithubMarkdown | string | number>): GithubMarkdown {
  let out = "";
  strings.forEach((s, i) => {
    out += s;
    if (i >= values.length) return;
    const v = values[i];
    out += isMarkdown(v) ? v.markdown : typeof v === "number" ? String(v) : plainMarkdown(v!).markdown;
  });
  return vouch(out);
}

/**
 * A deployment (status) description: GitHub shows it as text, but integrations relay it into chat as markup, so
 * &, < and > go as entities (as Slack wants them), within GitHub's 140 characters without half an entity.
 */
export function deploymentDescription(text: string): string {
  const escaped = text.replace(/[\r\n]+/g, " ").replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  if (escaped.length <= 140) return escaped;
  const cut = escaped.slice(0, 139);
  const amp = cut.lastIndexOf("&");
  return `${amp > cut.length - 5 && !cut.slice(amp).includes(";") ? cut.slice(0, amp) : cut}…`;
}
