import type { LabInfo } from "../../domain/reviewlab/lab-metadata.js";
import { expiryText, type PodCount } from "../../domain/reviewlab/describe-lab.js";
import { humanDuration } from "../../domain/format/human-duration.js";
import { formatTable } from "../../domain/format/text-table.js";

// The lab table of /reviewlab list, and durations as replies print them.

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
