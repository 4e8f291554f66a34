import type { Logger } from "../../core/logger.js";
import { errorMessage } from "../../core/errors.js";
import { isGatewayError } from "../../gateways/types.js";
import type { V1Lease } from "../../gateways/kube-models.js";
import { labelsFor, microTime, type Coordination, type Purpose } from "./coordination.js";

// A prompt shared by every replica: a Lease in the coordination namespace whose annotations hold what was asked
// and the answers so far. Whoever answers reads it, decides, and writes with the read resourceVersion, so of two
// answers racing (or an answer and the asker's time-out) each is judged against the other's result: a 409 reads
// again. Confirm/Cancel prompts (shared-confirmations.ts) and deploy approvals (domain/approvals) are built on it.

/** Annotations every prompt carries: the asking replica's instance id, the person asked, the channel. */
export const ANN_ASKER = "tugboat.dev/asker-id";
export const ANN_USER = "tugboat.dev/user";
export const ANN_CHANNEL = "tugboat.dev/channel";

/** Read-modify-write tries of a prompt's Lease before giving up on 409s. */
const CONFLICT_RETRIES = { attempts: 3 };

/**
 * What a decision on the prompt's current state does: write these annotations (and spec fields, such as a renewal's
 * renewTime) and answer from the result, or only answer.
 */
export type PromptDecision<R> = { write: Record<string, string>; spec?: Record<string, unknown>; then: (written: V1Lease) => R } | { answer: R };

/** Creates the prompt's Lease; with `leaseDurationSeconds` its asker renews it while waiting (a stale one is an asker gone). */
export async function openPromptLease(
  c: Coordination,
  p: { name: string; purpose: Purpose; labels?: Record<string, string>; annotations: Record<string, string>; leaseDurationSeconds?: number },
): Promise<V1Lease> {
  return c.cluster.leases.create({
    apiVersion: "coordination.k8s.io/v1",
    kind: "Lease",
    metadata: { name: p.name, namespace: c.namespace, labels: labelsFor(p.purpose, p.labels), annotations: p.annotations },
    spec: {
      holderIdentity: c.instanceId,
      acquireTime: microTime(c.now()),
      ...(p.leaseDurationSeconds ? { leaseDurationSeconds: p.leaseDurationSeconds, renewTime: microTime(c.now()) } : {}),
    },
  });
}

export async function findPromptLease(c: Coordination, name: string): Promise<V1Lease | undefined> {
  return c.cluster.leases.find(name, c.namespace);
}

/**
 * Reads the prompt (undefined when it is gone), lets `decide` judge it, and writes what it asks with the read
 * resourceVersion; a conflict (someone else wrote first) decides again from a fresh read. `onConflict` answers when
 * the conflicts outlast the retries.
 */
export async function updatePromptLease<R>(c: Coordination, name: string, decide: (obj: V1Lease | undefined) => PromptDecision<R>, onConflict: () => R): Promise<R> {
  const leases = c.cluster.leases;
  const attempt = async (): Promise<R> => {
    const obj = await leases.find(name, c.namespace);
    const decision = decide(obj);
    if ("answer" in decision || !obj) return "answer" in decision ? decision.answer : onConflict();
    const annotations = { ...obj.metadata?.annotations, ...decision.write };
    const spec = decision.spec ? { ...obj.spec, ...decision.spec } : obj.spec;
    return decision.then(await leases.replace({ ...obj, metadata: { ...obj.metadata, annotations }, spec }));
  };
  return c.cluster.retryOnConflict(attempt, CONFLICT_RETRIES).catch((err: unknown): R => {
    if (!isGatewayError(err, "conflict")) throw err;
    return onConflict();
  });
}

/** Deletes a prompt's Lease; one already gone is fine, every other failure is logged (the leader sweeps expired ones). */
export async function closePromptLease(c: Coordination, name: string, log: Logger): Promise<void> {
  await c.cluster.leases.delete(name, c.namespace).catch((err) => {
    if (!isGatewayError(err, "not-found")) log.warn("could not delete a prompt Lease", { name, error: errorMessage(err) });
  });
}

/** How long observing waits for its first list before returning (it keeps trying after). */
const FIRST_LIST_WAIT_MS = 5000;

/**
 * Calls `seen` with every prompt Lease the selector picks, now and after each change, through the port's informer
 * (which re-lists and backs off by itself, and with `keepTrying` never gives up: prompts must keep working through
 * an outage). Resolves once the first list is in (or after a few seconds).
 */
export async function observePromptLeases(
  c: Coordination,
  select: { labelSelector?: string; fieldSelector?: string; keepTrying?: boolean },
  seen: (obj: V1Lease) => void,
  gone?: (obj: V1Lease) => void,
): Promise<{ stop(): void }> {
  const informer = await c.cluster.leases.informer({ namespace: c.namespace, ...select });
  informer.onChange((change) => {
    if (change.type === "RELISTED") informer.items().forEach(seen);
    else if ((change.type === "ADDED" || change.type === "MODIFIED") && change.object) seen(change.object);
    else if (change.type === "DELETED" && change.object) gone?.(change.object);
  });
  await informer.waitFor(() => true, { timeoutMs: FIRST_LIST_WAIT_MS });
  return { stop: () => informer.stop() };
}
