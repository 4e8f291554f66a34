// The peer for Tugboat's Slack benchmarks: a bare Bolt app in HTTP mode that acks every slash command and posts one
// short message for it, as little as a Slack bot can do. Plain JavaScript, run with `node`, so that its memory is
// Bolt's and Node's alone (no TypeScript loader). Same environment variables as Tugboat's HTTP mode.

import bolt from "@slack/bolt";

const app = new bolt.App({
  token: process.env.SLACK_BOT_TOKEN,
  signingSecret: process.env.SLACK_SIGNING_SECRET,
  clientOptions: process.env.SLACK_API_URL ? { slackApiUrl: process.env.SLACK_API_URL } : undefined,
  logLevel: bolt.LogLevel.WARN,
});

app.command(/.*/, async ({ ack, command, client }) => {
  await ack();
  await client.chat.postMessage({ channel: command.channel_id, text: `${command.command} ${command.text}: ok` });
});

await app.start(Number(process.env.PORT ?? 3000));
process.on("SIGTERM", () => void app.stop().then(() => process.exit(0)));
