import type { KubeCluster } from "../../gateways/types.js";
import type { V1Deployment, V1Pod, V1ReplicaSet } from "../../gateways/kube-models.js";
import type { PrometheusGateway } from "../../gateways/prometheus-port.js";
import { ANN_ANALYSIS, ANN_AUTO_PROMOTE, ANN_CANARY_STARTED, annotationOps } from "../deploy/annotations.js";
import { CANARY_LABEL } from "../deploy/canary.js";
import { podsOfNewRevision, podsOwnedBy } from "../deploy/pod-owners.js";
import type { CanaryAnalysisConfig } from "./analysis-config.js";
import { evaluateCanary, type AnalysisResult } from "./evaluate-analysis.js";

// One canary's analysis round, when one is due: evaluate, record the result on the canary Deployments
// (annotation tugboat.dev/analysis, which /canary status and the other replica read), and say what follows:
// abort on a failed check, promote when baked and passing and autoPromote is on, otherwise keep running.

export type RoundOutcome =
  | { action: "none"; result?: AnalysisResult; previous?: AnalysisResult }
  | { action: "abort"; result: AnalysisResult }
  | { action: "promote"; result: AnalysisResult };

/** The latest analysis recorded on a canary, or undefined (a malformed annotation counts as none). */
export function recordedAnalysis(canary: V1Deployment): AnalysisResult | undefined {
  const raw = canary.metadata?.annotations?.[ANN_ANALYSIS];
  if (!raw) return undefined;
  try {
    const parsed = JSON.parse(raw) as AnalysisResult;
    return typeof parsed.at === "string" && typeof parsed.verdict === "string" && Array.isArray(parsed.figures) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

export async function runAnalysisRound(input: {
  prometheus: PrometheusGateway;
  analysis: CanaryAnalysisConfig;
  cluster: KubeCluster;
  namespace: string;
  canaries: V1Deployment[];
  replicaSets: V1ReplicaSet[];
  pods: V1Pod[];
  now: Date;
  /** False while an Istio canary has not reached its last weight: it may not be promoted yet. */
  promotable?: boolean;
}): Promise<RoundOutcome> {
  const { analysis, canaries, now } = input;
  const previous = canaries.map(recordedAnalysis).find(Boolean);
  if (previous && now.getTime() - Date.parse(previous.at) < analysis.intervalSeconds * 1000) return { action: "none", previous };
  const canaryPods = canaries.flatMap((c) => podsOfNewRevision(c, input.replicaSets, input.pods)).map((p) => p.metadata!.name!);
  const stablePods: string[] = [];
  for (const c of canaries) {
    const stable = await input.cluster.deployments.find(c.metadata!.labels![CANARY_LABEL]!, input.namespace);
    if (stable) stablePods.push(...podsOwnedBy(stable, input.replicaSets, input.pods).map((p) => p.metadata!.name!));
  }
  const result = await evaluateCanary(input.prometheus, analysis, { namespace: input.namespace, canaryPods, stablePods, at: now });
  for (const c of canaries) {
    const ops = annotationOps(c.metadata?.annotations, { [ANN_ANALYSIS]: JSON.stringify(result) });
    await input.cluster.deployments.patch(c.metadata!.name!, input.namespace, ops, "json");
  }
  if (result.verdict === "fail") return { action: "abort", result };
  const started = Date.parse(canaries[0]?.metadata?.annotations?.[ANN_CANARY_STARTED] ?? canaries[0]?.metadata?.creationTimestamp ?? "");
  const baked = Number.isFinite(started) && now.getTime() - started >= analysis.bakeSeconds * 1000;
  const asked = canaries.some((c) => c.metadata?.annotations?.[ANN_AUTO_PROMOTE]);
  // Never blind: only a passing evaluation (enough samples, Prometheus answered) promotes.
  if (analysis.autoPromote && baked && !asked && result.verdict === "pass" && input.promotable !== false) {
    for (const c of canaries) {
      await input.cluster.deployments.patch(c.metadata!.name!, input.namespace, annotationOps({ [ANN_ANALYSIS]: "" }, { [ANN_AUTO_PROMOTE]: now.toISOString() }), "json");
    }
    return { action: "promote", result };
  }
  return { action: "none", result, previous };
}
