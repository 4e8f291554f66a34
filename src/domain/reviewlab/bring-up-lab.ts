import { UserError, errorMessage } from "../../core/errors.js";
import { code, linkMarkdown, md } from "../../core/github-markdown.js";
import { getOwn } from "../../core/own-keys.js";
import type { KObject, KubeCluster, PullRequest } from "../../gateways/types.js";
import { applyObjects } from "../apply-objects.js";
import { checkImageGate, imageGateOf } from "../image-gate.js";
import { resolveTarget, type TargetSpec } from "../resolve-target.js";
import { renderTemplates } from "../render/render-pool.js";
import { labContentPolicy } from "../content-policy/from-config.js";
import { enforceContentPolicy } from "../content-policy/enforce.js";
import { labNamespace, labSlug } from "./make-slug.js";
import { commentPatch, labNamespaceObject, type LabInfo } from "./lab-metadata.js";
import { findLab } from "./find-labs.js";
import { buildLabSecret } from "./layer-secrets.js";
import { withCreationLock } from "./creation-lock.js";
import { loadLabTemplates } from "./load-templates.js";
import { checkLabObjects, labIngress, templateValues } from "./plan-lab.js";
import { labEnvironment } from "./remove-lab.js";
import { describeNotReady, waitForDeployments } from "./wait-for-deployments.js";
import { LabDeploymentRecorder } from "./record-lab-deployment.js";
import { checkLabLimits } from "./lab-limits.js";
import { ApplyFailure, failFast } from "./fail-fast.js";
import { describeTarget, labConfig, refusalsAsOutcome, type Emit, type LabDeps } from "./lab-use-case.js";
import type { LabUpEvent, LabUpInput, LabUpOutcome, LabUpSummary } from "./lab-up-events.js";

// `lab up` as a use case: resolve the branch and its image → render and check the templates → record a GitHub
// deployment → create the Namespace (under the creation lock, within the limits) and apply the rest → follow the
// Deployments until they are available. Events in order:
//   resolved → rendered → applying* → applied → rollout-progress* → ready | not-ready | apply-failed | follow-failed
//   (or refused, at whatever point before the first object is applied), then github-warnings when GitHub writes failed.
// Nothing is rolled back on failure: a half-applied lab is named with how to remove it.

export type { LabUpEvent, LabUpInput, LabUpOutcome, LabUpSummary } from "./lab-up-events.js";

export async function bringUpLab(input: LabUpInput, deps: LabDeps, emit: Emit<LabUpEvent>): Promise<LabUpOutcome> {
  let recorder: LabDeploymentRecorder | undefined;
  try {
    return await refusalsAsOutcome(emit, () => upSteps(input, deps, emit, (r) => (recorder = r)));
  } catch (err) {
    await recorder?.finish("failure", `Review lab failed: ${errorMessage(err)}`.slice(0, 140));
    throw err;
  }
}

