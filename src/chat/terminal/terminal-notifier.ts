import { randomUUID } from "node:crypto";
import type { Reply } from "../../core/reply.js";
import type { MessageRef, Notifier } from "../../core/services.js";
import { renderText } from "./render-text.js";

// Messages outside any request, in the terminal: a post prints the message with an id of its own; the terminal
// cannot rewrite a line already printed, so an update prints a new line marked as an update of that id. An
// intermediate state (tone info) is one line, its summary; a final one is printed whole.

export function createTerminalNotifier(say: (line: string) => void): Notifier {
  // Unique across restarts: a reference stored by an earlier run never names a message of this one.
  const prefix = randomUUID().slice(0, 8);
  let posted = 0;
  return {
    post: async (channel: string, reply: Reply): Promise<MessageRef> => {
      const id = `${prefix}-${++posted}`;
      say(`[#${channel}] ${renderText(reply)}`);
      return { channel, id };
    },
    update: async (ref: MessageRef, reply: Reply) => {
      const text = reply.tone === "info" || reply.tone === undefined ? reply.summary : renderText(reply);
      say(`[#${ref.channel}] (update of message ${ref.id}) ${text}`);
      return "updated";
    },
  };
}
