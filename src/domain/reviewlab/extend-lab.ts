import { UserError } from "../../core/errors.js";
import { humanDuration } from "../format/human-duration.js";
import { expiryPatch } from "./lab-metadata.js";
import { isoSeconds } from "./describe-lab.js";
import { existingLab, labConfig, refusalsAsOutcome, type Emit, type LabDeps, type LabRequest, type LabTarget, type Refused } from "./lab-use-case.js";

// `lab extend` as a use case: move a lab's expiry later, at most reviewlab.maxExtendHours from now.

export interface LabExtendInput extends LabRequest {
  target: LabTarget;
  /** The app whose repository a PR target is looked up in. */
  app?: string;
  /** How much later than its current expiry (or than now, for a lab already expired). */
  bySeconds: number;
}

export type LabExtendOutcome = { type: "extended"; branch: string; namespace: string; from: Date; to: Date; at: Date } | Refused;

export type LabExtendEvent = LabExtendOutcome;

export function extendLab(input: LabExtendInput, deps: LabDeps, emit: Emit<LabExtendEvent>): Promise<LabExtendOutcome> {
  return refusalsAsOutcome(emit, async () => {
    const outcome = await extendSteps(input, deps);
    await emit(outcome);
    return outcome;
  });
}

async function extendSteps(input: LabExtendInput, deps: LabDeps): Promise<LabExtendOutcome> {
  const cfg = labConfig(deps.config);
  const { cluster, lab } = await existingLab(deps, input.target, input.app);
  const { branch, namespace } = lab;
  const now = deps.clock.now();
  const base = Math.max(lab.expiresAt.getTime(), now.getTime());
  const wanted = base + input.bySeconds * 1000;
  const limit = now.getTime() + cfg.maxExtendHours * 3600_000;
  if (wanted > limit) {
    const room = Math.max(0, limit - base);
    const allowed = room >= 60_000 ? `you can extend it by at most ${humanDuration(room)} (until ${isoSeconds(new Date(limit))})` : "it cannot be extended further now";
    throw new UserError(`A review lab may be kept at most ${cfg.maxExtendHours} h from now; \`${branch}\` expires ${isoSeconds(lab.expiresAt)}, so ${allowed}.`);
  }
  const expiresAt = new Date(wanted);
  await cluster.namespaces.patch(namespace, undefined, expiryPatch(expiresAt), "merge");
  deps.audit({ branch, namespace, from: lab.expiresAt.toISOString(), to: expiresAt.toISOString() });
  return { type: "extended", branch, namespace, from: lab.expiresAt, to: expiresAt, at: now };
}
