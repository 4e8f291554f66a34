import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { ChangeKind, DoraGaugeValues, Metrics } from "../core/metrics.js";

// Tugboat's Prometheus metrics on prom-client. One Registry per app instance (tests run several in one process).
// Everything else reports through the Metrics interface (src/core/metrics.ts) or the request observers below;
// this is the only module that imports prom-client.

/** Called once per API request a gateway or the Slack client makes: method and HTTP status (or "error"). */
export type RequestObserver = (method: string, status: number | "error") => void;

export interface PromMetricsOptions {
  /** Process metrics (CPU, memory, handles, event-loop lag, GC). Off in tests that build many instances. */
  defaultMetrics?: boolean;
  /** Locks this process holds right now (read at scrape time). */
  locksHeld?: () => number;
}

const COMMAND_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];
const ACK_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3];

export class PromMetrics implements Metrics {
  readonly registry = new Registry();
  private readonly commands: Counter<"family" | "verb" | "outcome">;
  private readonly commandSeconds: Histogram<"family" | "verb">;
  private readonly changes: Record<ChangeKind, Counter<"app" | "env" | "outcome">>;
  private readonly labs: Gauge;
  private readonly kubeRequests: Counter<"cluster" | "method" | "status">;
  private readonly githubRequests: Counter<"method" | "status">;
  private readonly slackRequests: Counter<"method" | "status">;
  private readonly slackAck: Histogram;
  private readonly dora: Record<keyof DoraGaugeValues, Gauge<"app" | "env" | "days">>;

  constructor(opts: PromMetricsOptions = {}) {
    const registers = [this.registry];
    this.commands = new Counter({ name: "tugboat_commands_total", help: "Command lines handled, by family, verb and outcome.", labelNames: ["family", "verb", "outcome"], registers });
    this.commandSeconds = new Histogram({
      name: "tugboat_command_duration_seconds",
      help: "Time from receiving a command line to its final reply.",
      labelNames: ["family", "verb"],
      buckets: COMMAND_BUCKETS,
      registers,
    });
    this.changes = {
      deploy: new Counter({ name: "tugboat_deploys_total", help: "Deploys that reached their app and environment, by outcome (rolled-back: failed and undone).", labelNames: ["app", "env", "outcome"], registers }),
      rollback: new Counter({ name: "tugboat_rollbacks_total", help: "/deploy rollback runs, by app, environment and outcome.", labelNames: ["app", "env", "outcome"], registers }),
    };
    const locksHeld = opts.locksHeld;
    new Gauge({
      name: "tugboat_locks_held",
      help: "Lease locks this process holds and renews (deploys, rollbacks, lab creation, node pools).",
      registers,
      collect() {
        if (locksHeld) this.set(locksHeld());
      },
    });
    this.labs = new Gauge({ name: "tugboat_review_labs_alive", help: "Review labs that exist, as the reaper last listed them.", registers });
    this.kubeRequests = new Counter({ name: "tugboat_kubernetes_requests_total", help: "Kubernetes API requests, by cluster, method and HTTP status.", labelNames: ["cluster", "method", "status"], registers });
    this.githubRequests = new Counter({ name: "tugboat_github_requests_total", help: "GitHub API requests, by method and HTTP status.", labelNames: ["method", "status"], registers });
    this.slackRequests = new Counter({ name: "tugboat_slack_api_requests_total", help: "Slack Web API calls, by API method and outcome (ok, the Slack error code, or error).", labelNames: ["method", "status"], registers });
    this.slackAck = new Histogram({ name: "tugboat_slack_ack_seconds", help: "Time from a Slack request's arrival to its acknowledgement (Slack gives up after 3 s).", buckets: ACK_BUCKETS, registers });
    const refreshDora = () => this.maybeRefreshDora();
    const doraGauge = (name: string, help: string) =>
      new Gauge({
        name,
        help,
        labelNames: ["app", "env", "days"],
        registers,
        collect() {
          refreshDora();
        },
      });
    this.dora = {
      deploysPerDay: doraGauge("tugboat_dora_deploys_per_day", "DORA deployment frequency: successful deploys per day over the last `days` days, as last computed."),
      leadTimeMs: doraGauge("tugboat_dora_lead_time_seconds", "DORA lead time for changes: median time from a deploy's first new commit to its success."),
      changeFailureRate: doraGauge("tugboat_dora_change_failure_ratio", "DORA change failure rate: deploys that failed or were rolled back, of those that finished."),
      timeToRestoreMs: doraGauge("tugboat_dora_time_to_restore_seconds", "DORA time to restore: median time from a failed deploy to the next successful one."),
    };
    if (opts.defaultMetrics) collectDefaultMetrics({ register: this.registry });
  }

