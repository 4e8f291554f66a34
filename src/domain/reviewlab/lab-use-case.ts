import type { TugboatConfig } from "../../config/schema.js";
import { UserError } from "../../core/errors.js";
import type { Logger } from "../../core/logger.js";
import type { Clock } from "../../core/services.js";
import { getOwn } from "../../core/own-keys.js";
import { GatewayError, type GithubGateway, type KubeCluster, type KubeGateway } from "../../gateways/types.js";
import { findLab } from "./find-labs.js";
import type { LabInfo } from "./lab-metadata.js";
import { labNamespace } from "./make-slug.js";

// What the review-lab use cases (bring-up-lab, remove-lab-use-case, extend-lab) share: their dependencies, the way a
// lab is named, and how they report. A use case knows no chat: it takes its inputs and dependencies, emits typed
// events as it goes and returns its outcome (also emitted, last). A chat command renders the events into one
// message; a webhook can run the same function for a pull request with its own `emit`.
//
// Refusals (bad or stale input, limits, permissions, a lab that is not Tugboat's) are a `refused` outcome carrying
// the UserError a person would read. Failures Tugboat did not foresee (a gateway error outside the steps that handle
// them) reject, after the GitHub deployment of an `up` has been marked failed.

export type LabConfig = NonNullable<TugboatConfig["reviewlab"]>;

/** A lab is named by its branch or by a PR (whose head branch it is). */
export type LabTarget = { kind: "pr"; number: number } | { kind: "branch"; name: string };

/** Receives each event in order; a returned promise is awaited before the use case goes on (a reply is sent first). */
export type Emit<E> = (event: E) => void | Promise<void>;

export interface LabDeps {
  config: TugboatConfig;
  kube: KubeGateway;
  github: GithubGateway;
  clock: Clock;
  log: Logger;
  /** Facts for the audit entry of whatever started the use case (a command, a webhook delivery). */
  audit: (facts: Record<string, unknown>) => void;
  /** This bot process, for Lease holders and for restart recovery of GitHub deployments. */
  instanceId: string;
  /** Shutdown: waits end early and nothing new is started. */
  signal?: AbortSignal;
}

/** Who asked and where the answer goes; the request id makes Lease holders unique. */
export interface LabRequest {
  actorId: string;
  requestId: string;
  /** The chat channel that asked, recorded on the GitHub deployment (restart recovery posts there). */
  channelId?: string;
}

export interface Refused {
  type: "refused";
  error: UserError;
}

export function labConfig(config: TugboatConfig): LabConfig {
  if (!config.reviewlab) throw new UserError("Review labs are not configured on this Tugboat (no `reviewlab` section in its config).");
  return config.reviewlab;
}

export function describeTarget(t: LabTarget): string {
  return t.kind === "pr" ? `PR #${t.number}` : t.name;
}

/** The branch a lab target names; a PR is looked up in `repo`. */
export async function labBranch(github: GithubGateway, repo: string | undefined, target: LabTarget): Promise<string> {
  if (target.kind === "branch") return target.name;
  if (repo === undefined) throw new UserError(`Name the app whose PR #${target.number} this is.`);
  try {
    return (await github.getPull(repo, target.number)).headRef;
  } catch (err) {
    if (err instanceof GatewayError && err.kind === "not-found") throw new UserError(`PR #${target.number} was not found in ${repo}.`);
    throw err;
  }
}

/**
 * Runs a use case's body, which emits its own outcomes (a reply may have to go out before its last writes): a
 * UserError it throws instead becomes its `refused` outcome, emitted like every other.
 */
export async function refusalsAsOutcome<O>(emit: Emit<Refused>, body: () => Promise<O>): Promise<O | Refused> {
  try {
    return await body();
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    const refused: Refused = { type: "refused", error: err };
    await emit(refused);
    return refused;
  }
}

/** A lab that exists and is not being removed, for the use cases that change one (extend, pin). */
export async function existingLab(deps: LabDeps, target: LabTarget, app: string | undefined): Promise<{ cluster: KubeCluster; lab: LabInfo }> {
  const cfg = labConfig(deps.config);
  const cluster = deps.kube.cluster(cfg.cluster);
  const branch = await labBranch(deps.github, app === undefined ? undefined : getOwn(deps.config.apps, app)?.repo, target);
  const found = await findLab(cluster, labNamespace(branch));
  if (found.state !== "lab" || found.lab.branch !== branch) {
    throw new UserError(`There is no review lab for \`${branch}\`. See \`/reviewlab list\`.`);
  }
  if (found.lab.terminating) throw new UserError(`The review lab for \`${branch}\` is being removed.`);
  return { cluster, lab: found.lab };
}
