import { GatewayError, isGatewayError } from "../../gateways/types.js";
import type { V1Lease } from "../../gateways/kube-models.js";
import { SLACK_ID, coordinationLease, digest, microTime, type Coordination } from "../replicas/coordination.js";

// The deploy queue of one app in one environment (one per deploy lock): a Lease `tugboat-queue-<app>-<env>` in
// Tugboat's coordination namespace, whose annotation holds the waiting people in order and whose turn it is. Every
// change is read-modify-write with the read resourceVersion (cluster.retryOnConflict), so two replicas changing it
// at once never both win: whoever writes a handover is the one who announces it. Read back, every field is checked
// (anyone with rights in that namespace could have edited it); an entry that does not check out is dropped.

const ANN_QUEUE = "tugboat.dev/queue";
export const LABEL_APP = "tugboat.dev/app";
export const LABEL_ENVIRONMENT = "tugboat.dev/environment";

export interface QueueEntry {
  /** Slack user id. */
  user: string;
  /** The environment as typed (a canary shares its base environment's lock, and so its queue). */
  env: string;
  /** What to deploy, as typed (PR4812, a branch, a sha): the deploy is run again from it when the turn comes. */
  target: string;
  /** Where the deploy was asked for, and where the turn is announced. */
  channel: string;
  /** Start the deploy for them when their turn comes. */
  auto: boolean;
  /**
   * With auto: the commit the target named when they queued. The queue deploys it, not what a branch or PR points
   * at by their turn: whoever pushes meanwhile must not choose what runs as them with nobody looking.
   */
  sha?: string;
  joinedAt: string;
}

export interface QueueTurn extends QueueEntry {
  /** When the turn began, and until when it waits for them to start. */
  since: string;
  until: string;
  /** When their deploy began: from then the turn lasts until that deploy ends (or a grace time passes). */
  startedAt?: string;
}

export interface QueueState {
  entries: QueueEntry[];
  turn?: QueueTurn;
}

export interface QueueKey {
  app: string;
  /** The base environment (whose lock it is). */
  env: string;
}

/** `tugboat-queue-<app>-<env>`, or a digest when that would not be a valid name. */
export function queueLeaseName(key: QueueKey): string {
  const plain = `tugboat-queue-${key.app}-${key.env}`;
  return /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(plain) ? plain : `tugboat-queue-${digest(`${key.app}/${key.env}`, 20)}`;
}

const TARGET = /^[A-Za-z0-9#][A-Za-z0-9._/#-]{0,199}$/;
const NAME = /^[a-z0-9]([a-z0-9._-]{0,62})$/i;

/** Whether a target as typed may be stored in a queue (and typed again from it). */
export function isQueueableTarget(text: string): boolean {
  return TARGET.test(text);
}

function isInstant(v: unknown): v is string {
  return typeof v === "string" && Number.isFinite(Date.parse(v));
}

function checkEntry(raw: unknown): QueueEntry | undefined {
  if (!raw || typeof raw !== "object") return undefined;
  const r = raw as Record<string, unknown>;
  if (typeof r.user !== "string" || !SLACK_ID.test(r.user)) return undefined;
  if (typeof r.channel !== "string" || !SLACK_ID.test(r.channel)) return undefined;
  if (typeof r.env !== "string" || !NAME.test(r.env)) return undefined;
  if (typeof r.target !== "string" || !TARGET.test(r.target)) return undefined;
  if (!isInstant(r.joinedAt)) return undefined;
  if (r.sha !== undefined && (typeof r.sha !== "string" || !/^[0-9a-f]{40}$/.test(r.sha))) return undefined;
  const sha = typeof r.sha === "string" ? { sha: r.sha } : {};
  return { user: r.user, env: r.env, target: r.target, channel: r.channel, auto: r.auto === true, ...sha, joinedAt: r.joinedAt };
}

function checkTurn(raw: unknown): QueueTurn | undefined {
  const entry = checkEntry(raw);
  if (!entry) return undefined;
  const r = raw as Record<string, unknown>;
  if (!isInstant(r.since) || !isInstant(r.until)) return undefined;
  if (r.startedAt !== undefined && !isInstant(r.startedAt)) return undefined;
  return { ...entry, since: r.since, until: r.until, ...(r.startedAt ? { startedAt: r.startedAt as string } : {}) };
}

/** The queue as stored on a Lease (empty when it does not parse). */
export function queueFromLease(lease: V1Lease | undefined): QueueState {
  const text = lease?.metadata?.annotations?.[ANN_QUEUE];
  if (!text) return { entries: [] };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { entries: [] };
  }
  const p = (parsed && typeof parsed === "object" ? parsed : {}) as Record<string, unknown>;
  const entries = (Array.isArray(p.entries) ? p.entries : []).slice(0, 100).map(checkEntry).filter((e): e is QueueEntry => e !== undefined);
  const turn = p.turn === undefined ? undefined : checkTurn(p.turn);
  return turn ? { entries, turn } : { entries };
}

export async function readQueue(c: Coordination, key: QueueKey): Promise<QueueState> {
  return queueFromLease(await c.cluster.leases.find(queueLeaseName(key), c.namespace));
}

/**
 * Changes the queue: `edit` gets the state as read and returns the new state and a result, or undefined to change
 * nothing. On a 409 (someone else changed it first) the read and the edit run again, so `edit` must decide from
 * what it is given only.
 */
export async function updateQueue<T>(c: Coordination, key: QueueKey, edit: (state: QueueState, now: Date) => { state: QueueState; result: T } | { result: T }): Promise<T> {
  const name = queueLeaseName(key);
  return c.cluster.retryOnConflict(async () => {
    const lease = await c.cluster.leases.find(name, c.namespace);
    const now = c.now();
    const out = edit(queueFromLease(lease), now);
    if (!("state" in out)) return out.result;
    const body = coordinationLease(c, name, "queue", {
      resourceVersion: lease?.metadata?.resourceVersion,
      labels: { [LABEL_APP]: key.app, [LABEL_ENVIRONMENT]: key.env },
      annotations: { [ANN_QUEUE]: JSON.stringify(out.state) },
      // The holder is whoever has the turn: kubectl get leases shows it.
      spec: { holderIdentity: out.state.turn ? `turn:${out.state.turn.user}` : "queue", acquireTime: lease?.spec?.acquireTime ?? microTime(now), renewTime: microTime(now) },
    });
    try {
      if (lease) await c.cluster.leases.replace(body);
      else await c.cluster.leases.create(body);
    } catch (err) {
      // Two replicas creating it at once: the loser reads again, as after every conflict.
      if (isGatewayError(err, "already-exists")) throw new GatewayError("conflict", `the queue ${name} was created meanwhile`);
      throw err;
    }
    return out.result;
  });
}

/** Every queue Lease in the coordination namespace, with the app and environment its labels name. */
export async function listQueues(c: Coordination): Promise<Array<{ key: QueueKey; state: QueueState }>> {
  const { items } = await c.cluster.leases.list({ namespace: c.namespace, labelSelector: "app.kubernetes.io/managed-by=tugboat,tugboat.dev/coordination=queue" });
  const out: Array<{ key: QueueKey; state: QueueState }> = [];
  for (const item of items) {
    const app = item.metadata?.labels?.[LABEL_APP];
    const env = item.metadata?.labels?.[LABEL_ENVIRONMENT];
    if (!app || !env || !NAME.test(app) || !NAME.test(env) || item.metadata?.name !== queueLeaseName({ app, env })) continue;
    out.push({ key: { app, env }, state: queueFromLease(item) });
  }
  return out;
}
