import type { ChatSession, ConfirmAnswer } from "../../src/core/command.js";
import type { Reply } from "../../src/core/reply.js";
import { renderText } from "../../src/chat/terminal/render-text.js";

/** A chat session that records what a command sent, for router-level tests without a sandbox. */
export function recordingSession(user = "UADMIN", channel = "C1", answer: ConfirmAnswer = "confirmed") {
  const rec = {
    sent: [] as Reply[],
    whispers: [] as Reply[],
    plans: [] as Reply[],
    text(): string {
      return [...rec.whispers, ...rec.sent.slice(-1)].map(renderText).join("\n");
    },
  };
  const session: ChatSession = {
    actor: { id: user },
    channel: { id: channel },
    reply: { send: async (r) => void rec.sent.push(r), permalink: async () => undefined },
    whisper: async (r) => void rec.whispers.push(r),
    confirm: async (plan) => {
      rec.plans.push(plan);
      return answer;
    },
  };
  return { session, rec };
}
