import { pinPatch } from "./lab-metadata.js";
import { existingLab, refusalsAsOutcome, type Emit, type LabDeps, type LabRequest, type LabTarget, type Refused } from "./lab-use-case.js";

// `lab pin` / `lab unpin` as a use case: a pinned lab is kept past its expiry until it is unpinned (the reaper skips
// its expiry; closing its PR still removes it). Its expiry stays as it was, so an unpinned lab that has expired goes
// on the reaper's next pass.

export interface LabPinInput extends LabRequest {
  target: LabTarget;
  /** The app whose repository a PR target is looked up in. */
  app?: string;
  pinned: boolean;
}

export type LabPinOutcome = { type: "pinned" | "unpinned"; branch: string; namespace: string; expiresAt: Date; changed: boolean } | Refused;

export function pinLab(input: LabPinInput, deps: LabDeps, emit: Emit<LabPinOutcome>): Promise<LabPinOutcome> {
  return refusalsAsOutcome(emit, async () => {
    const { cluster, lab } = await existingLab(deps, input.target, input.app);
    const changed = lab.pinned !== input.pinned;
    if (changed) await cluster.namespaces.patch(lab.namespace, undefined, pinPatch(input.pinned), "merge");
    deps.audit({ branch: lab.branch, namespace: lab.namespace, pinned: input.pinned, changed });
    const outcome: LabPinOutcome = { type: input.pinned ? "pinned" : "unpinned", branch: lab.branch, namespace: lab.namespace, expiresAt: lab.expiresAt, changed };
    await emit(outcome);
    return outcome;
  });
}
