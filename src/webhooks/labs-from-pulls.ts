import type { TugboatConfig } from "../config/schema.js";
import { errorMessage } from "../core/errors.js";
import { rich, textReply, type Reply } from "../core/reply.js";
import type { Services } from "../core/services.js";
import { bringUpLab, type LabUpOutcome } from "../domain/reviewlab/bring-up-lab.js";
import { findLab } from "../domain/reviewlab/find-labs.js";
import type { LabInfo } from "../domain/reviewlab/lab-metadata.js";
import { labConfig, type LabDeps } from "../domain/reviewlab/lab-use-case.js";
import { labNamespace } from "../domain/reviewlab/make-slug.js";
import { imageGateOf, readImageGate } from "../domain/image-gate.js";
import { removeLab, type LabDownOutcome } from "../domain/reviewlab/tear-down-lab.js";
import type { DeliveryContext, GithubEventHandler } from "./dispatch.js";
import type { PullRequestEvent } from "./payloads.js";
import { recordRun, useCaseServices } from "./webhook-runs.js";

// Review labs driven by pull requests (reviewlab.auto): labelling a PR brings its lab up, a push re-ups it at the new
// head, closing or merging it, removing the label, or marking it draft (unless drafts are wanted) removes it. The
// work is the lab use cases' own (bringUpLab, removeLab), as `/reviewlab up` and `down` run them, with the PR's
// head sha so that a delivery overtaken by a newer push does nothing. A re-up starts the lab's time to live again
// (reviewlab.ttlHours from now, never sooner than it was; reviewlab.auto.ttlResetsOnPush: false keeps the expiry).
// Each run is audited as the GitHub user who caused it.

export type AutoLabConfig = NonNullable<NonNullable<TugboatConfig["reviewlab"]>["auto"]>;

export type LabIntent = "up" | "down" | undefined;

/**
 * Whether a PR's branch is in the repository itself. A fork's PR never gets a lab from GitHub's events: its author
 * pushes to it without anyone's review, and every push would re-up the lab with their code (and lab templates); a
 * person can still ask for one from chat (and the reaper removes it once the PR closes). A deleted fork's PR
 * (head.repo null) is a fork's.
 */
export function isOwnBranch(headRepo: string | null | undefined, repo: string): boolean {
  return typeof headRepo === "string" && headRepo.toLowerCase() === repo.toLowerCase();
}

/** What a pull_request delivery asks of its lab, from the PR as the delivery describes it. */
export function labIntent(e: PullRequestEvent, auto: AutoLabConfig): LabIntent {
  const pr = e.pull_request;
  const labels = pr.labels.map((l) => l.name);
  if (!isOwnBranch(pr.head.repo?.full_name, e.repository.full_name)) return undefined;
  const wanted = pr.state === "open" && labels.includes(auto.label) && (auto.drafts || !pr.draft) && !labels.some((l) => auto.ignoreLabels.includes(l));
  switch (e.action) {
    case "closed":
      // A lab brought up from chat for an unlabelled PR is the reaper's (it removes labs of closed PRs).
      return labels.includes(auto.label) ? "down" : undefined;
    case "labeled":
    case "unlabeled": {
      const label = e.label?.name;
      // Only the lab's own label and the ignore labels change anything; other labels are someone else's business.
      if (label !== auto.label && !(label !== undefined && auto.ignoreLabels.includes(label))) return undefined;
      return wanted ? "up" : "down";
    }
    case "synchronize":
    case "reopened":
    case "ready_for_review":
      return wanted ? "up" : undefined;
    case "converted_to_draft":
      return wanted ? undefined : labels.includes(auto.label) ? "down" : undefined;
    default:
      return undefined;
  }
}

/** What the lab handlers need: the services, and the replicas' shared claim (so a head is brought up once). */
export interface LabsFromPullsDeps {
  services: Services;
  /** True the first time any replica asks for this key (the webhook endpoint's shared record). */
  claim(key: string): Promise<boolean>;
}

interface LabRun {
  intent: "up" | "down";
  number: number;
  sha: string;
  /** The PR's head branch: its lab is review-lab-<slug of it>. */
  branch: string;
  sender: string;
  why: string;
  /** The apps of the delivery's repository this event concerns (for a status: those whose imageContexts list it). */
  apps: string[];
  /**
   * A re-up nobody asked for in person (a push's synchronize, CI's success): done once per head. Both events usually
   * come for one head, on any replica, so a lab already at this sha, or a head another delivery claimed, is left alone.
   */
  onceForHead: boolean;
}

