import type { Harness } from "../../helpers/harness.js";

// Shared facts and look-ups for the /deploy and /canary tests.

export const SHAS = {
  main: "0c6121e4cc22cb1339ba8e9694640db55a1c1b31",
  staging: "4e2b69b7257d0acef565ae51b930fda4288aa759",
  pr4812: "eed486a1e3c237947f6d05a688220f3d3d81f035",
  pr4813: "0da8a4352f6e38c3291ab8bf29fc4c9bcf1a4ceb",
  pr4814: "5b6d0fbafdfd99b84f1b0fc998dffb8944f99f70",
  pr4816: "663c692a0f1296edefa2dbd3fa35d535f8881708",
};
export const IMAGE = "registry.example.com/github";
export const REPO = "octo/github";

export function deployment(h: Harness, cluster: string, namespace: string, name: string): any {
  return h.sandbox.clusters[cluster]!.getObject("apps/v1", "Deployment", namespace, name);
}

/** The app container's image of each of the app's Deployments. */
export function appImages(h: Harness, cluster: string, namespace: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const d of h.sandbox.clusters[cluster]!.listObjects("apps/v1", "Deployment", namespace)) {
    const c = (d.spec.template.spec.containers as any[]).find((x) => String(x.image).startsWith(`${IMAGE}:`));
    if (c) out[d.metadata.name] = c.image;
  }
  return out;
}

export function githubDeployments(h: Harness, environment?: string): any[] {
  return h.sandbox.github.store.deployments(REPO).filter((d) => !environment || d.environment === environment);
}

export function githubState(h: Harness, id: number): string | undefined {
  return h.sandbox.github.store.deploymentState(REPO, id);
}

export function githubStates(h: Harness, id: number): string[] {
  return h.sandbox.github.store.deploymentStatuses(REPO, id).map((s) => s.state);
}
