import { textReply } from "../../core/reply.js";
import type { Services } from "../../core/services.js";
import type { Logger } from "../../core/logger.js";
import { errorMessage } from "../../core/errors.js";
import { ANN_CANARY_STARTED, ANN_CHANNEL } from "./annotations.js";
import { listCanaries, removeCanaries } from "./canary.js";
import { podFailure } from "./follow-rollout.js";
import { podsOfNewRevision } from "./pod-owners.js";
import { resolveDeployEnv } from "./resolve-deploy-env.js";
import type { V1Deployment, V1Pod, V1ReplicaSet } from "../../gateways/kube-models.js";
import { closeCanaryDeployment } from "./abort-canary.js";
import { ANN_DEPLOYED_BY } from "./annotations.js";
import { analysisFor } from "../canary-analysis/analysis-config.js";
import { runAnalysisRound } from "../canary-analysis/canary-round.js";
import { figuresLine } from "../canary-analysis/evaluate-analysis.js";
import { canaryServices, currentCanaryWeight, nextStep, setCanaryWeight } from "../canary-analysis/istio-canary.js";
import { canaryMessage, type CanaryMessageFacts } from "../canary-analysis/canary-message.js";
import { canaryRunFacts, showCanaryMessage } from "../canary-analysis/canary-message-ref.js";

// The canary guard: a canary that is not Ready within config.deploy.canaryReadySeconds of its start, or
// whose pods restart, is aborted, and the channel that started it (annotation tugboat.dev/channel) is told.
// Where the app has canary analysis (a Prometheus URL), a healthy canary is also judged by its metrics every
// analysis interval: a failed check aborts it with the numbers, a pass after the bake time promotes it when
// autoPromote is on (as its deployer, through /canary promote), and an unreachable Prometheus leaves it running.
// With analysis, the canary has one message (canary-message.ts) that each round rewrites with the latest figures
// and the end is written into; the end is also posted anew, so the channel is notified.

/** Why this canary must go, if it must. */
export function canaryVerdict(canary: V1Deployment, replicaSets: V1ReplicaSet[], pods: V1Pod[], now: Date, readySeconds: number): string | undefined {
  // By owner, not by template: injected sidecars or rewritten images make pods differ from the template.
  const mine = podsOfNewRevision(canary, replicaSets, pods);
  const failure = podFailure(mine, true);
  if (failure) return failure;
  const started = Date.parse(canary.metadata?.annotations?.[ANN_CANARY_STARTED] ?? canary.metadata?.creationTimestamp ?? "");
  const ready = (canary.status?.readyReplicas ?? 0) >= (canary.spec?.replicas ?? 1);
  if (!ready && Number.isFinite(started) && now.getTime() - started > readySeconds * 1000) {
    return `${canary.metadata?.name} was not Ready within ${readySeconds}s`;
  }
  return undefined;
}