/** The pull_request handler for apps whose config has `reviewlab.auto`. */
export function labsFromPullRequests(deps: LabsFromPullsDeps): GithubEventHandler<"pull_request"> {
  const { services } = deps;
  return async (e, ctx) => {
    const auto = services.config.reviewlab?.auto;
    if (!auto) return;
    const intent = labIntent(e, auto);
    if (e.action === "labeled" && e.label?.name === auto.label && !isOwnBranch(e.pull_request.head.repo?.full_name, e.repository.full_name)) await sayForkHasNoLab(services, ctx, e);
    if (!intent) return;
    const pr = e.pull_request;
    await runLab(deps, ctx, { intent, number: e.number, sha: pr.head.sha, branch: pr.head.ref, sender: e.sender.login, why: `pull_request ${e.action}`, apps: ctx.apps, onceForHead: e.action === "synchronize" });
  };
}

/**
 * The status handler: a labelled PR pushed to before its image was ready was refused by the image gate; when an
 * image context turns success on the PR's head, its lab comes up at that head. Every app of the repository whose
 * imageContexts list the context is considered (several apps may share a repository), not only the first.
 */
export function labsFromStatuses(deps: LabsFromPullsDeps): GithubEventHandler<"status"> {
  const { services } = deps;
  return async (e, ctx) => {
    const auto = services.config.reviewlab?.auto;
    if (!auto || e.state !== "success") return;
    const apps = ctx.apps.filter((a) => services.config.apps[a]!.imageContexts.includes(e.context));
    if (apps.length === 0) return;
    const pulls = await services.github.listPullsForCommit(e.repository.full_name, e.sha);
    for (const pr of pulls) {
      const labels = pr.labels ?? [];
      const wanted = pr.state === "open" && pr.headSha === e.sha && isOwnBranch(pr.headRepo, e.repository.full_name) && labels.includes(auto.label) && (auto.drafts || !pr.draft) && !labels.some((l) => auto.ignoreLabels.includes(l));
      if (wanted) await runLab(deps, ctx, { intent: "up", number: pr.number, sha: e.sha, branch: pr.headRef, sender: e.sender.login, why: `status ${e.context} success`, apps, onceForHead: true });
    }
  };
}

/**
 * Which app's lab a run is about. A PR has one lab (its namespace is named after the branch): an existing lab stays
 * its app's (an event that does not concern that app changes nothing); otherwise the first app, in config order,
 * whose image gate is green at the head, else the first app (whose gate then refuses, saying why).
 */
async function chooseApp(services: Services, ctx: DeliveryContext, r: LabRun, existing: LabInfo | undefined): Promise<{ app: string; green: boolean } | undefined> {
  if (existing && ctx.apps.includes(existing.app)) {
    return r.apps.includes(existing.app) ? { app: existing.app, green: await imageIsGreen(services, existing.app, r.sha) } : undefined;
  }
  for (const app of r.apps) if (await imageIsGreen(services, app, r.sha)) return { app, green: true };
  return r.apps[0] === undefined ? undefined : { app: r.apps[0], green: false };
}

async function imageIsGreen(services: Services, app: string, sha: string): Promise<boolean> {
  const cfg = services.config.apps[app]!;
  const gate = await readImageGate(services.github, cfg.repo, sha, imageGateOf(app, cfg));
  return gate.every((g) => g.state === "success");
}

async function runLab(deps: LabsFromPullsDeps, ctx: DeliveryContext, r: LabRun): Promise<void> {
  const { services } = deps;
  const cluster = services.kube.cluster(labConfig(services.config).cluster);
  const found = await findLab(cluster, labNamespace(r.branch));
  const existing = found.state === "lab" && found.lab.branch === r.branch ? found.lab : undefined;
  if (r.intent === "down") return runLabFor(services, ctx, existing && ctx.apps.includes(existing.app) ? existing.app : ctx.apps[0]!, r);
  if (r.onceForHead && existing && !existing.terminating && existing.sha === r.sha) {
    ctx.log.info(`review lab for PR #${r.number}: already up at ${r.sha.slice(0, 7)}`, { why: r.why });
    return;
  }
  const chosen = await chooseApp(services, ctx, r, existing);
  if (!chosen) return;
  // Two deliveries for one head that both found the lab as it was: the first to claim it brings it up. Claimed only
  // once the image is green, so a push whose image is still building leaves the head to CI's success.
  const seen = existing ? existing.updatedAt.toISOString() : "none";
  if (r.onceForHead && chosen.green && !(await deps.claim(`review-lab-up:${labNamespace(r.branch)}:${seen}:${r.sha}`))) {
    ctx.log.info(`review lab for PR #${r.number}: another delivery brings ${r.sha.slice(0, 7)} up`, { why: r.why });
    return;
  }
  await runLabFor(services, ctx, chosen.app, r);
}

