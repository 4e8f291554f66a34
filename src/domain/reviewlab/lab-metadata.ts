import type { V1Namespace } from "../../gateways/kube-models.js";
import { isLabelValue, labNamespace } from "./make-slug.js";

// What Tugboat records on a review lab's Namespace. Labels hold selectable, label-safe values; everything
// free-form (branch names, timestamps, URLs) lives in annotations, which are the source of truth.

export const LAB_LABEL = "tugboat.dev/review-lab";
export const LAB_SELECTOR = `${LAB_LABEL}=true`;
export const K = {
  app: "tugboat.dev/app",
  branch: "tugboat.dev/branch",
  slug: "tugboat.dev/slug",
  sha: "tugboat.dev/sha",
  pr: "tugboat.dev/pr",
  owner: "tugboat.dev/owner",
  createdAt: "tugboat.dev/created-at",
  updatedAt: "tugboat.dev/updated-at",
  expiresAt: "tugboat.dev/expires-at",
  /** Label twin of expires-at, in Unix seconds, so expiry is selectable. */
  expires: "tugboat.dev/expires",
  url: "tugboat.dev/url",
  /** "true" while the lab is pinned: the reaper does not remove it when it expires. */
  pinned: "tugboat.dev/pinned",
  deployment: "tugboat.dev/github-deployment",
  /** The PR comment that tells the lab's state, edited in place by every `up` and by its removal. */
  comment: "tugboat.dev/pr-comment",
} as const;

export interface LabInfo {
  namespace: string;
  slug: string;
  app: string;
  branch: string;
  sha: string;
  pr?: number;
  /** Slack user id of whoever first brought the lab up. */
  owner: string;
  createdAt: Date;
  /** Time of the last `up`. */
  updatedAt: Date;
  expiresAt: Date;
  url: string;
  /** The GitHub Deployment of the last `up`. */
  deploymentId?: number;
  /** The PR comment Tugboat keeps up to date (of `pr`). */
  commentId?: number;
  /** Kept past its expiry until unpinned (`/reviewlab pin`); closing its PR still removes it. */
  pinned: boolean;
  /** The Namespace is being deleted. */
  terminating: boolean;
}

/** A label value for arbitrary text: invalid characters become "_", cut to 63, trimmed to alphanumerics. */
export function labelValue(text: string): string {
  if (isLabelValue(text)) return text;
  return text
    .replace(/[^A-Za-z0-9_.-]/g, "_")
    .slice(0, 63)
    .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, "");
}

/** The Namespace object applied on every `up` (server-side apply: the whole set of Tugboat's fields). */
export function labNamespaceObject(lab: Omit<LabInfo, "terminating" | "pinned"> & { pinned?: boolean }): V1Namespace {
  const labels: Record<string, string> = {
    "app.kubernetes.io/managed-by": "tugboat",
    [LAB_LABEL]: "true",
    [K.app]: labelValue(lab.app),
    [K.slug]: lab.slug,
    [K.sha]: labelValue(lab.sha),
    [K.owner]: labelValue(lab.owner),
    [K.expires]: String(Math.floor(lab.expiresAt.getTime() / 1000)),
  };
  if (lab.pr !== undefined) labels[K.pr] = String(lab.pr);
  const annotations: Record<string, string> = {
    [K.app]: lab.app,
    [K.branch]: lab.branch,
    [K.sha]: lab.sha,
    [K.owner]: lab.owner,
    [K.createdAt]: lab.createdAt.toISOString(),
    [K.updatedAt]: lab.updatedAt.toISOString(),
    [K.expiresAt]: lab.expiresAt.toISOString(),
    [K.url]: lab.url,
  };
  if (lab.pr !== undefined) annotations[K.pr] = String(lab.pr);
  if (lab.deploymentId !== undefined) annotations[K.deployment] = String(lab.deploymentId);
  if (lab.commentId !== undefined) annotations[K.comment] = String(lab.commentId);
  if (lab.pinned) annotations[K.pinned] = "true";
  return { apiVersion: "v1", kind: "Namespace", metadata: { name: lab.namespace, labels, annotations } };
}

/** The merge patch that moves a lab's expiry. */
export function expiryPatch(expiresAt: Date): Pick<V1Namespace, "metadata"> {
  return {
    metadata: {
      labels: { [K.expires]: String(Math.floor(expiresAt.getTime() / 1000)) },
      annotations: { [K.expiresAt]: expiresAt.toISOString() },
    },
  };
}

/** The merge patch that records the lab's PR comment. */
export function commentPatch(commentId: number): { metadata: { annotations: Record<string, string> } } {
  return { metadata: { annotations: { [K.comment]: String(commentId) } } };
}

/** The merge patch that pins or unpins a lab (null removes the annotation). */
export function pinPatch(pinned: boolean): { metadata: { annotations: Record<string, string | null> } } {
  return { metadata: { annotations: { [K.pinned]: pinned ? "true" : null } } };
}

/**
 * A Namespace Tugboat made for a lab: its labels, and the very name Tugboat derives from the recorded branch.
 * Anything else (a team namespace that merely carries the label, a hand-made copy) is never read as a lab, so
 * neither `down` nor the reaper deletes it.
 */
export function isLabNamespace(ns: V1Namespace): boolean {
  const labels = ns.metadata?.labels ?? {};
  const branch = ns.metadata?.annotations?.[K.branch];
  return (
    labels[LAB_LABEL] === "true" &&
    labels["app.kubernetes.io/managed-by"] === "tugboat" &&
    typeof branch === "string" &&
    branch !== "" &&
    ns.metadata?.name === labNamespace(branch)
  );
}

function date(value: string | undefined, fallback: Date): Date {
  const t = value ? Date.parse(value) : NaN;
  return Number.isNaN(t) ? fallback : new Date(t);
}

/** Reads a lab back from its Namespace. Undefined for namespaces Tugboat did not make. */
export function readLab(ns: V1Namespace): LabInfo | undefined {
  if (!isLabNamespace(ns)) return undefined;
  const a = ns.metadata?.annotations ?? {};
  const l = ns.metadata?.labels ?? {};
  const created = date(a[K.createdAt] ?? ns.metadata?.creationTimestamp, new Date(0));
  const pr = Number(a[K.pr]);
  const deploymentId = Number(a[K.deployment]);
  const commentId = Number(a[K.comment]);
  return {
    namespace: ns.metadata?.name ?? "",
    slug: l[K.slug] ?? "",
    app: a[K.app] ?? l[K.app] ?? "",
    branch: a[K.branch] ?? "",
    sha: a[K.sha] ?? "",
    pr: Number.isSafeInteger(pr) && pr > 0 ? pr : undefined,
    owner: a[K.owner] ?? "",
    createdAt: created,
    updatedAt: date(a[K.updatedAt], created),
    // A lab without a readable expiry counts as expired: the reaper removes what it cannot account for.
    expiresAt: date(a[K.expiresAt], new Date(0)),
    url: a[K.url] ?? "",
    deploymentId: Number.isSafeInteger(deploymentId) && deploymentId > 0 ? deploymentId : undefined,
    commentId: Number.isSafeInteger(commentId) && commentId > 0 ? commentId : undefined,
    pinned: a[K.pinned] === "true",
    terminating: Boolean(ns.metadata?.deletionTimestamp) || ns.status?.phase === "Terminating",
  };
}
