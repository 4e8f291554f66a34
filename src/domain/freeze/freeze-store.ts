import { isGatewayError } from "../../gateways/types.js";
import type { V1Lease } from "../../gateways/kube-models.js";
import { ANN_EXPIRES, SLACK_ID, coordinationLease, digest, microTime, type Coordination } from "../replicas/coordination.js";
import type { FreezeWindow } from "./freeze-windows.js";

// Ad hoc freezes (`/deploy freeze ENV DURATION REASON`): one Lease per environment in Tugboat's coordination
// namespace, `tugboat-freeze-<env>`, so every replica sees it and it survives restarts. The Lease's holder is the
// person who froze it, its duration the freeze's; the reason and end are annotations. A Lease read back is checked
// field by field (anyone with rights in that namespace could have edited it): what does not parse is not a freeze.

const ANN_OWNER = "tugboat.dev/owner";
const ANN_REASON = "tugboat.dev/reason";
const ANN_START = "tugboat.dev/freeze-start";
const LABEL_ENVIRONMENT = "tugboat.dev/environment";
/** Longest ad hoc freeze: longer ones belong in the config, where they are reviewed. */
export const MAX_FREEZE_SECONDS = 14 * 24 * 3600;
const MAX_REASON = 200;

/** `tugboat-freeze-<env>`; a name that is not a DNS label goes by a digest. */
export function freezeLeaseName(environment: string): string {
  return /^[a-z0-9]([a-z0-9-]{0,40}[a-z0-9])?$/.test(environment) ? `tugboat-freeze-${environment}` : `tugboat-freeze-${digest(environment, 16)}`;
}

export function freezeFromLease(lease: V1Lease, environment: string, now: Date): FreezeWindow | undefined {
  const ann = lease.metadata?.annotations ?? {};
  if (lease.metadata?.labels?.[LABEL_ENVIRONMENT] !== environmentLabel(environment)) return undefined;
  const start = Date.parse(ann[ANN_START] ?? "");
  const end = Date.parse(ann[ANN_EXPIRES] ?? "");
  const by = ann[ANN_OWNER] ?? "";
  if (!Number.isFinite(start) || !Number.isFinite(end) || end <= now.getTime() || start > end) return undefined;
  if (end - start > MAX_FREEZE_SECONDS * 1000 + 60_000) return undefined;
  const reason = readableReason(ann[ANN_REASON] ?? "");
  return { kind: "ad-hoc", name: "ad hoc freeze", environment, reason, start: new Date(start), end: new Date(end), by: SLACK_ID.test(by) ? by : undefined };
}

/** A reason read back that is too long or holds control or invisible characters is not shown as typed. */
function readableReason(text: string): string {
  if (text === "") return "(no reason given)";
  if ([...text].length > MAX_REASON || /[\p{Cc}\p{Cf}\p{Co}\p{Cn}\u2028\u2029]/u.test(text)) return "(reason unreadable)";
  return text;
}

/** Label values allow 63 characters of [A-Za-z0-9._-]; environment names are checked to that shape already. */
function environmentLabel(environment: string): string {
  return environment.slice(0, 63);
}

export interface FreezeRequest {
  environment: string;
  by: string;
  reason: string;
  seconds: number;
}

/**
 * Freezes `environment` from now for `seconds`, replacing an earlier ad hoc freeze (read first, written with its
 * resourceVersion, so of two people freezing at once one is told to try again). Returns the freeze it replaced.
 */
export async function putAdHocFreeze(c: Coordination, req: FreezeRequest): Promise<{ freeze: FreezeWindow; replaced?: FreezeWindow }> {
  const name = freezeLeaseName(req.environment);
  const now = c.now();
  const end = new Date(now.getTime() + req.seconds * 1000);
  const current = await c.cluster.leases.find(name, c.namespace);
  const body = coordinationLease(c, name, "freeze", {
    resourceVersion: current?.metadata?.resourceVersion,
    labels: { [LABEL_ENVIRONMENT]: environmentLabel(req.environment) },
    annotations: { [ANN_OWNER]: req.by, [ANN_REASON]: req.reason, [ANN_START]: now.toISOString(), [ANN_EXPIRES]: end.toISOString() },
    spec: { holderIdentity: `freeze:${req.by}`, leaseDurationSeconds: req.seconds, acquireTime: microTime(now), renewTime: microTime(now) },
  });
  const written = current ? await c.cluster.leases.replace(body) : await c.cluster.leases.create(body);
  const freeze = freezeFromLease(written, req.environment, now);
  if (!freeze) throw new Error(`the freeze Lease ${name} did not read back as a freeze`);
  return { freeze, replaced: current ? freezeFromLease(current, req.environment, now) : undefined };
}

/** Lifts the ad hoc freeze of `environment`; returns what was lifted (undefined when none was live). */
export async function removeAdHocFreeze(c: Coordination, environment: string): Promise<FreezeWindow | undefined> {
  const name = freezeLeaseName(environment);
  const current = await c.cluster.leases.find(name, c.namespace);
  if (!current) return undefined;
  try {
    await c.cluster.leases.delete(name, c.namespace, { preconditions: { resourceVersion: current.metadata?.resourceVersion } });
  } catch (err) {
    if (!isGatewayError(err, "not-found")) throw err;
  }
  return freezeFromLease(current, environment, c.now());
}
