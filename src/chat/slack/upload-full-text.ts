import type { webApi } from "@slack/bolt";
import type { Logger } from "../../core/logger.js";
import { describeSlackError } from "./describe-slack-error.js";
import { formatCount } from "../../domain/format/count.js";
import { escapeMrkdwn } from "./render-blocks.js";
import { withRetryAfter } from "./retry-after.js";

// Puts the full output next to a message: files.uploadV2 into the message's thread, or, when uploads are not
// allowed (missing files:write, not_allowed, …), the text itself posted into the thread in parts. Says which it did.

export interface UploadTarget {
  channel: string;
  /** The thread to upload into (the message's own ts, or the thread it lives in). */
  threadTs?: string;
}

export interface FullText {
  filename: string;
  title: string;
  content: string;
}

/** Characters of text per fallback message (well below the 40,000 Slack truncates at, and readable). */
export const CHUNK_CHARS = 3500;
/** At most this many fallback messages (chat.postMessage is about 1/s per channel). */
export const MAX_CHUNKS = 10;

export type UploadOutcome = { kind: "uploaded" } | { kind: "posted"; parts: number; reason: string } | { kind: "failed"; reason: string };

export async function uploadFullText(client: webApi.WebClient, target: UploadTarget, file: FullText, log: Logger): Promise<UploadOutcome> {
  try {
    await withRetryAfter(() => client.filesUploadV2({
      channel_id: target.channel,
      ...(target.threadTs ? { thread_ts: target.threadTs } : {}),
      content: file.content,
      filename: file.filename,
      title: file.title,
      snippet_type: "text",
    } as webApi.FilesUploadV2Arguments));
    return { kind: "uploaded" };
  } catch (err) {
    const reason = describeSlackError(err);
    log.warn("file upload failed; posting the full output in the thread instead", { reason, channel: target.channel });
    try {
      const parts = await postInParts(client, target, file, reason);
      return { kind: "posted", parts, reason };
    } catch (err2) {
      const reason2 = describeSlackError(err2);
      log.error("could not post the full output either", { reason: reason2, channel: target.channel });
      return { kind: "failed", reason: reason2 };
    }
  }
}

/** Splits text into pieces of at most `size` characters, at line boundaries where it can. */
export function splitText(text: string, size: number): string[] {
  const out: string[] = [];
  let current = "";
  for (const rawLine of text.replace(/\n$/, "").split("\n")) {
    let line = rawLine;
    while (line.length > size) {
      if (current !== "") {
        out.push(current);
        current = "";
      }
      out.push(line.slice(0, size));
      line = line.slice(size);
    }
    const candidate = current === "" ? line : `${current}\n${line}`;
    if (candidate.length > size) {
      out.push(current);
      current = line;
    } else {
      current = candidate;
    }
  }
  if (current !== "") out.push(current);
  return out;
}

async function postInParts(client: webApi.WebClient, target: UploadTarget, file: FullText, reason: string): Promise<number> {
  const pieces = splitText(file.content, CHUNK_CHARS);
  const shown = pieces.slice(0, MAX_CHUNKS);
  const leftOut = pieces.slice(MAX_CHUNKS).reduce((n, p) => n + p.split("\n").length, 0);
  const thread = target.threadTs ? { thread_ts: target.threadTs } : {};
  const intro =
    `:warning: I couldn't attach the full output as a file (${reason}), so here it is in ${shown.length} ${shown.length === 1 ? "part" : "parts"}` +
    (leftOut > 0 ? `; the last ${formatCount(leftOut)} lines are too many to post and are left out.` : ".");
  await withRetryAfter(() => client.chat.postMessage({ channel: target.channel, text: escapeMrkdwn(intro), ...thread }));
  for (let i = 0; i < shown.length; i++) {
    const label = shown.length > 1 ? `${file.filename} (${i + 1}/${shown.length})` : file.filename;
    await withRetryAfter(() => client.chat.postMessage({
      channel: target.channel,
      text: `${escapeMrkdwn(label)}\n\`\`\`\n${escapeMrkdwn(shown[i]!)}\n\`\`\``,
      ...thread,
      unfurl_links: false,
      unfurl_media: false,
    }));
  }
  return shown.length;
}
