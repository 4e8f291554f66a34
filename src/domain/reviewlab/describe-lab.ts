import type { V1Pod } from "../../gateways/kube-models.js";
import { humanDuration } from "../format/human-duration.js";
import type { LabInfo } from "./lab-metadata.js";

// One-line descriptions of a lab, shared by /reviewlab list, the limit refusals and replies.

export function expiryText(lab: LabInfo, now: Date): string {
  if (lab.terminating) return "being removed";
  if (lab.pinned) return "never (pinned)";
  const left = lab.expiresAt.getTime() - now.getTime();
  return left > 0 ? `in ${humanDuration(left)}` : `expired ${humanDuration(-left)} ago`;
}

/** "`my-branch` (663c692, PR #4816) https://… expires in 3d" */
export function labLine(lab: LabInfo, now: Date): string {
  const pr = lab.pr !== undefined ? `, PR #${lab.pr}` : "";
  return `\`${lab.branch}\` (${lab.sha.slice(0, 7)}${pr}) ${lab.url}, expires ${expiryText(lab, now)}`;
}

/** An instant as the replies print it: ISO 8601 to the second. */
export function isoSeconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** A pod whose Ready condition is True. */
export function isPodReady(pod: V1Pod): boolean {
  return (pod.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True");
}

export interface PodCount {
  ready: number;
  total: number;
}

/** Ready pods of the live ones (not being deleted, not finished), as /reviewlab list shows them. */
export function countReadyPods(pods: V1Pod[]): PodCount {
  const live = pods.filter((p) => !p.metadata?.deletionTimestamp && p.status?.phase !== "Succeeded" && p.status?.phase !== "Failed");
  return { ready: live.filter(isPodReady).length, total: live.length };
}
