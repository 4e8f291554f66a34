import type { Reply } from "./reply.js";
import type { MessageRef, Notifier } from "./services.js";

// One message in a channel outside any request (a deploy started by a webhook): the first state posts it, later
// states rewrite it in place, as a request's message is. The notifier paces the writes; here only the newest state
// waiting is sent, and a message that cannot be edited any more (deleted) is posted anew.

export interface ChannelMessage {
  /** Shows this state (not awaited: the work goes on; `flush` waits for the writes). */
  send(reply: Reply): void;
  /** Resolves once every state sent so far has been written (or failed, which `onError` heard). */
  flush(): Promise<void>;
}

export function channelMessage(notifier: Notifier, channel: string | undefined, onError: (err: unknown) => void): ChannelMessage {
  let ref: MessageRef | undefined;
  let pending: Reply | undefined;
  let running: Promise<void> | undefined;
  const write = async () => {
    while (pending) {
      const reply = pending;
      pending = undefined;
      try {
        if (ref && (await notifier.update(ref, reply)) === "updated") continue;
        ref = await notifier.post(channel!, reply);
      } catch (err) {
        onError(err);
      }
    }
  };
  const kick = () => {
    if (running || !pending) return;
    running = write().finally(() => {
      running = undefined;
      kick();
    });
  };
  return {
    send: (reply) => {
      if (!channel) return;
      pending = reply;
      kick();
    },
    flush: async () => {
      while (running) await running;
    },
  };
}
