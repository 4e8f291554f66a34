import type { webApi } from "@slack/bolt";
import type { Scheduler } from "../../../../src/chat/slack/post-reply.js";

/** Timers that run only when the test moves time forward (a Slack message's pace without sleeping). */
export class ManualScheduler implements Scheduler {
  private t = 0;
  private timers: Array<{ at: number; fn: () => void }> = [];
  now = (): number => this.t;
  after(ms: number, fn: () => void): () => void {
    const entry = { at: this.t + ms, fn };
    this.timers.push(entry);
    return () => void (this.timers = this.timers.filter((e) => e !== entry));
  }
  /** Moves time forward by ms, running due timers in order, and lets promises settle between them. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      await settle();
      const due = this.timers.filter((e) => e.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.timers = this.timers.filter((e) => e !== due);
      this.t = due.at;
      due.fn();
    }
    this.t = end;
    await settle();
  }
}

/** Drains pending promise callbacks (a macrotask turn; no wall-clock wait). */
export const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
};

export interface Write {
  method: string;
  channel: string;
  text: string;
  at: number;
}

/** A WebClient double that records writes on the scheduler's clock and can answer 429 like Slack. */
export function fakeClient(clock: ManualScheduler, rateLimit: (method: string, channel: string) => number | undefined = () => undefined) {
  const writes: Write[] = [];
  let ts = 1;
  const call = (method: string) => async (args: { channel: string; text: string }) => {
    const retryAfter = rateLimit(method, args.channel);
    if (retryAfter !== undefined) throw Object.assign(new Error("rate limited"), { code: "slack_webapi_rate_limited_error", retryAfter });
    writes.push({ method, channel: args.channel, text: args.text, at: clock.now() });
    return { ok: true, channel: args.channel, ts: `${ts++}.000` };
  };
  const client = { chat: { postMessage: call("chat.postMessage"), update: call("chat.update") } } as unknown as webApi.WebClient;
  return { client, writes };
}
