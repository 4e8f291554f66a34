import { errorMessage } from "../../core/errors.js";
import type { Logger } from "../../core/logger.js";
import type { V1Deployment } from "../../gateways/kube-models.js";
import type { GithubGateway } from "../../gateways/types.js";
import { removeCanaries } from "./canary.js";
import type { DeployDeps } from "./deploy-use-case.js";
import { findCanary } from "./find-canary.js";
import type { DeployEnv } from "./resolve-deploy-env.js";

// Canary abort: remove the canary Deployments (production's stable ones are never touched) and mark the canary's
// GitHub deployment inactive.

export type AbortCanaryEvent =
  | { type: "no-canary"; app: string; env: DeployEnv }
  /** `canaries`: the Deployments as they were before they were removed (their annotations say where the canary's message is). */
  | { type: "canary-aborted"; app: string; env: DeployEnv; removed: string[]; sha?: string; canaries: V1Deployment[] };

/** Marks the latest GitHub deployment of the canary environment inactive (or failure). */
export async function closeCanaryDeployment(github: GithubGateway, env: DeployEnv, state: "inactive" | "failure", description: string, log: Logger): Promise<void> {
  try {
    const [latest] = await github.listDeployments(env.repo, { environment: env.env, limit: 1 });
    if (latest && latest.state !== "inactive") await github.createDeploymentStatus(env.repo, latest.id, { state, description });
  } catch (err) {
    log.warn("could not update the canary's GitHub deployment", { error: errorMessage(err) });
  }
}

export async function abortCanary(
  input: { app: string; actor: string },
  deps: Pick<DeployDeps, "config" | "kube" | "github" | "log" | "audit"> & { emit(event: AbortCanaryEvent): void },
): Promise<void> {
  const { config, kube, github } = deps;
  const state = await findCanary(config, kube, input.app);
  if (state.canaries.length === 0) {
    deps.emit({ type: "no-canary", app: input.app, env: state.env });
    return;
  }
  const removed = await removeCanaries(
    state.cluster,
    state.env.namespace,
    state.canaries.map((c) => c.metadata!.name!),
  );
  await closeCanaryDeployment(github, state.env, "inactive", `Canary aborted by ${input.actor}`, deps.log);
  deps.audit({ app: input.app, canary: removed, sha: state.sha });
  deps.emit({ type: "canary-aborted", app: input.app, env: state.env, removed, sha: state.sha, canaries: state.canaries });
}