async function upSteps(input: LabUpInput, deps: LabDeps, emit: Emit<LabUpEvent>, recording: (r: LabDeploymentRecorder) => void): Promise<LabUpOutcome> {
  const { config, github, clock } = deps;
  const startedAt = clock.now();
  const cfg = labConfig(config);
  // A time to live from outside (a webhook's config, a caller) is bounded like /reviewlab extend is.
  if (input.ttlHours !== undefined && !(Number.isFinite(input.ttlHours) && input.ttlHours > 0 && input.ttlHours <= cfg.maxExtendHours)) {
    throw new UserError(`A review lab's time to live must be more than 0 and at most ${cfg.maxExtendHours} h (reviewlab.maxExtendHours); ${input.ttlHours} was asked.`);
  }
  const app = getOwn(config.apps, input.app);
  if (!app) throw new UserError(`Unknown app "${input.app}".`);
  const cluster = deps.kube.cluster(cfg.cluster);
  const what = describeTarget(input.target);

  // 1. The branch head, its PR, and the image gate.
  const spec: TargetSpec = input.target.kind === "pr" ? { kind: "pr", number: input.target.number } : { kind: "branch", name: input.target.name };
  const target = await resolveTarget(github, app.repo, spec);
  if (target.pr && target.pr.state === "closed" && input.target.kind === "pr") {
    throw new UserError(`PR #${target.pr.number} is already ${target.pr.merged ? "merged" : "closed"}; review labs are for open PRs.`);
  }
  const branch = target.branch ?? target.pr?.headRef;
  if (!branch) throw new UserError(`${what} has no branch to name a review lab after.`);
  if (input.sha !== undefined && input.sha !== target.sha) {
    const superseded: LabUpOutcome = { type: "superseded", branch, sha: input.sha, head: target.sha };
    await emit(superseded);
    return superseded;
  }
  const pr: PullRequest | undefined = target.pr?.state === "open" ? target.pr : undefined;
  if (!input.force) await checkImageGate(github, app.repo, target, imageGateOf(input.app, app));
  deps.audit({ branch, sha: target.sha, pr: pr?.number, forced: input.force || undefined });

  const slug = labSlug(branch);
  const namespace = labNamespace(branch);
  const host = `${slug}.${cfg.domain}`;
  const url = `https://${host}`;
  // Templates and secret sources are read while the lab's namespace and the limits are checked.
  const commonLabels = { "app.kubernetes.io/managed-by": "tugboat", "tugboat.dev/slug": slug };
  const policy = labContentPolicy(config, host);
  const templateLoad = loadLabTemplates(github, app.repo, target.sha, cfg.templatesDir, policy.maxBytes);
  const secretLoad = buildLabSecret(cluster, {
    sourceNamespace: cfg.secretSourceNamespace,
    sources: cfg.secretSources,
    app: input.app,
    name: cfg.secretName,
    namespace,
    labels: commonLabels,
  });
  templateLoad.catch(() => undefined);
  secretLoad.catch(() => undefined);
  const found = await findLab(cluster, namespace);
  if (found.state === "foreign") throw new UserError(`Namespace ${namespace} exists but is not a Tugboat review lab; Tugboat will not touch it.`);
  let existing: LabInfo | undefined;
  if (found.state === "lab") {
    existing = found.lab;
    if (existing.branch !== branch) {
      throw new UserError(`Namespace ${namespace} already holds the review lab of branch \`${existing.branch}\`; \`${branch}\` cannot use it.`);
    }
    if (existing.terminating) throw new UserError(`The review lab for \`${branch}\` is being removed; try again once it is gone.`);
  } else {
    // A quick refusal now; checked again under the creation lock right before the Namespace is created.
    await checkLabLimits(cluster, cfg, namespace, input.actorId, clock.now());
  }
  await emit({ type: "resolved", branch, sha: target.sha, shortSha: target.shortSha, label: target.label, pr: pr?.number, forced: input.force, namespace, url, updating: existing !== undefined });

  // 2. Templates, the layered Secret and the Ingress, checked before anything is created.
  const owner = existing?.owner ?? input.actorId;
  const templates = await templateLoad;
  const values = templateValues({
    image: `${app.image}:${target.sha}`,
    sha: target.sha,
    shortSha: target.shortSha,
    branch,
    slug,
    namespace,
    host,
    pr: pr?.number,
    owner,
    app: input.app,
    service: cfg.ingress.service,
    secretName: cfg.secretName,
  });
  // Off the main thread within the policy's budget, then checked whole before the namespace exists.
  const rendered = await renderTemplates(templates.files, values, { timeoutMs: policy.renderTimeoutMs, maxBytes: policy.maxBytes });
  rendered.failures.unshift(...templates.failures);
  await enforceContentPolicy(cluster, rendered, policy, { namespace, what: "review labs", subject: `the review-lab templates of ${target.label} (${templates.source})` });
  const secret = await secretLoad;
  const ingress = labIngress({
    namespace,
    host,
    service: cfg.ingress.service,
    port: cfg.ingress.port,
    labels: commonLabels,
    slug,
    ...(cfg.ingress.className !== undefined ? { className: cfg.ingress.className } : {}),
    ...(cfg.ingress.tls ? { tls: cfg.ingress.tls } : {}),
  });
  const checked = await checkLabObjects(cluster, rendered.objects, namespace, [secret.secret, ingress]);
  const objects = [...checked, secret.secret, ingress];
  await emit({ type: "rendered", templates: templates.files.length, source: templates.source });

  // 3. The GitHub deployment, then the namespace (with the lab's metadata), then everything else.
  const warnings: string[] = [];
  if (secret.missing.length > 0) warnings.push(`no Secret ${secret.missing.map((m) => `\`${m}\``).join(", ")} in ${cfg.secretSourceNamespace} (skipped)`);
  const recorder = new LabDeploymentRecorder(
    github,
    app.repo,
    {
      ref: target.sha,
      environment: labEnvironment(slug),
      description: `Review lab for ${branch}`.slice(0, 140),
      // instance and channel: if this replica dies mid-way, the leader settles the deployment and says so there.
      payload: { app: input.app, branch, namespace, cluster: cluster.name, owner, actor: input.actorId, pr: pr?.number ?? null, instance: deps.instanceId, channel: input.channelId ?? null },
      transientEnvironment: true,
      productionEnvironment: false,
    },
    { environmentUrl: url, logUrl: input.logUrl ?? (async () => undefined) },
    deps.log,
  );
  recording(recorder);

  const now = clock.now();
  const ttlHours = input.ttlHours ?? cfg.ttlHours;
  const lab: Omit<LabInfo, "terminating"> = {
    pinned: input.pin ?? existing?.pinned ?? false,
    namespace,
    slug,
    app: input.app,
    branch,
    sha: target.sha,
    pr: pr?.number,
    owner,
    createdAt: existing?.createdAt ?? now,
    updatedAt: now,
    expiresAt: labExpiry(existing?.expiresAt, new Date(now.getTime() + ttlHours * 3600_000), input.expiry ?? "extend"),
    url,
    // The PR's comment is edited in place by every `up` (a lab whose branch has a new PR gets a new one).
    ...(pr && existing?.pr === pr.number && existing.commentId !== undefined ? { commentId: existing.commentId } : {}),
  };
  const nsObject = labNamespaceObject(lab);
  const total = objects.length + 1;
  let applied = 0;
  await emit({ type: "applying", applied, total });
  try {
    await createNamespace(deps, input, cluster, nsObject, existing === undefined, branch);
    applied = 1;
    await emit({ type: "applying", applied, total });
    const progress: Promise<void>[] = [];
    await applyObjects(failFast(cluster), objects, {
      fieldManager: config.deploy.fieldManager,
      concurrency: cfg.applyConcurrency,
      onApplied: () => {
        applied++;
        progress.push(Promise.resolve(emit({ type: "applying", applied, total })));
      },
    });
    await Promise.all(progress);
  } catch (err) {
    await recorder.finish("failure", "Applying the review lab failed");
    // Refused by the limits (or the creation lock) before anything was created: that refusal is the outcome.
    if (applied === 0 && err instanceof UserError) throw err;
    deps.audit({ applied, total });
    const outcome: LabUpOutcome = {
      type: "apply-failed",
      branch,
      cause: err instanceof ApplyFailure ? err.message : errorMessage(err),
      applied,
      total,
      warnings: [...warnings, ...recorder.warnings],
    };
    await emit(outcome);
    return outcome;
  }
  await emit({ type: "applied", total });

  // 4. Follow the Deployments (the port's informer), naming failing pods when they do not make it.
  const deployments = objects.filter((o) => o.kind === "Deployment").map((o) => o.metadata?.name ?? "");
  await emit({ type: "rollout-progress", available: 0, total: deployments.length });
  let finishedAt = startedAt;
  const summary = (warned: string[]): LabUpSummary => ({
    branch,
    namespace,
    slug,
    url,
    sha: target.sha,
    shortSha: target.shortSha,
    ...(pr ? { pr: { number: pr.number, url: pr.url } } : {}),
    cluster: cluster.name,
    expiresAt: lab.expiresAt,
    ttlHours,
    ...(existing ? { previousSha: existing.sha } : {}),
    objects: [nsObject, ...objects],
    deployments: deployments.length,
    templateSource: templates.source,
    secret: { name: cfg.secretName, used: secret.used, keyCount: secret.keyCount },
    startedAt,
    finishedAt,
    warnings: warned,
  });
  let wait: Awaited<ReturnType<typeof waitForDeployments>>;
  try {
    const rollout: Promise<void>[] = [];
    wait = await waitForDeployments(cluster, namespace, deployments, {
      timeoutMs: cfg.readyTimeoutSeconds * 1000,
      signal: deps.signal,
      onChange: (states) => {
        const available = [...states.values()].filter((s) => s.phase === "done").length;
        rollout.push(Promise.resolve(emit({ type: "rollout-progress", available, total: deployments.length })));
      },
    });
    await Promise.all(rollout);
    finishedAt = clock.now();
  } catch (err) {
    // The cluster would not let Tugboat follow the rollout (RBAC, throttling, outage): say why, keep the lab.
    await recorder.finish("failure", "Could not follow the rollout");
    deps.audit({ namespace, followFailed: errorMessage(err) });
    const outcome: LabUpOutcome = { type: "follow-failed", branch, namespace, url, cause: errorMessage(err) };
    await emit(outcome);
    return outcome;
  }
  if (!wait.ok) {
    await recorder.finish("failure", `Not ready after ${cfg.readyTimeoutSeconds} s`);
    const problems = await describeNotReady(cluster, namespace, wait.states);
    deps.audit({ namespace, notReady: problems });
    const outcome: LabUpOutcome = { type: "not-ready", reason: wait.reason ?? "timeout", problems, timeoutSeconds: cfg.readyTimeoutSeconds, ...summary([...warnings, ...recorder.warnings]) };
    await emit(outcome);
    return outcome;
  }
  deps.audit({ namespace, objects: total, updated: existing !== undefined });
  // GitHub's warnings come after the outcome: the reply goes out first, and GitHub writes are paced.
  const ready: LabUpOutcome = { type: "ready", ...summary(warnings) };
  await emit(ready);

  // GitHub after the outcome: the lab is usable now, and the gateway paces GitHub writes about a second apart.
  await recorder.finish("success", `Review lab ${slug} is ready`);
  if (pr) {
    const body = md`The review lab for ${code(branch)} (${code(target.shortSha)}) is ready: ${linkMarkdown(url)}`;
    const commentId = await recorder.comment(pr.number, body, lab.commentId);
    if (commentId !== undefined && commentId !== lab.commentId) await recordComment(cluster, namespace, commentId, deps);
  }
  if (recorder.warnings.length > 0) await emit({ type: "github-warnings", warnings: [...warnings, ...recorder.warnings] });
  return ready;
}

/** The Namespace first: a new lab's under the creation lock, so the limits hold against another `up` at once. */
async function createNamespace(deps: LabDeps, input: LabUpInput, cluster: KubeCluster, nsObject: KObject, isNew: boolean, branch: string): Promise<void> {
  const cfg = labConfig(deps.config);
  const apply = async () => void (await applyObjects(cluster, [nsObject], { fieldManager: deps.config.deploy.fieldManager }));
  if (!isNew) return apply();
  const namespace = nsObject.metadata?.name ?? "";
  const lock = { cluster, namespace: cfg.reaper.leaseNamespace, holder: `${deps.instanceId}/${input.requestId}`, owner: input.actorId };
  await withCreationLock({ ...lock, reason: `/reviewlab up ${branch}`.slice(0, 200), clock: deps.clock, signal: deps.signal }, async () => {
    await checkLabLimits(cluster, cfg, namespace, input.actorId, deps.clock.now());
    await apply();
  });
}

/** Notes the PR comment on the lab's Namespace, so the next `up` and the removal edit it; a failure only costs a new comment. */
async function recordComment(cluster: KubeCluster, namespace: string, commentId: number, deps: LabDeps): Promise<void> {
  try {
    await cluster.namespaces.patch(namespace, undefined, commentPatch(commentId), "merge");
  } catch (err) {
    deps.log.warn("review lab: the PR comment's id was not recorded", { namespace, error: errorMessage(err) });
  }
}

/** When an `up` makes the lab expire (LabUpInput.expiry); a new lab always gets its full time to live. */
function labExpiry(was: Date | undefined, fresh: Date, expiry: "reset" | "extend" | "keep"): Date {
  if (!was || expiry === "reset") return fresh;
  if (expiry === "keep") return was;
  return was.getTime() > fresh.getTime() ? was : fresh;
}
