import type { LabInfo } from "../../domain/reviewlab/lab-metadata.js";
import { humanDuration } from "../../domain/format/human-duration.js";
import { formatTable } from "../../domain/format/text-table.js";

// Lab descriptions shared by list, limit refusals and replies.

export function expiryText(lab: LabInfo, now: Date): string {
  if (lab.terminating) return "being removed";
  const left = lab.expiresAt.getTime() - now.getTime();
  return left > 0 ? `in ${humanDuration(left)}` : `expired ${humanDuration(-left)} ago`;
}

/** "`my-branch` (663c692, PR #4816) https://… expires in 3d" */
export function labLine(lab: LabInfo, now: Date): string {
  const pr = lab.pr !== undefined ? `, PR #${lab.pr}` : "";
  return `\`${lab.branch}\` (${lab.sha.slice(0, 7)}${pr}) ${lab.url}, expires ${expiryText(lab, now)}`;
}

export interface PodCount {
  ready: number;
  total: number;
}

export function labTable(labs: LabInfo[], pods: Map<string, PodCount | undefined>, now: Date): string {
  const rows: string[][] = [];
  for (const lab of labs) {
    const p = pods.get(lab.namespace);
    rows.push([
      lab.branch,
      lab.sha.slice(0, 7),
      lab.owner,
      humanDuration(now.getTime() - lab.createdAt.getTime()),
      expiryText(lab, now),
      p ? `${p.ready}/${p.total}` : "?",
      lab.url,
    ]);
  }
  return formatTable(["BRANCH", "SHA", "OWNER", "AGE", "EXPIRES", "PODS", "URL"], rows);
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
