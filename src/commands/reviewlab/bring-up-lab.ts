import { defineCommand, type CommandContext } from "../../core/command.js";
import { parseFlags } from "../../core/args.js";
import { UsageError, UserError, errorMessage } from "../../core/errors.js";
import { code, linkMarkdown, md } from "../../core/github-markdown.js";
import { link, rich, type Reply } from "../../core/reply.js";
import type { KObject, KubeCluster, PullRequest } from "../../gateways/types.js";
import { applyObjects, countByKind } from "../../domain/apply-objects.js";
import { describeObject } from "../../domain/render-manifests.js";
import { checkImageGate, resolveTarget, type TargetSpec } from "../../domain/resolve-target.js";
import { podProblems } from "../../domain/rollout-status.js";
import { labNamespace, labSlug } from "../../domain/reviewlab/make-slug.js";
import { labNamespaceObject, type LabInfo } from "../../domain/reviewlab/lab-metadata.js";
import { findLab, listLabs } from "../../domain/reviewlab/find-labs.js";
import { buildLabSecret } from "../../domain/reviewlab/layer-secrets.js";
import { withCreationLock } from "../../domain/reviewlab/creation-lock.js";
import { loadLabTemplates } from "../../domain/reviewlab/load-templates.js";
import { checkLabObjects, labIngress, templateValues } from "../../domain/reviewlab/plan-lab.js";
import { renderTemplates } from "../../domain/render/render-pool.js";
import { labContentPolicy } from "../../domain/content-policy/from-config.js";
import { enforceContentPolicy } from "../../domain/content-policy/enforce.js";
import { labEnvironment } from "../../domain/reviewlab/remove-lab.js";
import { waitForDeployments } from "../../domain/reviewlab/wait-for-deployments.js";
import { LabDeploymentRecorder } from "./record-lab-deployment.js";
import { labConfig, parseLabTarget, pickApp, type LabConfig, type LabTarget } from "./parse-lab-args.js";
import { labLine, seconds } from "./format-labs.js";
import { ProgressMessage } from "./report-progress.js";

const usage = "/reviewlab up BRANCH|PR<n> [APP] [--force]";

interface UpArgs {
  target: LabTarget;
  app?: string;
  force: boolean;
}

export const upCommand = defineCommand<UpArgs>({
  family: "reviewlab",
  verb: "up",
  summary:
    "Brings up (or updates) the review lab of a branch or PR in its own namespace `review-lab-<slug>` and replies with its URL. " +
    "The image gate applies (`--force` skips it and needs deploy:force). Labs expire 72 h after the last `up`.",
  usage,
  examples: ["/reviewlab up my-branch", "/reviewlab up PR4816", "/reviewlab up feature/faster-unicorn github"],
  sideEffects: true,
  parse(words) {
    const { positionals, flags } = parseFlags(words, { force: { kind: "boolean" } }, usage);
    if (positionals.length > 2) throw new UsageError(`too many arguments ("${positionals.slice(2).join(" ")}")`, usage);
    return { target: parseLabTarget(positionals[0], usage), app: positionals[1], force: flags.force === true };
  },
  permission: (a) => (a.force ? ["reviewlab:up", "deploy:force"] : "reviewlab:up"),
  run: bringUpLab,
});

const STEP = { resolve: 0, render: 1, apply: 2, ready: 3 } as const;

/** Tags apply failures with the object, and stops the other workers once one has failed. */
class ApplyFailure extends Error {
  constructor(
    readonly object: KObject,
    readonly reason: unknown,
  ) {
    super(`${describeObject(object)}: ${errorMessage(reason)}`);
  }
}

