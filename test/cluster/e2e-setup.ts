import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse, stringify } from "yaml";

// What `npm run test:cluster` runs against, from the environment, and the Tugboat config it generates for one run.

export const E2E_RUN_LABEL = "tugboat.dev/e2e-run";
export const E2E_CLUSTER = "e2e";
/** The Cluster API management cluster, also a cluster of its own in the config (for reading its pools directly). */
export const E2E_CAPI_CLUSTER = "e2e-management";
/** The workload cluster /nodes list is asked about (its Nodes in its own context, its pools in the management one). */
export const E2E_NODES_CLUSTER = "e2e-nodes";
export const E2E_APP = "e2e";
export const E2E_ENV = "e2e";
export const E2E_CANARY_ENV = "e2e-canary";

export interface E2eTarget {
  kubeconfig: string;
  /** The kubeconfig context the flows run in (TUGBOAT_E2E_CONTEXT, else the kubeconfig's current context). */
  context: string;
  imageRepository: string;
  /**
   * Cluster API for /nodes list: the management context holding the MachineDeployments of Cluster `clusterName`,
   * and the workload cluster's own context, where its Nodes are (TUGBOAT_E2E_NODES_CONTEXT, default `context`).
   */
  capi?: { context: string; namespace: string; clusterName: string; workloadContext: string };
}

export const E2E_VARIABLES = `TUGBOAT_E2E_KUBECONFIG (kubeconfig path or list), TUGBOAT_E2E_CONTEXT, TUGBOAT_E2E_IMAGE_REPOSITORY, TUGBOAT_E2E_CAPI_CONTEXT, TUGBOAT_E2E_CAPI_NAMESPACE, TUGBOAT_E2E_CAPI_CLUSTER, TUGBOAT_E2E_NODES_CONTEXT`;

/** The current context of the first kubeconfig file that names one (kubectl's rule for a list). */
function currentContext(kubeconfig: string): string | undefined {
  for (const file of kubeconfig.split(":").filter(Boolean)) {
    try {
      const ctx = (parse(readFileSync(file, "utf8")) as { "current-context"?: unknown } | null)?.["current-context"];
      if (typeof ctx === "string" && ctx) return ctx;
    } catch {
      // A missing file is skipped, as kubectl does; the gateway reports a kubeconfig it cannot use.
    }
  }
  return undefined;
}

/** The target from the environment, or undefined when TUGBOAT_E2E_KUBECONFIG is unset (the run is skipped). */
export function e2eTargetFromEnv(env: NodeJS.ProcessEnv, defaultImageRepository: string): E2eTarget | undefined {
  const kubeconfig = env.TUGBOAT_E2E_KUBECONFIG?.trim();
  if (!kubeconfig) return undefined;
  const files = kubeconfig.split(":").filter(Boolean);
  if (!files.some((f) => existsSync(f))) throw new Error(`TUGBOAT_E2E_KUBECONFIG names no file that exists: ${kubeconfig}`);
  const context = env.TUGBOAT_E2E_CONTEXT?.trim() || currentContext(kubeconfig);
  if (!context) throw new Error(`TUGBOAT_E2E_KUBECONFIG (${kubeconfig}) has no current-context: set TUGBOAT_E2E_CONTEXT`);
  const capiContext = env.TUGBOAT_E2E_CAPI_CONTEXT?.trim();
  const capiCluster = env.TUGBOAT_E2E_CAPI_CLUSTER?.trim();
  if (capiContext && !capiCluster) throw new Error("TUGBOAT_E2E_CAPI_CONTEXT needs TUGBOAT_E2E_CAPI_CLUSTER (the workload Cluster's name)");
  return {
    kubeconfig,
    context,
    imageRepository: env.TUGBOAT_E2E_IMAGE_REPOSITORY?.trim() || defaultImageRepository,
    capi: capiContext
      ? { context: capiContext, namespace: env.TUGBOAT_E2E_CAPI_NAMESPACE?.trim() || "default", clusterName: capiCluster!, workloadContext: env.TUGBOAT_E2E_NODES_CONTEXT?.trim() || context }
      : undefined,
  };
}

/** A run id that is a DNS label prefix, unique enough for concurrent runs on one cluster. */
export function newRunId(): string {
  return `tbe2e-${randomBytes(4).toString("hex")}`;
}

/** The namespaces a run creates (and removes): the app's, and the one holding the review labs' source Secrets. */
export function runNamespaces(runId: string): { app: string; secrets: string } {
  return { app: runId, secrets: `${runId}-secrets` };
}

/** Writes the run's Tugboat config (checked by the real config loader when the harness reads it). */
export function writeE2eConfig(dir: string, target: E2eTarget, runId: string, repo: string): string {
  const ns = runNamespaces(runId);
  const clusters: Record<string, unknown> = { [E2E_CLUSTER]: { context: target.context } };
  if (target.capi) {
    const { context, namespace, clusterName, workloadContext } = target.capi;
    clusters[E2E_NODES_CLUSTER] = { context: workloadContext, nodePools: { context, namespace, clusterName } };
    clusters[E2E_CAPI_CLUSTER] = { context };
  }
  const config = {
    defaultCluster: E2E_CLUSTER,
    clusters,
    environments: {
      [E2E_ENV]: { cluster: E2E_CLUSTER, namespace: ns.app, rolloutTimeoutSeconds: 180 },
      [E2E_CANARY_ENV]: { cluster: E2E_CLUSTER, namespace: ns.app, canaryOf: E2E_ENV, transient: true, rolloutTimeoutSeconds: 180 },
    },
    apps: { [E2E_APP]: { repo, image: target.imageRepository, imageContexts: ["ci/image"] } },
    roles: { admin: { permissions: ["*"] } },
    bindings: [{ role: "admin", users: ["UE2E"] }],
    reviewlab: {
      cluster: E2E_CLUSTER,
      domain: "review-lab.e2e.invalid",
      readyTimeoutSeconds: 180,
      secretSourceNamespace: ns.secrets,
      secretSources: ["common"],
      ingress: { service: "e2e-app", port: 80 },
    },
    nodes: { namespace: target.capi?.namespace ?? "default", readyTimeoutSeconds: 60 },
    coordination: { namespace: ns.app },
  };
  const file = join(dir, "tugboat.yaml");
  writeFileSync(file, stringify(config));
  return file;
}
