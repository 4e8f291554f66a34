import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { TugboatConfig } from "./config/schema.js";
import type { CommandFamily } from "./core/command.js";
import type { AuditLog, Logger } from "./core/logger.js";
import type { Metrics } from "./core/metrics.js";
import { Policy, type GroupDirectory } from "./core/policy.js";
import { Router } from "./core/router.js";
import { runOnBehalf } from "./core/run-on-behalf.js";
import { systemClock, type BackgroundTask, type Clock, type Notifier, type Services } from "./core/services.js";
import type { GithubGateway, KubeGateway } from "./gateways/types.js";
import { createPrometheusGateway, type PrometheusGateway } from "./gateways/prometheus/prometheus-gateway.js";
import { buildFamilies } from "./commands/index.js";
import { startLeaderWork } from "./domain/replicas/leader-work.js";

// Builds everything behind the chat adapters. The composition root (main.ts) and the tests both use it,
// so tests exercise the same wiring as production, with real gateways against the sandbox.

export interface AppDeps {
  config: TugboatConfig;
  kube: KubeGateway;
  github: GithubGateway;
  /** Prometheus's query API for canary analysis; by default the real one over HTTP. */
  prometheus?: PrometheusGateway;
  log: Logger;
  audit: AuditLog;
  groups: GroupDirectory;
  notifier: Notifier;
  clock?: Clock;
  instanceId?: string;
  /** Start background tasks (reaper…). Tests turn this off unless they test them. */
  background?: boolean;
  families?: CommandFamily[];
  /** Counters and gauges (src/infra/metrics.ts in production); none by default. */
  metrics?: Metrics;
}

export interface App {
  router: Router;
  services: Services;
  policy: Policy;
  stop(): Promise<void>;
}

export function buildApp(deps: AppDeps): App {
  const services: Services = {
    config: deps.config,
    kube: deps.kube,
    github: deps.github,
    prometheus: deps.prometheus ?? createPrometheusGateway(),
    clock: deps.clock ?? systemClock,
    instanceId: deps.instanceId ?? `${hostname()}-${process.pid}-${randomBytes(3).toString("hex")}`,
    notifier: deps.notifier,
    metrics: deps.metrics,
    audit: deps.audit,
  };
  const policy = new Policy(deps.config, deps.groups);
  const families = deps.families ?? buildFamilies();
  const router = new Router(families, policy, services, deps.log, deps.audit);
  services.runOnBehalf = (request) => runOnBehalf(router, services.notifier, request);
  const tasks: BackgroundTask[] = [];
  if (deps.background !== false) {
    // The leader election first: the families' periodic work asks services.leader whether to run.
    tasks.push(startLeaderWork(services, deps.log.child({ task: "leader" })));
    for (const f of families) for (const start of f.background ?? []) tasks.push(start(services, deps.log.child({ task: f.name })));
  }
  return {
    router,
    services,
    policy,
    stop: async () => {
      await router.drain();
      await Promise.allSettled(tasks.map((t) => t.stop()));
    },
  };
}
