import type { KObject, PullRequest } from "../../gateways/types.js";
import type { LabRequest, LabTarget, Refused } from "./lab-use-case.js";

// The inputs, events and outcomes of `lab up` (bring-up-lab.ts), for whoever runs it: a chat command renders them,
// a webhook records them.

export interface LabUpInput extends LabRequest {
  target: LabTarget;
  app: string;
  /**
   * The commit the caller means (a webhook's head sha). When the branch has moved on since, nothing is done
   * (`superseded`): the newer commit's own event brings the lab up.
   */
  sha?: string;
  /** Skip the image gate; the caller has checked the deploy:force permission. */
  force: boolean;
  /** Time to live from now (default reviewlab.ttlHours; more than 0, at most reviewlab.maxExtendHours). */
  ttlHours?: number;
  /**
   * An existing lab's expiry: "extend" (the default) to the time to live from now, but never sooner than it was (an
   * `up` or a push must not cut an extension its owner made); "reset" to the time to live from now even when that is
   * sooner (`/reviewlab up --reset-expiry`); "keep" it as it was (reviewlab.auto.ttlResetsOnPush: false).
   */
  expiry?: "reset" | "extend" | "keep";
  /** Pin (true) or unpin (false) the lab; default: as it was (a new lab is not pinned). */
  pin?: boolean;
  /** Where the progress can be read (a chat permalink), for the GitHub deployment's log URL. */
  logUrl?: () => Promise<string | undefined>;
}

/** The lab as this `up` made it. */
export interface LabUpSummary {
  branch: string;
  namespace: string;
  slug: string;
  url: string;
  sha: string;
  shortSha: string;
  pr?: Pick<PullRequest, "number" | "url">;
  cluster: string;
  expiresAt: Date;
  ttlHours: number;
  /** The lab existed before: its sha then. */
  previousSha?: string;
  /** Every object applied, the Namespace first. */
  objects: KObject[];
  /** How many of them are Deployments (followed until available). */
  deployments: number;
  templateSource: string;
  secret: { name: string; used: string[]; keyCount: number };
  startedAt: Date;
  /** When the Deployments were available (or the wait for them ended). */
  finishedAt: Date;
  /** Warnings so far (a skipped Secret source, GitHub writes that failed). */
  warnings: string[];
}

export type LabUpOutcome =
  | ({ type: "ready" } & LabUpSummary)
  /** Applied, but a Deployment failed or the time ran out; the lab stays for inspection. */
  | ({ type: "not-ready"; reason: "failed" | "timeout" | "aborted"; problems: string[]; timeoutSeconds: number } & LabUpSummary)
  /** Applying stopped at an object; `applied` of `total` objects were applied (0: nothing was created). */
  | { type: "apply-failed"; branch: string; cause: string; applied: number; total: number; warnings: string[] }
  /** Applied, but the cluster would not let Tugboat follow the rollout; the lab stays in place. */
  | { type: "follow-failed"; branch: string; namespace: string; url: string; cause: string }
  /** `sha` is no longer the head of the branch: nothing was done. */
  | { type: "superseded"; branch: string; sha: string; head: string }
  | Refused;

export type LabUpEvent =
  | { type: "resolved"; branch: string; sha: string; shortSha: string; label: string; pr?: number; forced: boolean; namespace: string; url: string; updating: boolean }
  | { type: "rendered"; templates: number; source: string }
  | { type: "applying"; applied: number; total: number }
  | { type: "applied"; total: number }
  | { type: "rollout-progress"; available: number; total: number }
  | LabUpOutcome
  /** After `ready`: the GitHub deployment status or PR comment could not be written (the lab is fine). */
  | { type: "github-warnings"; warnings: string[] };
