// `npm run golden:update`: rewrites the golden files that Tugboat's own code produces (the Slack Block Kit
// renderings of test/fixtures/slack/replies.ts), for review in the diff. The tests only read them.
// test/golden/kube holds what kubectl printed: captured pairs, not written from Tugboat's output.
import { mkdirSync, readFileSync, existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { renderBlocks } from "../src/chat/slack/render-blocks.js";
import { REPLY_FIXTURES } from "../test/fixtures/slack/replies.js";
import { GOLDEN_DIR, slackGoldenText } from "../test/helpers/goldens.js";

const dir = join(GOLDEN_DIR, "slack");
mkdirSync(dir, { recursive: true });
let changed = 0;
for (const [name, reply] of Object.entries(REPLY_FIXTURES)) {
  const file = join(dir, `${name}.json`);
  const text = slackGoldenText(renderBlocks(reply));
  if (existsSync(file) && readFileSync(file, "utf8") === text) continue;
  writeFileSync(file, text);
  changed++;
  console.log(`wrote test/golden/slack/${name}.json`);
}
console.log(`${changed} of ${Object.keys(REPLY_FIXTURES).length} Slack golden files changed`);