/** One round of the guard over every app's canaries; returns the canary Deployments it removed. */
export async function guardCanaries(services: Services, log: Logger): Promise<string[]> {
  const { config, kube, clock } = services;
  const aborted: string[] = [];
  const canaryEnvs = Object.entries(config.environments).filter(([, e]) => e.canaryOf);
  for (const app of Object.keys(config.apps)) {
    for (const [envName] of canaryEnvs) {
      const env = resolveDeployEnv(config, app, envName);
      try {
        const cluster = kube.cluster(env.cluster);
        const canaries = await listCanaries(cluster, env.namespace);
        if (canaries.length === 0) continue;
        const { items: pods } = await cluster.pods.list({ namespace: env.namespace });
        const { items: replicaSets } = await cluster.replicaSets.list({ namespace: env.namespace });
        const now = clock.now();
        const verdicts = canaries.map((c) => canaryVerdict(c, replicaSets, pods, now, config.deploy.canaryReadySeconds)).filter(Boolean) as string[];
        const channel = canaries.map((c) => c.metadata?.annotations?.[ANN_CHANNEL]).find(Boolean);
        const say = async (text: string, tone: "error" | "warning" | "info") => {
          if (channel) await services.notifier.post(channel, textReply(text, tone)).catch((err) => log.warn("could not post to the canary's channel", { error: errorMessage(err) }));
        };
        const analysis = analysisFor(config, app);
        const istio = config.apps[app]?.canary?.mode === "istio" ? config.apps[app]!.canary! : undefined;
        const route = { cluster, namespace: env.namespace, canaries, replicaSets, fieldManager: config.deploy.fieldManager };
        let weight = 0;
        let result: CanaryMessageFacts["result"];
        // The canary's message, where its analysis runs; "posted" when it had to be a new message.
        const show = async (more: Partial<CanaryMessageFacts>, store = true) => {
          if (!channel || !analysis || !services.prometheus) return "not-shown";
          const facts: CanaryMessageFacts = { app, baseEnv: env.baseEnv, ...canaryRunFacts(canaries), analysis, result, istio: istio && { weight, steps: istio.steps }, now, ...more };
          return showCanaryMessage({ notifier: services.notifier, cluster, namespace: env.namespace, canaries, channel, reply: canaryMessage(facts), log, store });
        };
        /** The end of the run: written into the canary's message and posted anew (once, if the message itself is new). */
        const end = async (outcome: "aborted" | "promoting", text: string, tone: "error" | "info") => {
          if ((await show({ end: { outcome, text } }, false)) !== "posted") await say(text, tone);
        };
        if (istio && verdicts.length === 0) {
          weight = await currentCanaryWeight(cluster, env.namespace, (await canaryServices(cluster, env.namespace, canaries)).map((s) => s.service));
          if (weight === 0) {
            weight = istio.steps[0]!;
            await setCanaryWeight({ ...route, weight });
            const news = `The ${app} canary takes ${weight}% of the traffic (Istio).`;
            if ((await show({ news })) === "not-shown") await say(news, "info");
            continue; // judged at this weight from the next interval on
          }
        }
        if (verdicts.length === 0 && analysis && services.prometheus) {
          const outcome = await runAnalysisRound({ prometheus: services.prometheus, analysis, cluster, namespace: env.namespace, canaries, replicaSets, pods, now, promotable: !istio || weight >= 100 });
          result = outcome.result ?? (outcome.action === "none" ? outcome.previous : undefined);
          const next = istio && outcome.action === "none" && outcome.result?.verdict === "pass" ? nextStep(istio.steps, weight) : undefined;
          let news: string | undefined;
          if (next !== undefined) {
            await setCanaryWeight({ ...route, weight: next });
            news = `The ${app} canary passed at ${weight}% (${figuresLine(outcome.result!)}): it now takes ${next}% of the traffic.`;
            weight = next;
          }
          if (outcome.action === "abort") verdicts.push(outcome.result.reason ?? "its analysis failed");
          else if (outcome.action === "promote") {
            const deployer = canaries[0]?.metadata?.annotations?.[ANN_DEPLOYED_BY];
            await end("promoting", `The ${app} canary passed its analysis (${figuresLine(outcome.result)}) for its bake time: promoting it to ${env.baseEnv}.`, "info");
            if (deployer && channel && services.runOnBehalf) {
              // Not awaited: the promotion may wait for approvals; it reports in the channel itself.
              void services.runOnBehalf({ user: deployer, channel, command: `/canary promote ${app}`, confirmed: true }).catch((err) => log.warn("automatic promotion failed", { app, error: errorMessage(err) }));
            }
          } else if (outcome.result) {
            // A new evaluation: the message shows it.
            await show({ news });
            if (outcome.result.verdict === "unreachable" && outcome.previous?.verdict !== "unreachable") {
              await say(`Cannot judge the ${app} canary: ${outcome.result.reason}. It keeps running and is not promoted until its metrics can be read.`, "warning");
            }
          }
        }
        if (verdicts.length === 0) continue;
        // One bad canary pod aborts the whole canary: they ship the same sha. Istio: its traffic goes back first.
        if (istio) await setCanaryWeight({ ...route, weight: (weight = 0) });
        const removed = await removeCanaries(cluster, env.namespace, canaries.map((c) => c.metadata!.name!));
        if (removed.length === 0) continue;
        aborted.push(...removed);
        await closeCanaryDeployment(services.github, env, "failure", `Canary aborted automatically: ${verdicts[0]}`, log);
        const text = `Aborted the ${app} canary automatically: ${verdicts.join("; ")}. Removed ${removed.join(", ")}; ${env.baseEnv} runs only its stable pods.`;
        log.warn("canary aborted", { app, removed, reasons: verdicts });
        await end("aborted", text, "error");
      } catch (err) {
        log.warn("canary check failed", { app, env: envName, error: errorMessage(err) });
      }
    }
  }
  return aborted;
}
