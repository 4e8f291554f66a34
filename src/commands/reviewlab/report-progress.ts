import type { ReplyHandle } from "../../core/command.js";
import type { Block, ProgressState } from "../../core/reply.js";
import type { Clock } from "../../core/services.js";

// One message that a long command keeps updating: tone info with a progress block, sent at most every
// `minIntervalMs` (step changes are sent at once), in order.

export interface Step {
  label: string;
  state: ProgressState;
  detail?: string;
}

export class ProgressMessage {
  private chain: Promise<void> = Promise.resolve();
  private lastSent = 0;

  constructor(
    private readonly reply: ReplyHandle,
    private readonly clock: Pick<Clock, "now">,
    private readonly summary: string,
    private readonly header: Block[],
    readonly steps: Step[],
    private readonly minIntervalMs = 750,
  ) {}

  set(index: number, state: ProgressState, detail?: string): void {
    const step = this.steps[index]!;
    const changed = step.state !== state;
    step.state = state;
    if (detail !== undefined) step.detail = detail;
    this.flush(changed);
  }

  detail(index: number, detail: string): void {
    this.steps[index]!.detail = detail;
    this.flush(false);
  }

  /** Marks every running step failed and pending step skipped. */
  failRunning(): void {
    for (const s of this.steps) {
      if (s.state === "running") s.state = "failed";
      else if (s.state === "pending") s.state = "skipped";
    }
  }

  blocks(): Block[] {
    return [...this.header, { type: "progress", items: this.steps.map((s) => ({ ...s })) }];
  }

  flush(force: boolean): void {
    const now = this.clock.now().getTime();
    // A throttled update is dropped: the next one (or the final reply) carries its state.
    if (!force && now - this.lastSent < this.minIntervalMs) return;
    this.lastSent = now;
    const snapshot = { summary: this.summary, tone: "info" as const, blocks: this.blocks() };
    this.chain = this.chain.then(() => this.reply.send(snapshot)).catch(() => {});
  }

  /** Waits for queued updates, so the final reply comes last. */
  async settle(): Promise<void> {
    await this.chain;
  }
}
