import type { ChatSession } from "./command.js";
import type { Router } from "./router.js";
import type { Notifier } from "./services.js";

// A command run for someone outside their own request (the deploy queue's --auto start): it goes through the router
// like a typed command, so their permissions are checked again and it is audited as theirs. There is no message to
// update and nobody to press Confirm: the final reply and anything only they would have seen are posted to the
// channel, and a confirmation is answered "cancelled" (the queue refuses --auto where one would be asked).

export function runOnBehalf(router: Router, notifier: Notifier, request: { user: string; channel: string; command: string; confirmed?: boolean }): Promise<void> {
  const session: ChatSession = {
    actor: { id: request.user },
    channel: { id: request.channel },
    reply: {
      send: async (reply) => {
        if (reply.tone !== "info") await notifier.post(request.channel, reply);
      },
      permalink: async () => undefined,
    },
    whisper: async (reply) => void (await notifier.post(request.channel, reply)),
    // `confirmed`: the config already said yes (a canary's autoPromote); approvals and freezes still apply.
    confirm: async () => (request.confirmed ? "confirmed" : "cancelled"),
  };
  return router.handle(session, request.command);
}