function failFast(cluster: KubeCluster): KubeCluster {
  let failed: ApplyFailure | undefined;
  return new Proxy(cluster, {
    get(target, prop) {
      if (prop === "apply") {
        return async (res: Parameters<KubeCluster["apply"]>[0], obj: KObject, opts: Parameters<KubeCluster["apply"]>[2]) => {
          if (failed) throw failed;
          try {
            return await target.apply(res, obj, opts);
          } catch (err) {
            failed ??= new ApplyFailure(obj, err);
            throw failed;
          }
        };
      }
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

async function bringUpLab(args: UpArgs, ctx: CommandContext): Promise<void> {
  const started = ctx.services.clock.now().getTime();
  const { config } = ctx.services;
  const cfg = labConfig(config);
  const appName = pickApp(config, ctx.channel.id, args.app, usage);
  const app = config.apps[appName]!;
  const cluster = ctx.services.kube.cluster(cfg.cluster);
  const what = args.target.kind === "pr" ? `PR #${args.target.number}` : args.target.name;

  const progress = new ProgressMessage(ctx.reply, ctx.services.clock, `Bringing up the review lab for ${what}…`, [{ type: "text", text: `*Review lab for \`${what}\`*` }], [
    { label: "Resolve the branch and check its image", state: "running" },
    { label: "Render templates", state: "pending" },
    { label: "Apply objects", state: "pending" },
    { label: "Wait for Deployments", state: "pending" },
  ]);
  progress.flush(true);
  const env: UpEnv = { cfg, appName, repo: app.repo, imageRepo: app.image, imageContexts: app.imageContexts, cluster, what, progress, started };
  try {
    await upSteps(args, ctx, env);
  } catch (err) {
    progress.failRunning();
    await env.recorder?.finish("failure", `Review lab failed: ${errorMessage(err)}`.slice(0, 140));
    await progress.settle();
    throw err;
  }
}

interface UpEnv {
  cfg: LabConfig;
  appName: string;
  repo: string;
  imageRepo: string;
  imageContexts: string[];
  cluster: KubeCluster;
  what: string;
  progress: ProgressMessage;
  started: number;
  /** Set once the GitHub deployment has been started, so a failure anywhere can close it. */
  recorder?: LabDeploymentRecorder;
}

async function upSteps(args: UpArgs, ctx: CommandContext, env: UpEnv): Promise<void> {
  const { config, github, clock } = ctx.services;
  const { cfg, cluster, progress, repo } = env;

  // 1. The branch head, its PR, and the image gate.
  const spec: TargetSpec = args.target.kind === "pr" ? { kind: "pr", number: args.target.number } : { kind: "branch", name: args.target.name };
  const target = await resolveTarget(github, repo, spec);
  if (target.pr && target.pr.state === "closed" && args.target.kind === "pr") {
    throw new UserError(`PR #${target.pr.number} is already ${target.pr.merged ? "merged" : "closed"}; review labs are for open PRs.`);
  }
  const branch = target.branch ?? target.pr?.headRef;
  if (!branch) throw new UserError(`${env.what} has no branch to name a review lab after.`);
  const pr: PullRequest | undefined = target.pr?.state === "open" ? target.pr : undefined;
  if (args.force) await ctx.auth.require("deploy:force");
  else await checkImageGate(github, repo, target, env.imageContexts);
  ctx.audit({ branch, sha: target.sha, pr: pr?.number, forced: args.force || undefined });

  const slug = labSlug(branch);
  const namespace = labNamespace(branch);
  const host = `${slug}.${cfg.domain}`;
  const url = `https://${host}`;
  // Templates and secret sources are read while the lab's namespace and the limits are checked.
  const commonLabels = { "app.kubernetes.io/managed-by": "tugboat", "tugboat.dev/slug": slug };
  const templateLoad = loadLabTemplates(github, repo, target.sha, cfg.templatesDir);
  const secretLoad = buildLabSecret(cluster, {
    sourceNamespace: cfg.secretSourceNamespace,
    sources: cfg.secretSources,
    app: env.appName,
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
    await checkLimits(ctx, cfg, cluster, namespace);
  }
  progress.set(STEP.resolve, "done", `${target.label} → ${target.shortSha}${pr ? ` (PR #${pr.number})` : ""}${args.force ? ", image gate skipped (--force)" : ", image ready"}`);

  // 2. Templates, the layered Secret and the Ingress, checked before anything is created.
  progress.set(STEP.render, "running");
  const owner = existing?.owner ?? ctx.actor.id;
  const templates = await templateLoad;
  const policy = labContentPolicy(config, host);
  const values = templateValues({
    image: `${env.imageRepo}:${target.sha}`,
    sha: target.sha,
    shortSha: target.shortSha,
    branch,
    slug,
    namespace,
    host,
    pr: pr?.number,
    owner,
    app: env.appName,
    service: cfg.ingress.service,
    secretName: cfg.secretName,
  });
  // Off the main thread within the policy's budget, then checked whole before the namespace exists.
  const rendered = await renderTemplates(templates.files, values, { timeoutMs: policy.renderTimeoutMs, maxBytes: policy.maxBytes });
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
  progress.set(STEP.render, "done", `${templates.files.length} template${templates.files.length === 1 ? "" : "s"} from ${templates.source}`);

  // 3. The GitHub deployment, then the namespace (with the lab's metadata), then everything else.
  const warnings: string[] = [];
  if (secret.missing.length > 0) warnings.push(`no Secret ${secret.missing.map((m) => `\`${m}\``).join(", ")} in ${cfg.secretSourceNamespace} (skipped)`);
  const recorder = new LabDeploymentRecorder(
    github,
    repo,
    {
      ref: target.sha,
      environment: labEnvironment(slug),
      description: `Review lab for ${branch}`.slice(0, 140),
      // instance and channel: if this replica dies mid-way, the leader settles the deployment and says so there.
      payload: { app: env.appName, branch, namespace, cluster: cluster.name, owner, actor: ctx.actor.id, pr: pr?.number ?? null, instance: ctx.services.instanceId, channel: ctx.channel.id },
      transientEnvironment: true,
      productionEnvironment: false,
    },
    { environmentUrl: url, logUrl: () => ctx.reply.permalink() },
    ctx.log,
  );
  env.recorder = recorder;

  const now = clock.now();
  const lab: Omit<LabInfo, "terminating"> = {
    namespace,
    slug,
    app: env.appName,
    branch,
    sha: target.sha,
    pr: pr?.number,
    owner,
    createdAt: existing?.createdAt ?? now,
    updatedAt: now,
    expiresAt: new Date(now.getTime() + cfg.ttlHours * 3600_000),
    url,
  };
  const nsObject = labNamespaceObject(lab);
  const total = objects.length + 1;
  let applied = 0;
  progress.set(STEP.apply, "running", `0/${total}`);
  const fieldManager = config.deploy.fieldManager;
  const createNamespace = () => applyObjects(cluster, [nsObject], { fieldManager });
  try {
    if (existing) await createNamespace();
    else {
      // Limits hold only if no other `up` creates a lab between our count and our Namespace.
      const lock = { cluster, namespace: cfg.reaper.leaseNamespace, holder: `${ctx.services.instanceId}/${ctx.requestId}`, owner: ctx.actor.id };
      await withCreationLock({ ...lock, reason: `/reviewlab up ${branch}`.slice(0, 200), clock, signal: ctx.signal }, async () => {
        await checkLimits(ctx, cfg, cluster, namespace);
        await createNamespace();
      });
    }
    applied = 1;
    await applyObjects(failFast(cluster), objects, {
      fieldManager,
      concurrency: cfg.applyConcurrency,
      onApplied: () => {
        applied++;
        progress.detail(STEP.apply, `${applied}/${total}`);
      },
    });
  } catch (err) {
    progress.set(STEP.apply, "failed", `${applied}/${total}`);
    progress.failRunning();
    await recorder.finish("failure", "Applying the review lab failed");
    await progress.settle();
    // Refused by the limits (or the creation lock) before anything was created: that refusal is the reply.
    if (applied === 0 && err instanceof UserError) throw err;
    const cause = err instanceof ApplyFailure ? err.message : errorMessage(err);
    const cleanup =
      applied > 0 ? ` ${applied} of ${total} objects were applied; remove them with \`/reviewlab down ${branch}\`.` : " Nothing was created.";
    ctx.audit({ applied, total });
    throw new UserError(withWarnings(`Could not bring up the review lab for \`${branch}\`: ${cause}.${cleanup}`, [...warnings, ...recorder.warnings]));
  }
  progress.set(STEP.apply, "done", `${total}/${total}`);

  // 4. Wait for the Deployments (the port's informer), naming failing pods when they do not make it.
  const deployments = objects.filter((o) => o.kind === "Deployment").map((o) => o.metadata!.name!);
  progress.set(STEP.ready, "running", `0/${deployments.length} available`);
  const wait = await waitForDeployments(cluster, namespace, deployments, {
    timeoutMs: cfg.readyTimeoutSeconds * 1000,
    signal: ctx.signal,
    onChange: (states) => progress.detail(STEP.ready, `${[...states.values()].filter((s) => s.phase === "done").length}/${deployments.length} available`),
  }).catch(async (err: unknown) => {
    // The cluster would not let Tugboat follow the rollout (RBAC, throttling, outage): say why, keep the lab.
    progress.set(STEP.ready, "failed");
    await recorder.finish("failure", "Could not follow the rollout");
    await progress.settle();
    ctx.audit({ namespace, followFailed: errorMessage(err) });
    throw new UserError(
      `The review lab for \`${branch}\` was applied, but Tugboat could not follow its rollout: ${errorMessage(err)}.\n` +
        `The lab is left in place (namespace \`${namespace}\`, ${url}). Remove it with \`/reviewlab down ${branch}\`.`,
    );
  });
  const took = seconds(ctx.services.clock.now().getTime() - env.started);
  const counts = countByKind([nsObject, ...objects]);
  if (!wait.ok) {
    progress.set(STEP.ready, "failed");
    await recorder.finish("failure", `Not ready after ${cfg.readyTimeoutSeconds} s`);
    const problems = await describeProblems(cluster, namespace, wait.states);
    await progress.settle();
    const why = wait.reason === "failed" ? "a Deployment exceeded its progress deadline" : `not ready within ${cfg.readyTimeoutSeconds} s`;
    ctx.audit({ namespace, notReady: problems });
    throw new UserError(
      withWarnings(
        [
          `The review lab for \`${branch}\` did not become ready (${why}):`,
          ...(problems.length > 0 ? problems : ["no pod reported a reason"]).map((p) => `• ${p}`),
          `The lab is left in place for inspection (namespace \`${namespace}\`, ${url}). Remove it with \`/reviewlab down ${branch}\`.`,
          `${counts} · ${took}`,
        ].join("\n"),
        [...warnings, ...recorder.warnings],
      ),
    );
  }
  progress.set(STEP.ready, "done", `${deployments.length}/${deployments.length} available`);
  await progress.settle();
  ctx.audit({ namespace, objects: total, updated: existing !== undefined });
  const verb = existing ? (existing.sha === target.sha ? "is up again" : `was updated from ${existing.sha.slice(0, 7)}`) : "is up";
  const blocks: Reply["blocks"] = [
    { type: "text", text: rich`*Review lab for \`${branch}\` ${verb}*: ${link(url)}` },
    {
      type: "fields",
      fields: [
        { label: "Sha", value: `\`${target.shortSha}\`` },
        { label: "PR", value: pr ? link(pr.url, `#${pr.number}`) : "none" },
        { label: "Namespace", value: `\`${namespace}\`` },
        { label: "Expires", value: `${lab.expiresAt.toISOString().replace(/\.\d{3}Z$/, "Z")} (in ${cfg.ttlHours} h)` },
      ],
    },
    { type: "text", text: `Created: ${counts} (${took})` },
    {
      type: "context",
      text: `cluster ${cluster.name} · templates from ${templates.source} · Secret ${cfg.secretName} layered from ${secret.used.join(", ") || "nothing"} (${secret.keyCount} keys)`,
    },
  ];
  const summary = `Review lab for ${branch} is ready at ${url}: ${counts} (${took})`;
  await ctx.reply.send(finalReply(summary, progress, blocks, warnings));

  // GitHub after the reply: the lab is usable now, and the gateway paces GitHub writes about a second apart.
  await recorder.finish("success", `Review lab ${slug} is ready`);
  if (pr) await recorder.comment(pr.number, md`The review lab for ${code(branch)} (${code(target.shortSha)}) is ready: ${linkMarkdown(url)}`);
  if (recorder.warnings.length > 0) await ctx.reply.send(finalReply(summary, progress, blocks, [...warnings, ...recorder.warnings]));
}

function finalReply(summary: string, progress: ProgressMessage, blocks: Reply["blocks"], warnings: string[]): Reply {
  const all = [...blocks, ...progress.blocks().filter((b) => b.type === "progress")];
  if (warnings.length > 0) all.push({ type: "context", text: `Warnings: ${warnings.join("; ")}` });
  return { summary, tone: "success", blocks: all };
}

function withWarnings(text: string, warnings: string[]): string {
  return warnings.length > 0 ? `${text}\nWarnings: ${warnings.join("; ")}` : text;
}

async function checkLimits(ctx: CommandContext, cfg: LabConfig, cluster: KubeCluster, namespace: string): Promise<void> {
  const labs = (await listLabs(cluster)).filter((l) => !l.terminating);
  // The lab exists by now (another `up` of the same branch created it): this `up` updates it, never refused.
  if (labs.some((l) => l.namespace === namespace)) return;
  const mine = labs.filter((l) => l.owner === ctx.actor.id);
  const now = ctx.services.clock.now();
  const yours = mine.length > 0 ? `\nYour labs:\n${mine.map((l) => `• ${labLine(l, now)}`).join("\n")}\nRemove one with \`/reviewlab down BRANCH\`.` : "";
  if (mine.length >= cfg.maxPerUser) {
    throw new UserError(`You already have ${mine.length} review labs (at most ${cfg.maxPerUser} per person).${yours}`);
  }
  if (labs.length >= cfg.maxTotal) {
    throw new UserError(`There are already ${labs.length} review labs (at most ${cfg.maxTotal} in total); ask someone to remove one.${yours}`);
  }
}

async function describeProblems(cluster: KubeCluster, namespace: string, states: Map<string, { phase: string; message: string }>): Promise<string[]> {
  const out: string[] = [];
  try {
    const res = await cluster.resolve("pods");
    if (res) {
      const { items } = await cluster.list(res, { namespace });
      for (const pod of items) out.push(...podProblems(pod));
      if (out.length === 0) {
        for (const pod of items) {
          const ready = (pod.status?.conditions ?? []).some((c: any) => c.type === "Ready" && c.status === "True");
          if (!ready) out.push(`${pod.metadata?.name}: ${pod.status?.phase ?? "Pending"}, not ready`);
        }
      }
    }
  } catch {
    // The deployment states below still say something.
  }
  if (out.length === 0) for (const s of states.values()) if (s.phase !== "done") out.push(s.message);
  return out;
}
