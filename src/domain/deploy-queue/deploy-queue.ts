import type { TugboatConfig } from "../../config/schema.js";
import type { Coordination } from "../replicas/coordination.js";
import { BREAK_GLASS_TIMEOUT_MINUTES } from "../freeze/break-glass.js";
import { updateQueue, type QueueEntry, type QueueKey, type QueueState, type QueueTurn } from "./queue-store.js";

// What the deploy queue does, as changes of its stored state (queue-store.ts): join, leave, start and end a turn,
// and hand over. A turn is the head of the queue's time to start: `deploy.queue.turnMinutes` from the handover, or,
// once their deploy has begun, until it ends (a grace time covers a replica that died mid-deploy).

export interface QueueSettings {
  turnMs: number;
  /**
   * How long a begun turn counts as live without being ended: the longest a deploy can wait before it takes the lock
   * (its confirmation, then its approvals or a break-glass approval) plus a lock lease, so the next person is not
   * given a turn while it waits; a replica that died mid-turn holds the line that long at most.
   */
  startedGraceMs: number;
  maxLength: number;
}

export function queueSettings(config: TugboatConfig): QueueSettings {
  const approvalMinutes = Math.max(BREAK_GLASS_TIMEOUT_MINUTES, ...Object.values(config.environments).map((e) => e.approvals?.timeoutMinutes ?? 0));
  return {
    turnMs: config.deploy.queue.turnMinutes * 60_000,
    startedGraceMs: (config.slack.confirmTimeoutSeconds + approvalMinutes * 60 + config.deploy.lockLeaseSeconds + 60) * 1000,
    maxLength: config.deploy.queue.maxLength,
  };
}

export function turnIsLive(turn: QueueTurn | undefined, now: Date, settings: QueueSettings): boolean {
  const end = turnLiveUntil(turn, settings);
  return end !== undefined && now.getTime() < end;
}

/** When a turn stops being live (ms): its `until`, or for a started deploy the grace after its start; undefined without a turn. */
export function turnLiveUntil(turn: QueueTurn | undefined, settings: QueueSettings): number | undefined {
  if (!turn) return undefined;
  return turn.startedAt ? Date.parse(turn.startedAt) + settings.startedGraceMs : Date.parse(turn.until);
}

export type JoinResult = { joined: true; position: number; state: QueueState } | { joined: false; why: "already" | "full" | "has-turn"; position?: number; state: QueueState };

/** Adds `entry` at the end, unless its person already waits or has the turn (one place per person and queue). */
export function join(c: Coordination, key: QueueKey, entry: QueueEntry, settings: QueueSettings): Promise<JoinResult> {
  return updateQueue<JoinResult>(c, key, (state, now) => {
    if (turnIsLive(state.turn, now, settings) && state.turn!.user === entry.user) return { result: { joined: false, why: "has-turn", state } };
    const at = state.entries.findIndex((e) => e.user === entry.user);
    if (at >= 0) return { result: { joined: false, why: "already", position: at + 1, state } };
    if (state.entries.length >= settings.maxLength) return { result: { joined: false, why: "full", state } };
    const next: QueueState = { ...state, entries: [...state.entries, entry] };
    return { state: next, result: { joined: true, position: next.entries.length, state: next } };
  });
}

/** Takes `user` out of the queue, their turn included. */
export function leave(c: Coordination, key: QueueKey, user: string): Promise<{ removed: QueueEntry[]; hadTurn: boolean }> {
  return updateQueue<{ removed: QueueEntry[]; hadTurn: boolean }>(c, key, (state) => {
    const removed = state.entries.filter((e) => e.user === user);
    const hadTurn = state.turn?.user === user;
    if (removed.length === 0 && !hadTurn) return { result: { removed, hadTurn } };
    const next: QueueState = { entries: state.entries.filter((e) => e.user !== user), ...(hadTurn ? {} : state.turn ? { turn: state.turn } : {}) };
    return { state: next, result: { removed, hadTurn } };
  });
}

/** Whose live turn it is, when not `user`'s (their deploy waits); "mine" marks `user`'s own turn as begun. */
export function claimTurn(c: Coordination, key: QueueKey, user: string, settings: QueueSettings): Promise<{ mine: boolean; other?: QueueTurn }> {
  return updateQueue<{ mine: boolean; other?: QueueTurn }>(c, key, (state, now) => {
    const turn = state.turn;
    if (!turn || !turnIsLive(turn, now, settings)) return { result: { mine: false } };
    if (turn.user !== user) return { result: { mine: false, other: turn } };
    return { state: { ...state, turn: { ...turn, startedAt: now.toISOString() } }, result: { mine: true } };
  });
}

/** Ends `user`'s turn (their deploy is over, whatever its outcome). */
export function endTurn(c: Coordination, key: QueueKey, user: string): Promise<boolean> {
  return updateQueue<boolean>(c, key, (state) => {
    if (state.turn?.user !== user) return { result: false };
    return { state: { entries: state.entries }, result: true };
  });
}

export interface Handover {
  /** The turn this handover gave (its writer announces it). */
  turn?: QueueTurn;
  /** A turn that ran out before its person started. */
  passed?: QueueTurn;
}

/**
 * When the lock is free and nobody's turn is live, the head of the queue gets the turn. Run by whoever frees the
 * lock and by the leader each round: the resourceVersion makes one of them the writer, and only the writer is told.
 */
export function handOver(c: Coordination, key: QueueKey, lockFree: boolean, settings: QueueSettings): Promise<Handover> {
  return updateQueue<Handover>(c, key, (state, now) => {
    if (turnIsLive(state.turn, now, settings)) return { result: {} };
    const passed = state.turn && !state.turn.startedAt ? state.turn : undefined;
    const [head, ...rest] = state.entries;
    if (!lockFree || !head) {
      // A turn that ended is cleared even while the lock is held, so it is not reported twice.
      return state.turn ? { state: { entries: state.entries }, result: { passed } } : { result: {} };
    }
    const turn: QueueTurn = { ...head, since: now.toISOString(), until: new Date(now.getTime() + settings.turnMs).toISOString() };
    return { state: { entries: rest, turn }, result: { turn, passed } };
  });
}