  commandFinished(c: { family: string; verb: string; outcome: string; seconds: number }): void {
    this.commands.inc({ family: c.family, verb: c.verb, outcome: c.outcome });
    this.commandSeconds.observe({ family: c.family, verb: c.verb }, c.seconds);
  }

  changeFinished(c: { kind: ChangeKind; app: string; env: string; outcome: string }): void {
    this.changes[c.kind].inc({ app: c.app, env: c.env, outcome: c.outcome });
  }

  private doraRefresh?: { refresh: () => Promise<Array<{ app: string; env: string; days: number; figures: DoraGaugeValues }>>; maxAgeMs: number; now: () => number; at?: number; running?: boolean; onError: (err: unknown) => void };

  /**
   * Keeps the DORA gauges fresh: a scrape finding them older than maxAgeMs starts a refresh in the background (a
   * scrape never waits for GitHub) and shows the last figures meanwhile.
   */
  refreshDoraWith(opts: { refresh: () => Promise<Array<{ app: string; env: string; days: number; figures: DoraGaugeValues }>>; maxAgeMs: number; now: () => number; onError: (err: unknown) => void }): void {
    this.doraRefresh = opts;
  }

  private maybeRefreshDora(): void {
    const r = this.doraRefresh;
    if (!r || r.running || (r.at !== undefined && r.now() - r.at < r.maxAgeMs)) return;
    r.running = true;
    r.at = r.now();
    r.refresh()
      .then((all) => all.forEach((f) => this.doraFigures(f)))
      .catch(r.onError)
      .finally(() => (r.running = false));
  }

  doraFigures(f: { app: string; env: string; days: number; figures: DoraGaugeValues }): void {
    const labels = { app: f.app, env: f.env, days: String(f.days) };
    const { deploysPerDay, leadTimeMs, changeFailureRate, timeToRestoreMs } = f.figures;
    const set = (key: keyof DoraGaugeValues, value: number | undefined) => (value === undefined ? this.dora[key].remove(labels) : this.dora[key].set(labels, value));
    set("deploysPerDay", deploysPerDay);
    set("leadTimeMs", leadTimeMs === undefined ? undefined : leadTimeMs / 1000);
    set("changeFailureRate", changeFailureRate);
    set("timeToRestoreMs", timeToRestoreMs === undefined ? undefined : timeToRestoreMs / 1000);
  }

  labsAlive(count: number): void {
    this.labs.set(count);
  }

  /** The observer for one cluster's client. */
  kubeObserver(cluster: string): RequestObserver {
    return (method, status) => this.kubeRequests.inc({ cluster, method, status: String(status) });
  }

  readonly githubObserver: RequestObserver = (method, status) => this.githubRequests.inc({ method, status: String(status) });

  /** A Slack Web API call: its API method (chat.postMessage) and "ok", Slack's error code, or "error". */
  slackApiCall(method: string, status: string): void {
    this.slackRequests.inc({ method, status });
  }

  slackAcked(seconds: number): void {
    this.slackAck.observe(seconds);
  }

  async text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
