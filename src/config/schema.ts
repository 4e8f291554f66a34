import { z } from "zod";
import { globMatches, limitedToNamespaces } from "./glob.js";
import { analysisSchemas } from "./analysis-schema.js";
import { neverAllowed, parseKindEntry } from "../domain/content-policy/kinds.js";
import { approvalSourceProblems, approvalsSchema } from "./approvals-schema.js";
import { isTimeZone, scheduleProblem, windowDurationMs } from "../domain/freeze/freeze-windows.js";

// The YAML configuration (config/tugboat.yaml). Secrets never live here: tokens come from the environment.

/**
 * The schema, built for one parse (load-config.ts) and then dropped: kept at module level, its zod objects stayed in
 * the heap for the life of the process (about 0.7 MB at idle, docs/benchmarks.md "Where the memory went").
 */
export function buildConfigSchema() {
  const { analysisDefaultsSchema, appAnalysisSchema, canaryModeSchema } = analysisSchemas();
  const permission = z
    .string()
    .regex(/^(\*|[a-z]+(:[a-z0-9*_.-]+)*)$/, "a permission such as kube:get, deploy:production, canary:* or *")
    // Locks are per environment; the old unscoped names would silently grant nothing.
    .refine((p) => p !== "deploy:lock" && p !== "deploy:unlock", { error: (issue) => `${String(issue.input)} is per environment: use ${String(issue.input)}:<env> (or ${String(issue.input)}:*)` });

  const pattern = z.string().min(1);

  /** kubectl's short and singular names of built-in cluster-scoped types: the policy compares plural names. */
  const CLUSTER_SCOPED_ALIASES: Record<string, string> = {
    ns: "namespaces", namespace: "namespaces", no: "nodes", node: "nodes", pv: "persistentvolumes", persistentvolume: "persistentvolumes",
    sc: "storageclasses", storageclass: "storageclasses", crd: "customresourcedefinitions", crds: "customresourcedefinitions",
    customresourcedefinition: "customresourcedefinitions", clusterrole: "clusterroles", clusterrolebinding: "clusterrolebindings",
    pc: "priorityclasses", priorityclass: "priorityclasses", csr: "certificatesigningrequests", ingressclass: "ingressclasses",
  };

  const clusterScopedType = z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]*$/, "a plural type name such as nodes or namespaces (as kubectl api-resources lists it; no globs)")
    .refine((t) => !Object.hasOwn(CLUSTER_SCOPED_ALIASES, t), { error: (issue) => `write the plural type name: ${CLUSTER_SCOPED_ALIASES[String(issue.input)]}` });

  const roleSchema = z
    .object({
      permissions: z.array(permission).min(1),
      /** Narrows this role's kube:* permissions. Omitted lists mean "any". Secrets must be named explicitly. */
      kube: z
        .object({
          clusters: z.array(pattern).optional(),
          namespaces: z.array(pattern).optional(),
          resources: z.array(pattern).optional(),
          /**
           * Cluster-scoped types (plural names, no globs) a role limited by `namespaces` may read; it reads none
           * otherwise (namespace names, nodes, cluster roles… say what runs beyond its namespaces).
           */
          clusterScoped: z.array(clusterScopedType).optional(),
        })
        .strict()
        .superRefine((kube, ctx) => {
          if (!kube.clusterScoped) return;
          if (!limitedToNamespaces(kube)) {
            ctx.addIssue({ code: "custom", path: ["clusterScoped"], message: "only narrows a role limited by namespaces; without them the role reads every cluster-scoped type" });
          }
          for (const [i, type] of kube.clusterScoped.entries()) {
            if (kube.resources && !kube.resources.some((p) => globMatches(p, type))) {
              ctx.addIssue({ code: "custom", path: ["clusterScoped", i], message: `${type} is not among this role's resources` });
            }
          }
        })
        .optional(),
    })
    .strict();

  const bindingSchema = z
    .object({
      role: z.string().min(1),
      users: z.array(z.string().min(1)).default([]),
      /** Slack user group ids (S…), resolved through usergroups.users.list. */
      groups: z.array(z.string().min(1)).default([]),
      /** When set, the binding applies only in these channel ids. */
      channels: z.array(z.string().min(1)).optional(),
    })
    .strict()
    .refine((b) => b.users.length + b.groups.length > 0, { message: "a binding needs at least one user or group" });

  /** Where a workload cluster's Cluster API objects live when a management cluster holds them. */
  const nodePoolsSchema = z
    .object({
      /** A configured cluster's name, else a kubeconfig context: the management cluster. */
      context: z.string().min(1),
      /** Namespace of the MachineDeployments, Machines and Cluster on the management cluster. */
      namespace: z.string().min(1).default("default"),
      /** The workload cluster's Cluster API name (label cluster.x-k8s.io/cluster-name, spec.clusterName); default: the cluster's own name. */
      clusterName: z.string().min(1).optional(),
    })
    .strict();

  const clusterSchema = z
    .object({
      /** kubeconfig context name; defaults to the cluster's own name. */
      context: z.string().min(1).optional(),
      inCluster: z.boolean().default(false),
      /** Cluster API in a management cluster; without it MachineDeployments are read from this cluster (nodes.namespace). */
      nodePools: nodePoolsSchema.optional(),
      /**
       * A second gate: requests for a user are sent with Impersonate-User tugboat:slack:<id> and Impersonate-Group
       * for their roles and Slack groups, so the cluster's RBAC must allow them too.
       */
      impersonate: z.boolean().default(false),
    })
    .strict();

  /** What a deploy or review lab may contain (README "Content policy"); unset fields fall back to the layer below. */
  const contentPolicySchema = z
    .object({
      /** Allowed kinds: a built-in name ("Deployment") or "group/Kind" ("core/Pod", "monitoring.coreos.com/ServiceMonitor"). */
      kinds: z
        .array(
          z.string().superRefine((entry, ctx) => {
            const gk = parseKindEntry(entry);
            if (!gk) ctx.addIssue({ code: "custom", message: `"${entry}" is not a built-in kind; write it as group/Kind` });
            else if (neverAllowed(gk)) ctx.addIssue({ code: "custom", message: `${entry} cannot be allowed: ${neverAllowed(gk)}` });
          }),
        )
        .optional(),
      podSecurity: z.enum(["baseline", "restricted"]).optional(),
      serviceTypes: z.array(z.enum(["ClusterIP", "NodePort", "LoadBalancer", "ExternalName"])).optional(),
      /** Ingress hosts must be one of these or below one (default: the environment's url host; a lab's own host always). */
      ingressDomains: z.array(z.string().regex(/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/i, "a DNS name such as example.com")).optional(),
      maxObjects: z.number().int().positive().optional(),
      maxBytes: z.number().int().positive().optional(),
      /** Replicas per workload and HPA maxReplicas (default 50 for environments, 5 for labs); 0 lifts the cap. */
      maxReplicas: z.number().int().nonnegative().optional(),
      renderTimeoutSeconds: z.number().positive().max(60).optional(),
    })
    .strict();

  /** A freeze window (src/domain/freeze/freeze-windows.ts): recurring (cron start, duration, time zone) or one-off. */
  const freezeReason = z.string().min(1).max(200).regex(/^[^\p{Cc}\p{Cf}\p{Co}\p{Cn}\u2028\u2029]*$/u, "plain text without control or invisible characters");
  const freezeName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9 ._-]{0,62}$/, "letters, digits, spaces, dot, dash or underscore (63 at most)");
  const recurringFreezeSchema = z
    .object({
      name: freezeName.optional(),
      /** minute hour day-of-month month day-of-week, read in timeZone. */
      schedule: z.string().min(1),
      /** How long each window lasts from its start: 62h, 1h30m, 2d. */
      duration: z.string().refine((d) => windowDurationMs(d) !== undefined, "a duration such as 30m, 62h or 2d"),
      timeZone: z.string().default("UTC").refine(isTimeZone, "an IANA time zone such as Europe/Berlin or UTC"),
      reason: freezeReason,
    })
    .strict()
    .superRefine((w, ctx) => {
      const problem = scheduleProblem(w.schedule, w.timeZone);
      if (problem) ctx.addIssue({ code: "custom", path: ["schedule"], message: `a 5-field cron schedule (minute hour day month weekday): ${problem}` });
    });
  const instant = z.iso.datetime({ offset: true });
  const oneOffFreezeSchema = z
    .object({ name: freezeName.optional(), start: instant, end: instant, reason: freezeReason })
    .strict()
    .refine((w) => Date.parse(w.start) < Date.parse(w.end), { message: "end must come after start", path: ["end"] });
  const freezeWindowSchema = z.union([recurringFreezeSchema, oneOffFreezeSchema]);

  const environmentSchema = z
    .object({
      cluster: z.string().min(1),
      /** Namespace template; {app} and {env} are replaced. Default "{app}-{env}". */
      namespace: z.string().min(1).default("{app}-{env}"),
      confirm: z.boolean().default(false),
      /** Deploys to this environment are allowed only from these channel ids. */
      channels: z.array(z.string().min(1)).optional(),
      /** A canary environment runs one extra pod next to the named environment's Deployments. */
      canaryOf: z.string().min(1).optional(),
      transient: z.boolean().default(false),
      production: z.boolean().default(false),
      url: z.string().optional(),
      /** How long a rollout may take before Tugboat rolls it back. */
      rolloutTimeoutSeconds: z.number().int().positive().default(600),
      content: contentPolicySchema.optional(),
      /** The two-person rule: deploys wait for approvals (approvals-schema.ts). */
      approvals: approvalsSchema().optional(),
      /** Deploys are refused during these windows unless someone breaks the glass (`--break-glass REASON`). */
      freezes: z.array(freezeWindowSchema).default([]),
    })
    .strict();

  const appSchema = z
    .object({
      repo: z.string().regex(/^[\w.-]+\/[\w.-]+$/, "owner/name"),
      /** Image repository without a tag, e.g. registry.example.com/github. */
      image: z.string().min(1),
      /** Status or check-run contexts that must be success before an image may ship. */
      imageContexts: z.array(z.string().min(1)).default(["ci/image"]),
      /**
       * Who may vouch for an image (src/domain/image-gate.ts): commit statuses count only from these GitHub logins,
       * check runs only from these GitHub Apps (slugs or ids). Unset: GitHub Apps only, never a person's account.
       */
      imageTrust: z
        .object({
          users: z.array(z.string().regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\[bot\])?$/, "a GitHub login")).default([]),
          apps: z.array(z.union([z.string().regex(/^[a-z0-9][a-z0-9-]{0,99}$/, "a GitHub App slug"), z.number().int().positive()])).default([]),
        })
        .strict()
        .refine((t) => t.users.length + t.apps.length > 0, { message: "name at least one trusted user or app (leave imageTrust out for the default: GitHub Apps only)" })
        .optional(),
      /** Channels whose default app this is. */
      channels: z.array(z.string()).default([]),
      /**
       * Deploy on merge (GitHub webhooks, src/webhooks/deploy-on-merge.ts): a new head of `branch` whose image contexts
       * are green is deployed to each of `environments` in order, through /deploy's use case (freezes, approvals).
       */
      autoDeploy: z
        .object({
          branch: z.string().min(1).max(200),
          environments: z.array(z.string().min(1)).min(1),
          /** A head whose image contexts are not all green this long after its push is given up (said in the channel). */
          imageTimeoutMinutes: z.number().int().positive().max(1440).default(60),
          /** A freeze (or a live turn of the environment's deploy queue) refuses the deploy, or it waits until it ends. */
          duringFreeze: z.enum(["refuse", "queue"]).default("refuse"),
        })
        .strict()
        .optional(),
      /** Canary analysis for this app, over deploy.analysis (analysis-schema.ts). */
      analysis: appAnalysisSchema.optional(),
      /** The canary's traffic: one pod (default) or Istio weights (analysis-schema.ts). */
      canary: canaryModeSchema.optional(),
      /** Per-environment overrides. */
      environments: z
        .record(
          z.string(),
          z
            .object({
              namespace: z.string().optional(),
              cluster: z.string().optional(),
              image: z.string().optional(),
              content: contentPolicySchema.optional(),
            })
            .strict(),
        )
        .default({}),
    })
    .strict();

  const reviewlabSchema = z
    .object({
      cluster: z.string().min(1),
      domain: z.string().min(1).default("review-lab.example.com"),
      ttlHours: z.number().positive().default(72),
      maxExtendHours: z.number().positive().default(168),
      maxPerUser: z.number().int().positive().default(3),
      maxTotal: z.number().int().positive().default(20),
      readyTimeoutSeconds: z.number().int().positive().default(300),
      /** Namespace holding the Secrets that are layered into each lab's Secret. */
      secretSourceNamespace: z.string().default("tugboat-secrets"),
      /** Secret names layered in order (later wins); "{app}" is replaced. */
      secretSources: z.array(z.string()).default(["common", "{app}"]),
      secretName: z.string().default("review-lab-env"),
      ingress: z
        .object({
          service: z.string().default("unicorn"),
          port: z.number().int().positive().default(80),
          /** spec.ingressClassName (ingress-nginx ignores Ingresses without a class unless it is the default class). */
          className: z.string().min(1).optional(),
          /** TLS for the lab host: a Secret name ("{slug}" is replaced), optionally issued by cert-manager. */
          tls: z
            .object({
              secretName: z.string().min(1).default("review-lab-tls"),
              /** cert-manager.io/cluster-issuer annotation. */
              clusterIssuer: z.string().min(1).optional(),
              /** cert-manager.io/issuer annotation (an Issuer in the lab's namespace). */
              issuer: z.string().min(1).optional(),
            })
            .strict()
            .refine((t) => !(t.clusterIssuer && t.issuer), { message: "set clusterIssuer or issuer, not both" })
            .optional(),
        })
        .strict()
        .default({ service: "unicorn", port: 80 }),
      applyConcurrency: z.number().int().positive().default(8),
      content: contentPolicySchema.optional(),
      /** Labs from pull requests (GitHub webhooks, src/webhooks/labs-from-pulls.ts): a PR labelled `label` gets a lab. */
      auto: z
        .object({
          label: z.string().min(1).max(50),
          /** Whether draft PRs get a lab too. */
          drafts: z.boolean().default(false),
          /** A PR with one of these labels gets none (e.g. "no-lab"). */
          ignoreLabels: z.array(z.string().min(1).max(50)).default([]),
          /** A push (a re-up) starts the lab's time to live again, never shortening it (default); false keeps its expiry. */
          ttlResetsOnPush: z.boolean().optional(),
        })
        .strict()
        .optional(),
      /** Tugboat's own templates, used when the app repository has no config/kubernetes/review-lab/ (relative to the project root). */
      templatesDir: z.string().min(1).default("config/kubernetes/review-lab"),
      reaper: z
        .object({
          intervalSeconds: z.number().positive().default(300),
          channel: z.string().optional(),
          /** Leader election: the Lease (in the review-lab cluster) that decides which bot replica reaps. */
          leaseNamespace: z.string().min(1).default("default"),
          leaseName: z.string().min(1).default("tugboat-reviewlab-reaper"),
          /** How long a leader keeps the role without renewing it; default twice the interval (at least 60 s). */
          leaseSeconds: z.number().int().positive().optional(),
        })
        .strict()
        .default({ intervalSeconds: 300, leaseNamespace: "default", leaseName: "tugboat-reviewlab-reaper" }),
    })
    .strict();

  const poolSchema = z
    .object({
      maxSize: z.number().int().positive().optional(),
    })
    .strict();

  const nodesSchema = z
    .object({
      maxPerRequest: z.number().int().positive().default(10),
      readyTimeoutSeconds: z.number().int().positive().default(600),
      /** Namespace of the MachineDeployments. */
      namespace: z.string().default("default"),
      clusters: z
        .record(
          z.string(),
          z.object({ defaultPool: z.string().min(1), pools: z.record(z.string(), poolSchema).default({}) }).strict(),
        )
        .default({}),
    })
    .strict();

  const channelSchema = z
    .object({
      app: z.string().optional(),
      cluster: z.string().optional(),
    })
    .strict();

  const configSchema = z
    .object({
      /** Cluster for /kube when neither --cluster, the namespace nor the channel decides. */
      defaultCluster: z.string().min(1),
      clusters: z.record(z.string(), clusterSchema).refine((c) => Object.keys(c).length > 0, "at least one cluster"),
      environments: z.record(z.string(), environmentSchema).default({}),
      apps: z.record(z.string(), appSchema).default({}),
      channels: z.record(z.string(), channelSchema).default({}),
      roles: z.record(z.string(), roleSchema),
      bindings: z.array(bindingSchema).default([]),
      kube: z
        .object({
          requestTimeoutSeconds: z.number().positive().default(10),
          logTailDefault: z.number().int().positive().default(50),
          logTailMax: z.number().int().positive().default(500),
          /** Rows per list request (kubectl's --chunk-size). */
          chunkSize: z.number().int().positive().max(10_000).default(500),
          /** At most this many rows go in a /kube get attachment; the rest are counted, not fetched. */
          attachmentMaxRows: z.number().int().positive().default(50_000),
          /** At most this much text (UTF-8 bytes) in a /kube get -o yaml|json attachment, cut at an object boundary. */
          attachmentMaxBytes: z.number().int().positive().default(8 * 1024 * 1024),
        })
        .strict()
        .default({ requestTimeoutSeconds: 10, logTailDefault: 50, logTailMax: 500, chunkSize: 500, attachmentMaxRows: 50_000, attachmentMaxBytes: 8 * 1024 * 1024 }),
      deploy: z
        .object({
          lockLeaseSeconds: z.number().int().positive().default(60),
          canaryReadySeconds: z.number().int().positive().default(300),
          /** Canary analysis defaults (analysis-schema.ts); an app overrides them in apps.<app>.analysis. */
          analysis: analysisDefaultsSchema.default(analysisDefaultsSchema.parse({})),
          fieldManager: z.string().default("tugboat"),
          /** The deploy queue (`--queue`): how long the next person has to start when their turn comes, and its length. */
          queue: z
            .object({ turnMinutes: z.number().int().positive().max(24 * 60).default(10), maxLength: z.number().int().positive().max(50).default(10) })
            .strict()
            .default({ turnMinutes: 10, maxLength: 10 }),
        })
        .strict()
        .default({ lockLeaseSeconds: 60, canaryReadySeconds: 300, fieldManager: "tugboat", queue: { turnMinutes: 10, maxLength: 10 }, analysis: analysisDefaultsSchema.parse({}) }),
      reviewlab: reviewlabSchema.optional(),
      nodes: nodesSchema.default({ maxPerRequest: 10, readyTimeoutSeconds: 600, namespace: "default", clusters: {} }),
      slack: z
        .object({
          /** Seconds a Confirm/Cancel prompt stays valid. */
          confirmTimeoutSeconds: z.number().int().positive().default(300),
          userGroupCacheSeconds: z.number().int().positive().default(300),
        })
        .strict()
        .default({ confirmTimeoutSeconds: 300, userGroupCacheSeconds: 300 }),
      /** Where bot replicas meet: Leases for presence, pending confirmations, Slack event ids and the background leader. */
      coordination: z
        .object({
          /** Default: defaultCluster. */
          cluster: z.string().optional(),
          /** Tugboat's own namespace. */
          namespace: z.string().min(1).default("default"),
          /** A replica (or the leader) that stops renewing for this long is taken for dead. */
          leaseSeconds: z.number().int().positive().default(15),
        })
        .strict()
        .default({ namespace: "default", leaseSeconds: 15 }),
      audit: z
        .object({ file: z.string().optional() })
        .strict()
        .default({}),
    })
    .strict()
    .superRefine((cfg, ctx) => {
      const clusters = new Set(Object.keys(cfg.clusters));
      if (!clusters.has(cfg.defaultCluster)) {
        ctx.addIssue({ code: "custom", path: ["defaultCluster"], message: `expected one of the clusters (${[...clusters].join(", ")})` });
      }
      for (const [name, env] of Object.entries(cfg.environments)) {
        if (!clusters.has(env.cluster)) {
          ctx.addIssue({ code: "custom", path: ["environments", name, "cluster"], message: `expected one of the clusters (${[...clusters].join(", ")})` });
        }
        for (const p of approvalSourceProblems(env.approvals?.from ?? [], cfg.roles)) {
          ctx.addIssue({ code: "custom", path: ["environments", name, "approvals", "from", p.index], message: p.message });
        }
        if (env.canaryOf && !Object.hasOwn(cfg.environments, env.canaryOf)) {
          ctx.addIssue({ code: "custom", path: ["environments", name, "canaryOf"], message: "expected the name of another environment" });
        }
      }
      cfg.bindings.forEach((b, i) => {
        // Own keys only: "toString" or "constructor" are not roles, whatever Object.prototype says.
        if (!Object.hasOwn(cfg.roles, b.role)) {
          ctx.addIssue({ code: "custom", path: ["bindings", i, "role"], message: `expected one of the roles (${Object.keys(cfg.roles).join(", ")})` });
        }
      });
      if (cfg.coordination.cluster !== undefined && !clusters.has(cfg.coordination.cluster)) {
        ctx.addIssue({ code: "custom", path: ["coordination", "cluster"], message: `expected one of the clusters (${[...clusters].join(", ")})` });
      }
      if (cfg.reviewlab && !clusters.has(cfg.reviewlab.cluster)) {
        ctx.addIssue({ code: "custom", path: ["reviewlab", "cluster"], message: `expected one of the clusters (${[...clusters].join(", ")})` });
      }
      for (const name of Object.keys(cfg.nodes.clusters)) {
        if (!clusters.has(name)) ctx.addIssue({ code: "custom", path: ["nodes", "clusters", name], message: "expected the name of a cluster" });
      }
      for (const [name, c] of Object.entries(cfg.clusters)) {
        if (c.nodePools?.context === name) ctx.addIssue({ code: "custom", path: ["clusters", name, "nodePools", "context"], message: "names this cluster itself; leave nodePools out for that layout" });
      }
    });
  return configSchema;
}

export type TugboatConfig = z.infer<ReturnType<typeof buildConfigSchema>>;
export type RoleConfig = TugboatConfig["roles"][string];
export type BindingConfig = TugboatConfig["bindings"][number];
export type EnvironmentConfig = TugboatConfig["environments"][string];
export type AppConfig = TugboatConfig["apps"][string];
export type ContentPolicyConfig = NonNullable<EnvironmentConfig["content"]>;
