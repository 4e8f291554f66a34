// Acks before commands. Slack gives up on a request it has not had an answer for within 3 s, while a command may take
// as long as it needs once acked. In a burst (a channel's worth of slash commands at once), starting each command the
// moment its own request is acked puts its work (parsing, policy, the first Kubernetes request, the audit) ahead of the
// acks of the requests behind it on the one event loop; a bare Bolt app, which does almost nothing after an ack, acks
// the same burst sooner (docs/benchmarks.md, "Slack ack latency"). So a command starts once no Slack request is waiting
// for its ack and none has arrived for quietMs, or after maxWaitMs at the latest, so that a steady stream of requests
// cannot hold commands back. The quiet period is for a burst over new connections: they are accepted a few at a time,
// and between two arrivals nothing waits, so commands used to start and hold up the accepts of the rest (a fresh
// bot's first burst of 100 acked at twice a bare Bolt app's p99).

/** How long a command waits at most for other requests' acks before it starts anyway. */
export const DEFAULT_ACK_FIRST_MAX_WAIT_MS = 250;
/** How long after the last request's arrival commands keep waiting: the gap between accepts within a burst. */
export const DEFAULT_ACK_FIRST_QUIET_MS = 20;

export class AckFirst {
  private waiting = 0;
  private queue: Array<{ work: () => void; at: number }> = [];
  private turnScheduled = false;
  private lastArrival = Number.NEGATIVE_INFINITY;
  private recheck: { timer: NodeJS.Timeout; at: number } | undefined;

  constructor(
    private readonly onError: (err: unknown) => void,
    private readonly maxWaitMs = DEFAULT_ACK_FIRST_MAX_WAIT_MS,
    private readonly now: () => number = () => performance.now(),
    private readonly quietMs = DEFAULT_ACK_FIRST_QUIET_MS,
  ) {}

  /** A request Slack waits on has arrived (its headers): commands wait until it is answered, and quietMs after. */
  arrived(): void {
    this.waiting++;
    this.lastArrival = this.now();
  }

  /** That request has been answered, or its connection closed. Call once per arrived(). */
  answered(): void {
    this.waiting = Math.max(0, this.waiting - 1);
    this.nextTurn();
  }

  /** How many requests are waiting for their answer now. */
  waitingForAck(): number {
    return this.waiting;
  }

  /**
   * Runs `work` on a later turn of the event loop, once no request waits for its ack (or maxWaitMs after it was
   * queued). Queued work starts in order, one a turn, so requests arriving meanwhile are acked in between.
   */
  start(work: () => void): void {
    this.queue.push({ work, at: this.now() });
    this.nextTurn();
  }

  /** Starts everything queued now (shutdown: the router answers them that Tugboat is restarting). */
  release(): void {
    this.cancelRecheck();
    const ready = this.queue;
    this.queue = [];
    for (const { work } of ready) this.run(work);
  }

  /**
   * Looks again after the I/O already read in this turn has been handled, so requests that arrived together are all
   * counted (and acked) before their commands start.
   */
  private nextTurn(): void {
    if (this.turnScheduled || this.queue.length === 0) return;
    this.turnScheduled = true;
    setImmediate(() => {
      this.turnScheduled = false;
      this.step();
    });
  }

  private step(): void {
    const head = this.queue[0];
    if (!head) return;
    const now = this.now();
    const deadline = head.at + this.maxWaitMs;
    const quietAt = this.lastArrival + this.quietMs;
    if (now < deadline && (this.waiting > 0 || now < quietAt)) {
      // answered() looks again while requests wait; otherwise the quiet period's end does. The deadline makes sure a
      // steady stream of requests cannot hold the command back.
      this.recheckAt(this.waiting > 0 ? deadline : Math.min(quietAt, deadline));
      return;
    }
    this.queue.shift();
    this.run(head.work);
    this.nextTurn();
  }

  /** One timer, at the earliest time anything asked to look again. */
  private recheckAt(at: number): void {
    if (this.recheck && this.recheck.at <= at) return;
    this.cancelRecheck();
    const timer = setTimeout(() => {
      this.recheck = undefined;
      this.nextTurn();
    }, Math.max(0, at - this.now())).unref();
    this.recheck = { timer, at };
  }

  private cancelRecheck(): void {
    if (this.recheck) clearTimeout(this.recheck.timer);
    this.recheck = undefined;
  }

  private run(work: () => void): void {
    try {
      work();
    } catch (err) {
      // One failing start must not keep the others from starting.
      this.onError(err);
    }
  }
}
