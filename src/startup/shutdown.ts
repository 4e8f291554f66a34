// Stopping in order: stop taking input, let running commands finish (the router drains them), stop background tasks,
// the sandbox and the chat adapter, flush and close the logs, and only then exit. What was left undone is said.

export type StopReason = "end-of-input" | "interrupt" | "terminate";

export interface ShutdownParts {
  /** Where to say what happens (the terminal's conversation; a log line in Slack mode). */
  say(line: string): void;
  /** Stops reading input; returns the input lines that were read but will not run. */
  stopInput(): string[];
  /** The command lines still running. */
  running(): string[];
  /** Drains the router and stops background tasks, the chat adapter and the sandbox. */
  stopServices(): Promise<void>;
  closeLogs(): Promise<void>;
  exit(code: number): void;
  /** Milliseconds since some fixed point (injected for tests). */
  now(): number;
}

/** A signal relayed by npm or tsx arrives twice within a few milliseconds: that is one Ctrl-C, not two. */
const SAME_INTERRUPT_MS = 500;
const LISTED = 3;

export class Shutdown {
  private started: { reason: StopReason; at: number } | undefined;

  constructor(private readonly parts: ShutdownParts) {}

  /** First call: stop in order, then exit. A second Ctrl-C while stopping exits at once, saying what it cut short. */
  async stop(reason: StopReason): Promise<void> {
    const p = this.parts;
    if (this.started) {
      if (reason === "interrupt" && p.now() - this.started.at > SAME_INTERRUPT_MS) {
        const cut = p.running();
        p.say(`Stopping at once.${cut.length > 0 ? ` Cut short: ${listOf(cut)}: check what it changed (\`/deploy status\`); a lock it held expires by itself.` : ""}`);
        await p.closeLogs();
        p.exit(130);
      }
      return;
    }
    this.started = { reason, at: p.now() };
    const unrun = p.stopInput();
    const running = p.running();
    if (reason !== "end-of-input") {
      const what = reason === "interrupt" ? "Ctrl-C" : "Stopping";
      p.say(
        running.length > 0
          ? `${what}: finishing the running ${noun(running)} (${listOf(running)})…${reason === "interrupt" ? " Press Ctrl-C again to stop at once." : ""}`
          : `${what}: stopping.`,
      );
    }
    await p.stopServices();
    // Whatever still runs after the router's drain deadline was told to stop (ctx.signal) and is cut short.
    const cut = p.running();
    const left: string[] = [];
    if (cut.length > 0) left.push(`cut short: ${listOf(cut)}`);
    if (unrun.length > 0) left.push(`not run: ${unrun.length} more ${unrun.length === 1 ? "line" : "lines"} of input (${listOf(unrun)})`);
    if (reason !== "end-of-input" || left.length > 0) {
      p.say(left.length > 0 ? `Stopped; ${left.join("; ")}.` : `Stopped; nothing was left running${running.length > 0 ? ` (${listOf(running)} finished)` : ""}.`);
    }
    await p.closeLogs();
    p.exit(left.length > 0 && reason === "interrupt" ? 130 : 0);
  }
}

/** "deploy" when every running command is a deploy, else "command(s)". */
function noun(commands: string[]): string {
  const deploys = commands.every((c) => /^\/?deploy\s/i.test(c) && !/^\/?deploy\s+(status|history|where|lock|unlock)\b/i.test(c));
  const word = deploys ? "deploy" : "command";
  return commands.length === 1 ? word : `${word}s`;
}

function listOf(lines: string[]): string {
  const shown = lines.slice(0, LISTED).map((l) => {
    const safe = l.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu, "?");
    return `\`${safe.length > 80 ? `${safe.slice(0, 79)}…` : safe}\``;
  });
  return lines.length > LISTED ? `${shown.join(", ")} and ${lines.length - LISTED} more` : shown.join(", ");
}
