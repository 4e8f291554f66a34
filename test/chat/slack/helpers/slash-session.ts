import { SlackStandIn } from "./slack-stand-in.js";
import { postSigned, slashCommandBody } from "./signed-request.js";
import { startSandboxBot, type SandboxBot } from "./sandbox-bot.js";

// A Slack stand-in and a sandbox bot (HTTP mode) for each test of the calling describe, with slash commands typed in
// #CDEPLOYS and the text of everything the bot posted or updated.

export interface SlashSession {
  readonly standIn: SlackStandIn;
  readonly bot: SandboxBot;
  /** `/deploy <text>` as `user`; the HTTP answer (the reply itself arrives through the Web API). */
  slash(text: string, user: string, opts?: { triggerId?: string }): ReturnType<typeof postSigned>;
  /** Each chat.postMessage and chat.update so far: its text and its blocks as JSON. */
  posted(): string[];
}

const FORM = "application/x-www-form-urlencoded";

export function useSlashSession(): SlashSession {
  let standIn: SlackStandIn;
  let bot: SandboxBot;
  let sent = 0;
  beforeEach(async () => {
    standIn = await new SlackStandIn().start();
    bot = await startSandboxBot({ standIn });
  });
  afterEach(async () => {
    await bot.stop();
    await standIn.stop();
  });
  return {
    get standIn() {
      return standIn;
    },
    get bot() {
      return bot;
    },
    slash: (text, user, opts) =>
      postSigned(bot.eventsUrl, slashCommandBody({ command: "/deploy", text, user_id: user, channel_id: "CDEPLOYS", response_url: standIn.responseUrl(`cmd-${++sent}`), trigger_id: opts?.triggerId }), FORM),
    posted: () => [...standIn.callsTo("chat.postMessage"), ...standIn.callsTo("chat.update")].map((c) => `${String(c.args.text)} ${JSON.stringify(c.args.blocks ?? [])}`),
  };
}
