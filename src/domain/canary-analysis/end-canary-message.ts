import type { TugboatConfig } from "../../config/schema.js";
import type { Logger } from "../../core/logger.js";
import type { Text } from "../../core/reply.js";
import type { Notifier } from "../../core/services.js";
import type { V1Deployment } from "../../gateways/kube-models.js";
import { ANN_CHANNEL } from "../deploy/annotations.js";
import { errorMessage } from "../../core/errors.js";
import { analysisFor } from "./analysis-config.js";
import { canaryMessage } from "./canary-message.js";
import { canaryRunFacts, storedCanaryMessage } from "./canary-message-ref.js";
import { recordedAnalysis } from "./canary-round.js";

// A person ended the canary run (/canary abort, /canary promote, or the promotion the guard asked for): its message,
// if it has one that can still be edited, says so under its last figures. The command's own reply tells the
// channel, so nothing new is posted here.

export async function endCanaryMessage(input: {
  notifier: Notifier;
  config: TugboatConfig;
  app: string;
  baseEnv: string;
  /** The canary Deployments as they were before they were removed. */
  canaries: V1Deployment[];
  now: Date;
  end: { outcome: "aborted" | "promoted"; text: Text };
  log: Logger;
}): Promise<void> {
  const analysis = analysisFor(input.config, input.app);
  const stamp = input.canaries[0]?.metadata?.annotations ?? {};
  const channel = stamp[ANN_CHANNEL];
  const ref = channel ? storedCanaryMessage(input.canaries, channel) : undefined;
  if (!analysis || !ref) return;
  const istio = input.config.apps[input.app]?.canary;
  const reply = canaryMessage({
    app: input.app,
    baseEnv: input.baseEnv,
    ...canaryRunFacts(input.canaries),
    analysis,
    result: input.canaries.map(recordedAnalysis).find(Boolean),
    istio: istio?.mode === "istio" ? { weight: input.end.outcome === "aborted" ? 0 : 100, steps: istio.steps } : undefined,
    now: input.now,
    end: input.end,
  });
  await input.notifier.update(ref, reply).catch((err) => input.log.warn("could not end the canary's message", { error: errorMessage(err) }));
}
