import { UserError } from "../../core/errors.js";
import type { KubeCluster } from "../../gateways/types.js";
import { listLabs } from "./find-labs.js";
import { labLine } from "./describe-lab.js";
import type { LabConfig } from "./lab-use-case.js";

// How many labs may run: reviewlab.maxPerUser per owner and reviewlab.maxTotal in all. A refusal lists the
// owner's labs, so they can remove one.

export async function checkLabLimits(cluster: KubeCluster, cfg: LabConfig, namespace: string, actorId: string, now: Date): Promise<void> {
  const labs = (await listLabs(cluster)).filter((l) => !l.terminating);
  // The lab exists by now (another `up` of the same branch created it): this `up` updates it, never refused.
  if (labs.some((l) => l.namespace === namespace)) return;
  const mine = labs.filter((l) => l.owner === actorId);
  const yours = mine.length > 0 ? `\nYour labs:\n${mine.map((l) => `• ${labLine(l, now)}`).join("\n")}\nRemove one with \`/reviewlab down BRANCH\`.` : "";
  if (mine.length >= cfg.maxPerUser) {
    throw new UserError(`You already have ${mine.length} review labs (at most ${cfg.maxPerUser} per person).${yours}`);
  }
  if (labs.length >= cfg.maxTotal) {
    throw new UserError(`There are already ${labs.length} review labs (at most ${cfg.maxTotal} in total); ask someone to remove one.${yours}`);
  }
}
