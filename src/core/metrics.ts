// What Tugboat counts, as an interface: the router, commands and adapters report events here, and the
// Prometheus implementation (src/infra/metrics.ts) is injected by the composition root. Tests and code
// built without one get `noMetrics`.

/** A change a command makes that is counted by app and environment. */
export type ChangeKind = "deploy" | "rollback";

export interface Metrics {
  /** One command line handled: family and verb as parsed ("unknown" when it never parsed), and its outcome. */
  commandFinished(c: { family: string; verb: string; outcome: string; seconds: number }): void;
  /** A deploy or rollback that reached its app and environment (dry runs are not counted). */
  changeFinished(c: { kind: ChangeKind; app: string; env: string; outcome: string }): void;
  /** Review labs that exist now, as last listed. */
  labsAlive(count: number): void;
  /** An app's DORA figures in an environment, as last computed (/deploy stats and the /metrics refresh). */
  doraFigures?(f: { app: string; env: string; days: number; figures: DoraGaugeValues }): void;
}

/** The DORA figures as gauges: an undefined figure (nothing to measure) is left out rather than shown as 0. */
export interface DoraGaugeValues {
  deploysPerDay: number;
  leadTimeMs?: number;
  changeFailureRate?: number;
  timeToRestoreMs?: number;
}

export const noMetrics: Metrics = {
  commandFinished() {},
  changeFinished() {},
  labsAlive() {},
};
