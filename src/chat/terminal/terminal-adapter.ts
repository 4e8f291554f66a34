import { createInterface, type Interface } from "node:readline";
import type { Actor, ChatSession, ConfirmAnswer } from "../../core/command.js";
import type { Reply } from "../../core/reply.js";
import type { Router } from "../../core/router.js";
import { renderText } from "./render-text.js";

// Hubot's shell adapter, for Tugboat: a prompt on a terminal, or one command per line from piped stdin.

export interface TerminalOptions {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  actor: Actor;
  /** Answer confirmations with yes when stdin is not a terminal. */
  assumeYes: boolean;
  interactive: boolean;
  channelId?: string;
  /** Ctrl-C on the prompt (readline takes it from the terminal, so no process SIGINT arrives). */
  onInterrupt?: () => void;
}

/** Lines read ahead of the one running; reading pauses past this, so a huge pipe is not held in memory. */
const READ_AHEAD = 64;

/**
 * `@tugboat deploy …` or Slack's `<@U123> deploy …`, as people paste them from Slack: the mention is dropped, as the
 * Slack adapter drops the bot's own mention.
 */
const MENTION_PREFIX = /^(?:@tugboat\b|<@[A-Z0-9]+(?:\|[^>]*)?>)[:,]?\s*/i;

export function withoutMention(line: string): string {
  return line.replace(MENTION_PREFIX, "");
}

export class TerminalAdapter {
  private rl: Interface | undefined;
  private closed = false;
  private ended = false;
  private readonly queue: string[] = [];
  private wake: (() => void) | undefined;
  /** Commands still running, some of them waiting on other people while later lines run. */
  private readonly background = new Set<Promise<void>>();

  constructor(
    private readonly router: Router,
    private readonly opts: TerminalOptions,
  ) {}

  /** Runs until end of input (or stop()). Commands run one at a time, in order, but one waiting on other people lets the next start. */
  async run(): Promise<void> {
    const rl = createInterface({ input: this.opts.input, output: this.opts.interactive ? this.opts.output : undefined, terminal: this.opts.interactive });
    this.rl = rl;
    rl.on("line", (line) => {
      this.queue.push(line);
      if (this.queue.length >= READ_AHEAD) rl.pause();
      this.wakeUp();
    });
    rl.on("close", () => {
      this.ended = true;
      this.wakeUp();
    });
    if (this.opts.onInterrupt) rl.on("SIGINT", this.opts.onInterrupt);
    this.prompt();
    for (;;) {
      const next = await this.nextLine();
      if (next === undefined) break;
      const line = next.trim();
      if (line === "") {
        this.prompt();
        continue;
      }
      if (this.opts.interactive && (line === "exit" || line === "quit")) break;
      // The echo shows control characters as \u escapes: the router refuses them, and raw they could drive the terminal.
      if (!this.opts.interactive) this.write(`> ${visible(line)}\n`);
      const session = this.session();
      const handled = this.router.handle(session.session, withoutMention(line));
      this.background.add(handled);
      void handled.finally(() => this.background.delete(handled));
      // A command that shows buttons for other people (a deploy waiting for approval) waits on them, not on this
      // terminal: the next line is taken meanwhile (its own /deploy approve, say), and its replies print when they come.
      await Promise.race([handled, session.waitingOnOthers]);
      this.prompt();
    }
    await Promise.allSettled([...this.background]);
    rl.close();
  }

  /** Stops after the running command; returns the lines that were read but will not run. */
  stop(): string[] {
    this.closed = true;
    this.wakeUp();
    const unrun = this.queue.splice(0).map((l) => l.trim()).filter((l) => l !== "");
    this.rl?.close();
    return unrun;
  }

  /** Whether all of the input was read (a pipe that ended, or the terminal closed). */
  inputEnded(): boolean {
    return this.ended;
  }

  private async nextLine(): Promise<string | undefined> {
    while (!this.closed && this.queue.length === 0 && !this.ended) await new Promise<void>((resolve) => (this.wake = resolve));
    if (this.closed) return undefined;
    const line = this.queue.shift();
    if (this.queue.length < READ_AHEAD / 2 && !this.ended) this.rl?.resume();
    return line;
  }

  private wakeUp(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private prompt(): void {
    if (this.opts.interactive && !this.closed) this.write("tugboat> ");
  }

  private write(text: string): void {
    this.opts.output.write(text);
  }

  private session(): { session: ChatSession; waitingOnOthers: Promise<void> } {
    let onOthers: () => void = () => {};
    const waitingOnOthers = new Promise<void>((resolve) => (onOthers = resolve));
    let lastPrinted = "";
    let lastSummary = "";
    let final: Reply | undefined;
    const print = (reply: Reply) => {
      const text = renderText(reply);
      if (text !== lastPrinted) this.write(text + "\n");
      lastPrinted = text;
    };
    const session: ChatSession = {
      actor: this.opts.actor,
      channel: { id: this.opts.channelId ?? "terminal", name: "terminal" },
      reply: {
        send: async (reply) => {
          // Progress updates print one line each; the full reply prints when it stops changing (see below).
          final = reply;
          if (isIntermediate(reply)) {
            if (reply.summary !== lastSummary) this.write(`… ${reply.summary}\n`);
            lastSummary = reply.summary;
            return;
          }
          lastSummary = reply.summary;
          print(reply);
          if (reply.blocks.some((b) => b.type === "actions")) onOthers();
        },
        permalink: async () => undefined,
      },
      whisper: async (reply) => print(reply),
      confirm: async (plan): Promise<ConfirmAnswer> => {
        // An intermediate state was already printed as its `… summary` line; its progress block is not for the terminal.
        if (final && !isIntermediate(final) && renderText(final) !== lastPrinted) print(final);
        print(plan);
        if (!this.opts.interactive) {
          const answer = this.opts.assumeYes ? "y" : "N";
          this.write(`Confirm? [y/N] ${answer}${this.opts.assumeYes ? " (--yes)" : " (stdin is not a terminal; pass --yes to confirm)"}\n`);
          return this.opts.assumeYes ? "confirmed" : "cancelled";
        }
        this.write("Confirm? [y/N] ");
        const next = await this.nextLine();
        const yes = next !== undefined && /^y(es)?$/i.test(next.trim());
        return yes ? "confirmed" : "cancelled";
      },
    };
    return { session, waitingOnOthers };
  }
}

/** A progress update (info tone with a progress block): the terminal prints only its summary line. */
function isIntermediate(reply: Reply): boolean {
  return reply.tone === "info" && reply.blocks.some((b) => b.type === "progress");
}

function visible(line: string): string {
  return line.replace(/[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu, (c) => `\\u${c.codePointAt(0)!.toString(16).padStart(4, "0")}`);
}
