import { errorMessage } from "../../core/errors.js";
import type { Logger } from "../../core/logger.js";
import type { Reply } from "../../core/reply.js";
import type { MessageRef, Notifier } from "../../core/services.js";
import type { V1Deployment } from "../../gateways/kube-models.js";
import type { KubeCluster } from "../../gateways/types.js";
import { ANN_CANARY_MESSAGE, ANN_CANARY_STARTED, ANN_PR, ANN_SHA, annotationOps } from "../deploy/annotations.js";

// Where the canary's message is: its chat reference, stored on the canary Deployments (annotation
// tugboat.dev/canary-message) with the run it belongs to (the canary's start), so the guard of whichever replica
// runs next, after a restart too, edits the same message. A new canary run, or a message that can no longer be
// edited (deleted, not the bot's), gets a new message, whose reference replaces the stored one.

interface StoredRef extends MessageRef {
  /** tugboat.dev/canary-started-at of the run the message belongs to. */
  run: string;
}

/** What a reference may hold (it is data anyone with access to the Deployment could have written). */
const REF_PART = /^[A-Za-z0-9._-]{1,64}$/;

function runOf(canary: V1Deployment): string {
  return canary.metadata?.annotations?.[ANN_CANARY_STARTED] ?? canary.metadata?.creationTimestamp ?? "";
}

/** What the canary Deployments say of their run for its message: the PR and sha they ship and when the run started. */
export function canaryRunFacts(canaries: V1Deployment[]): { pr?: number; sha?: string; startedAt?: string } {
  const first = canaries[0];
  const stamp = first?.metadata?.annotations ?? {};
  return { pr: stamp[ANN_PR] ? Number(stamp[ANN_PR]) : undefined, sha: stamp[ANN_SHA], startedAt: (first && runOf(first)) || undefined };
}

/** The message of this canary run in `channel`, if one is stored and well-formed. */
export function storedCanaryMessage(canaries: V1Deployment[], channel: string): MessageRef | undefined {
  for (const canary of canaries) {
    const raw = canary.metadata?.annotations?.[ANN_CANARY_MESSAGE];
    if (!raw) continue;
    let ref: Partial<StoredRef>;
    try {
      ref = JSON.parse(raw) as Partial<StoredRef>;
    } catch {
      continue;
    }
    const valid = typeof ref?.channel === "string" && typeof ref.id === "string" && REF_PART.test(ref.channel) && REF_PART.test(ref.id);
    if (valid && ref.channel === channel && ref.run === runOf(canary)) return { channel: ref.channel!, id: ref.id! };
  }
  return undefined;
}

/**
 * Shows `reply` as the canary's message: edits the stored one, or posts a new one and stores its reference on the
 * canaries (unless `store` is false: they are being removed). Says which it did; a chat that refused both is logged.
 */
export async function showCanaryMessage(input: {
  notifier: Notifier;
  cluster: KubeCluster;
  namespace: string;
  canaries: V1Deployment[];
  channel: string;
  reply: Reply;
  log: Logger;
  store?: boolean;
}): Promise<"updated" | "posted" | "not-shown"> {
  const { notifier, canaries, channel, reply, log } = input;
  const stored = storedCanaryMessage(canaries, channel);
  try {
    if (stored && (await notifier.update(stored, reply)) === "updated") return "updated";
    const ref = await notifier.post(channel, reply);
    if (!ref) return "not-shown";
    if (input.store !== false) {
      for (const c of canaries) {
        const value = JSON.stringify({ channel: ref.channel, id: ref.id, run: runOf(c) } satisfies StoredRef);
        await input.cluster.deployments.patch(c.metadata!.name!, input.namespace, annotationOps(c.metadata?.annotations, { [ANN_CANARY_MESSAGE]: value }), "json");
      }
    }
    return "posted";
  } catch (err) {
    log.warn("could not show the canary's message", { channel, error: errorMessage(err) });
    return "not-shown";
  }
}