async function runLabFor(services: Services, ctx: DeliveryContext, app: string, r: LabRun): Promise<void> {
  const actorId = `github:${r.sender}`;
  const requestId = `gh-${ctx.deliveryId}-${r.number}`;
  const started = services.clock.now();
  const facts: Record<string, unknown> = { app, pr: r.number, sha: r.sha, delivery: ctx.deliveryId, why: r.why };
  const deps: LabDeps = useCaseServices(services, ctx, facts);
  const target = { kind: "pr" as const, number: r.number };
  const entry = { actor: actorId, requestId, command: `review lab ${r.intent} for PR #${r.number} (GitHub webhook)`, started, facts };
  let outcome: LabUpOutcome | LabDownOutcome;
  try {
    outcome =
      r.intent === "up"
        ? await bringUpLab({ target, app, sha: r.sha, force: false, actorId, requestId, expiry: services.config.reviewlab?.auto?.ttlResetsOnPush === false ? "keep" : "extend" }, deps, () => {})
        : await removeLab({ target, app, actorId, requestId, mayRemoveOthers: async () => true }, deps, () => {});
  } catch (err) {
    recordRun(services.audit, { ...entry, now: services.clock.now(), outcome: "failure", reason: errorMessage(err) });
    throw err;
  }
  const ok = ["ready", "removed", "still-terminating", "superseded"].includes(outcome.type);
  const reason = outcome.type === "refused" ? outcome.error.message : outcome.type;
  ctx.log.info(`review lab for PR #${r.number}: ${r.intent} → ${outcome.type}`, { reason });
  recordRun(services.audit, { ...entry, now: services.clock.now(), outcome: ok ? "success" : "failure", reason });
  // Nobody asked in chat: the app's channel (or the reaper's) hears what GitHub's event did.
  const said = describeOutcome(outcome, r);
  if (said) await postLabNews(services, ctx, [app], said);
}

/** Review-lab news from GitHub: to the reaper's channel, else the first of `apps`' channels; a failed post is logged. */
async function postLabNews(services: Services, ctx: DeliveryContext, apps: string[], said: Reply): Promise<void> {
  const channel = services.config.reviewlab?.reaper.channel ?? apps.map((a) => services.config.apps[a]!.channels[0]).find((c) => c !== undefined);
  if (channel) await services.notifier.post(channel, said).catch((err: unknown) => ctx.log.warn("cannot post a review lab's news", { error: errorMessage(err) }));
}

/** Whoever labelled a fork's PR hears why nothing happens, in the channel that would have heard of its lab. */
async function sayForkHasNoLab(services: Services, ctx: DeliveryContext, e: PullRequestEvent): Promise<void> {
  ctx.log.info(`review lab for PR #${e.number}: not brought up, its branch is in a fork`, { fork: e.pull_request.head.repo?.full_name ?? null });
  const fork = e.pull_request.head.repo?.full_name ?? "a deleted fork";
  const said = textReply(`Review lab for PR #${e.number} not brought up: its branch is in ${fork}, and a fork's pushes are nobody's review; ask for it from chat with /reviewlab up PR${e.number} (labeled by ${e.sender.login} on GitHub).`, "warning");
  await postLabNews(services, ctx, ctx.apps, said);
}

/** One line for the channel; nothing for a delivery overtaken by a newer push (its own event speaks). */
function describeOutcome(o: LabUpOutcome | LabDownOutcome, r: { intent: "up" | "down"; number: number; sender: string; why: string }): Reply | undefined {
  const pr = `PR #${r.number}`;
  const by = `(${r.why}, by ${r.sender} on GitHub)`;
  switch (o.type) {
    case "ready":
      return textReply(`Review lab for ${pr} is up at ${o.url}, at ${o.shortSha} ${by}.`, "success");
    case "not-ready":
      return textReply(`Review lab for ${pr} was applied at ${o.shortSha} but is not ready (${o.reason}): ${o.problems.slice(0, 3).join("; ")} ${by}.`, "warning");
    case "apply-failed":
    case "follow-failed":
      return textReply(`Review lab for ${pr}: ${o.cause} ${by}.`, "error");
    case "removed":
    case "still-terminating":
      return textReply(`Review lab for ${pr} removed (${o.namespace}) ${by}.`, "success");
    case "refused":
      // Removing a lab that is not there is no news.
      return r.intent === "down" ? undefined : textReply(rich`Review lab for ${pr} not changed: ${o.error.text} ${by}`, "warning");
    default:
      return undefined;
  }
}

