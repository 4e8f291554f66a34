import type { CapiCondition, Machine } from "../../gateways/kube-models.js";

// Why a Cluster API Machine has no Node, read the way each API version reports it:
// - v1beta1 before CAPI 1.11: status.failureReason / failureMessage (and phase Failed);
// - v1beta2 (CAPI 1.11+, preferred and stored): status.deprecated.v1beta1.failureReason / failureMessage, usually
//   unset because v1beta2-contract providers no longer set them and the Failed phase is gone: the reason is in the
//   conditions (status.conditions in v1beta2, status.v1beta2.conditions in v1beta1 from CAPI 1.9 on), e.g.
//   InfrastructureReady False with the provider's reason and message.

/** Conditions whose False status means the Machine cannot get (or is still waiting for) a Node. */
const PROVISIONING_CONDITIONS = ["InfrastructureReady", "BootstrapConfigReady", "BootstrapReady"];

/**
 * Reasons that only say "not yet": CAPI's generic ones and the usual provider waiting reasons. Every other reason on a
 * False provisioning condition is a problem the provider reported (InstanceProvisionFailed, InstanceLimitExceeded, …).
 */
const WAITING_REASONS = new Set([
  "NotReady",
  "ReadyUnknown",
  "NotProvisioned",
  "Provisioning",
  "WaitingForBootstrapData",
  "WaitingForClusterInfrastructure",
  "WaitingForControlPlaneAvailable",
  "WaitingForInfrastructure",
  "InstanceProvisionStarted",
  "DataSecretNotAvailable",
  "DoesNotExist",
  "ObjectDoesNotExist",
  "InternalError",
  "InspectionFailed",
  "ConnectionDown",
]);

export interface MachineProblem {
  /** One line: "InfrastructureReady: InstanceLimitExceeded: You have requested more instances…". */
  text: string;
  /** true for a terminal failure (phase Failed, a failureReason, or an Error-severity / non-waiting reason). */
  failed: boolean;
}

function isV1beta2(m: Machine): boolean {
  return /\/v1beta2$/.test(m.apiVersion ?? "");
}

/** The new-style (v1beta2) conditions, wherever this version keeps them. */
export function machineConditions(m: Machine): CapiCondition[] {
  const list = isV1beta2(m) ? m.status?.conditions : m.status?.v1beta2?.conditions;
  return Array.isArray(list) ? list : [];
}

/** failureReason/failureMessage from either version. */
function legacyFailure(m: Machine): string | undefined {
  const st = m.status ?? {};
  const old = st.deprecated?.v1beta1 ?? {};
  const reason = st.failureReason ?? old.failureReason;
  const message = st.failureMessage ?? old.failureMessage;
  if (!reason && !message) return undefined;
  return [reason, message].filter(Boolean).join(": ");
}

function clean(message: string | undefined): string {
  // CAPI prefixes mirrored messages with "* Kind: " bullets; one line is enough for chat.
  return (message ?? "")
    .split("\n")
    .map((l) => l.replace(/^\s*\*\s*/, "").trim())
    .filter(Boolean)
    .join("; ");
}

export function machineProblem(m: Machine): MachineProblem | undefined {
  const legacy = legacyFailure(m);
  if (legacy) return { text: legacy, failed: true };
  if (m.status?.phase === "Failed") return { text: "phase Failed", failed: true };
  const conditions = [...machineConditions(m), ...(isV1beta2(m) ? [] : (m.status?.conditions ?? []))];
  for (const type of PROVISIONING_CONDITIONS) {
    const c = conditions.find((x) => x.type === type && x.status === "False");
    if (!c) continue;
    const reason = c.reason ?? "";
    const message = clean(c.message);
    const failed = c.severity === "Error" || (reason !== "" && !WAITING_REASONS.has(reason) && !/^WaitingFor/.test(reason));
    if (!failed && !message) continue;
    return { text: [type, reason, message].filter(Boolean).join(": "), failed };
  }
  return undefined;
}
