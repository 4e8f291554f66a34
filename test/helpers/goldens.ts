import { existsSync, readFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { RenderedReply } from "../../src/chat/slack/render-blocks.js";

// Golden files are written only by `npm run golden:update` (scripts/update-goldens.ts), never by the tests that
// read them: a missing golden file fails its test instead of being written to match.

export const GOLDEN_DIR = fileURLToPath(new URL("../golden/", import.meta.url));

/** The golden file's text; a missing file is an error that says how to write it. */
export function readGolden(relative: string): string {
  const file = join(GOLDEN_DIR, relative);
  if (!existsSync(file)) throw new Error(`golden file test/golden/${relative} is missing: write it with \`npm run golden:update\` and review the diff`);
  return readFileSync(file, "utf8");
}

/** What a Slack golden file keeps: everything, with an uploaded file's content reduced to its size and digest. */
export function slackGoldenText(r: RenderedReply): string {
  const upload = r.upload && {
    filename: r.upload.filename,
    title: r.upload.title,
    chars: r.upload.content.length,
    lines: r.upload.content.split("\n").length - 1,
    sha256: createHash("sha256").update(r.upload.content).digest("hex").slice(0, 16),
  };
  return JSON.stringify({ text: r.text, cut: r.cut, blockCount: r.blocks.length, blocks: r.blocks, ...(upload ? { upload } : {}) }, null, 2) + "\n";
}
