import type { CommandContext } from "../../core/command.js";
import type { KubeCluster } from "../../gateways/types.js";
import type { Target, TargetSpec } from "../resolve-target.js";
import type { DeployEnv } from "./resolve-deploy-env.js";

// What a deploy is asked to do and how it ended. /deploy runs it; /canary promote is handed the runner by the
// command registry (src/commands/index.ts), so that one command family never imports another.

export interface DeployRequest {
  app?: string;
  target: TargetSpec | { kind: "resolved"; target: Target };
  env: string;
  dryRun: boolean;
  force: boolean;
  /** Runs inside the lock after a successful deploy (canary promote removes the canary); returns a line for the reply. */
  afterSuccess?: (env: DeployEnv, cluster: KubeCluster) => Promise<string | undefined>;
  /** What the flow is called in messages ("Deploy", "Promotion"). */
  verb?: string;
}

export type DeployOutcome = "success" | "failure" | "cancelled" | "dry-run" | "interrupted";

/** The deploy flow (src/commands/deploy/run-deploy.ts), as other families receive it. */
export type RunDeploy = (req: DeployRequest, ctx: CommandContext) => Promise<DeployOutcome>;
