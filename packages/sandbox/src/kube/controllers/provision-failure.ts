/**
 * The status of a Machine whose infrastructure cannot be provisioned, as Cluster API 1.11 reports it with a
 * v1beta2-contract infrastructure provider: the phase stays Provisioning (Failed is no longer set), there is no
 * failureReason/failureMessage, and the reason is only in the new (v1beta2) conditions; the old v1beta1 conditions just
 * say the infrastructure is not ready yet. Stored in the v1beta1 shape CAPI 1.9+ uses: the old conditions in
 * `status.conditions`, the new ones in `status.v1beta2.conditions` (v1beta2 serves these as `status.conditions` and
 * the old ones under `status.deprecated.v1beta1`). So a client that reads only the old conditions sees a Machine
 * that is still provisioning.
 *
 * `failure` is "Reason: message" (the sandbox.tugboat.dev/provision-failure annotation); a value without ": " is
 * only a message, with reason InstanceProvisionFailed. Idempotent: a condition already reporting the same reason
 * keeps its lastTransitionTime, so reconciling again writes nothing.
 */
export function provisionFailedStatus(status: any, failure: string, at: string): any {
  const split = /^([A-Za-z][A-Za-z0-9]*): ([\s\S]+)$/.exec(failure);
  const reason = split ? split[1]! : "InstanceProvisionFailed";
  const message = split ? split[2]! : failure || "the infrastructure provider could not create the instance";
  const old: any[] = status?.conditions ?? [];
  const oldV2: any[] = status?.v1beta2?.conditions ?? [];
  const keep = (list: any[], next: any) => {
    const prev = list.find((c) => c.type === next.type);
    return prev && prev.status === next.status && prev.reason === next.reason && prev.message === next.message ? prev : next;
  };
  const infraMessage = `* AWSMachine: ${message}`;
  return {
    ...status,
    phase: "Provisioning",
    bootstrapReady: true,
    infrastructureReady: false,
    conditions: [
      keep(old, { type: "Ready", status: "False", severity: "Info", reason: "WaitingForInfrastructure", lastTransitionTime: at }),
      keep(old, { type: "BootstrapReady", status: "True", lastTransitionTime: at }),
      keep(old, { type: "InfrastructureReady", status: "False", severity: "Info", reason: "WaitingForInfrastructure", lastTransitionTime: at }),
    ],
    v1beta2: {
      ...(status?.v1beta2 ?? {}),
      conditions: [
        keep(oldV2, { type: "Available", status: "False", reason: "NotReady", message: "* Ready: not ready", lastTransitionTime: at }),
        keep(oldV2, { type: "Ready", status: "False", reason: "NotReady", message: `* InfrastructureReady: ${message}`, lastTransitionTime: at }),
        keep(oldV2, { type: "BootstrapConfigReady", status: "True", reason: "Ready", message: "", lastTransitionTime: at }),
        keep(oldV2, { type: "InfrastructureReady", status: "False", reason, message: infraMessage, lastTransitionTime: at }),
        keep(oldV2, { type: "NodeReady", status: "Unknown", reason: "NodeDoesNotExist", message: "* Node does not exist", lastTransitionTime: at }),
        keep(oldV2, { type: "NodeHealthy", status: "Unknown", reason: "NodeDoesNotExist", message: "* Node does not exist", lastTransitionTime: at }),
      ],
    },
  };
}
