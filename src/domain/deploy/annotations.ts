// The annotations Tugboat writes on every Deployment it touches; `/deploy status` reads them back.

export const ANN_PR = "tugboat.dev/pr";
export const ANN_SHA = "tugboat.dev/sha";
export const ANN_DEPLOYED_BY = "tugboat.dev/deployed-by";
export const ANN_DEPLOYED_AT = "tugboat.dev/deployed-at";
/** Canaries only: where to report an automatic abort, and when the canary started. */
export const ANN_CHANNEL = "tugboat.dev/channel";
export const ANN_CANARY_STARTED = "tugboat.dev/canary-started-at";
/** Canaries only: the canary's message (its chat reference as JSON), which every replica's guard updates. */
export const ANN_CANARY_MESSAGE = "tugboat.dev/canary-message";
/** Canaries only: the latest analysis (JSON), which /canary status and the other replica read. */
export const ANN_ANALYSIS = "tugboat.dev/analysis";
/** Canaries only: set once an automatic promotion was asked for, so the next rounds do not ask again. */
export const ANN_AUTO_PROMOTE = "tugboat.dev/auto-promote-requested-at";
export const ANN_REVISION = "deployment.kubernetes.io/revision";

export interface DeployStamp {
  pr?: number;
  sha: string;
  actor: string;
  at: Date;
}

export function stampAnnotations(stamp: DeployStamp): Record<string, string> {
  return {
    [ANN_PR]: stamp.pr !== undefined ? String(stamp.pr) : "",
    [ANN_SHA]: stamp.sha,
    [ANN_DEPLOYED_BY]: stamp.actor,
    [ANN_DEPLOYED_AT]: stamp.at.toISOString(),
  };
}

/** JSON Patch operations that set (or, for null, remove) these annotations. */
export function annotationOps(current: Record<string, string> | undefined, set: Record<string, string | null>): unknown[] {
  const esc = (k: string) => k.replace(/~/g, "~0").replace(/\//g, "~1");
  if (!current) {
    const value: Record<string, string> = {};
    for (const [k, v] of Object.entries(set)) if (v !== null) value[k] = v;
    return [{ op: "add", path: "/metadata/annotations", value }];
  }
  const ops: unknown[] = [];
  for (const [k, v] of Object.entries(set)) {
    if (v === null) {
      if (k in current) ops.push({ op: "remove", path: `/metadata/annotations/${esc(k)}` });
    } else ops.push({ op: "add", path: `/metadata/annotations/${esc(k)}`, value: v });
  }
  return ops;
}
