// Turns what Slack delivers in a mention, a DM or a slash command into the command line a person typed.

/** Slack escapes &, < and > in message and command text. */
export function unescapeSlack(text: string): string {
  return text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

/**
 * Rewrites Slack's markup back to plain words: auto-links `<http://x|x>` → x (the label), `<mailto:a@b|a@b>` → a@b;
 * user and channel mentions stay as they are, except the bot's own, which is removed. When the bot is mentioned, the
 * command is what follows its first mention (as Hubot's `respond`): in "<@UALICE> can you <@UBOT> deploy status" the
 * words before it are talk to someone else, not a command; nothing after it is an empty line (the router's help).
 */
export function commandTextFromMessage(text: string, botUserId: string | undefined): string {
  let out = text;
  if (botUserId) {
    const botMention = new RegExp(`<@${botUserId}(\\|[^>]*)?>:?`, "g");
    const first = botMention.exec(out);
    if (first) out = out.slice(first.index + first[0].length).replace(botMention, " ");
  }
  out = out.replace(/<((?:https?|mailto|tel):[^|>]+)\|([^>]+)>/g, "$2").replace(/<((?:https?|mailto|tel):[^>]+)>/g, "$1");
  return unescapeSlack(out).replace(/[\u00a0\s]+/g, " ").trim();
}

export function commandTextFromSlash(text: string | undefined): string {
  return unescapeSlack(text ?? "").replace(/\u00a0/g, " ").trim();
}

/** The family for a slash command: "/deploy" → "deploy". */
export function familyOfSlashCommand(command: string): string {
  return command.replace(/^\//, "").toLowerCase();
}
