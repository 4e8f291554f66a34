import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";

// The app repository the end-to-end run deploys from, served by the embedded GitHub sandbox (a real GitHub is
// not reachable from the test). Generated per run: its branch names carry the run id, so review-lab namespaces of
// two runs on one cluster do not collide.
//
// "The tag is the commit sha": Tugboat deploys `<apps.e2e.image>:<sha>`. No public registry has an image tagged
// with these shas, so the commits have FIXED shas (below) and the cluster must have the image under those tags
// before the run (docs/testing.md: retag a small public image and `kind load` / `k3d image import` it; the
// manifests say imagePullPolicy: IfNotPresent). The embedded sandbox pulls any image.

export const E2E_REPO = "tugboat-e2e/app";
/** The image repository Tugboat deploys (apps.e2e.image); override with TUGBOAT_E2E_IMAGE_REPOSITORY. */
export const DEFAULT_IMAGE_REPOSITORY = "tugboat-e2e.local/app";

export const E2E_SHAS = {
  main: "e2e1000000000000000000000000000000000000",
  first: "e2e2000000000000000000000000000000000000",
  second: "e2e3000000000000000000000000000000000000",
} as const;

/** The images the cluster must hold before a run (one per commit Tugboat may deploy). */
export function e2eImages(imageRepository: string): string[] {
  return Object.values(E2E_SHAS).map((sha) => `${imageRepository}:${sha}`);
}

export interface E2eRepo {
  seedFile: string;
  repoFilesDir: string;
  /** PR numbers and their branches. */
  prs: { first: { number: number; branch: string }; second: { number: number; branch: string } };
}

/** A Deployment running the app image and its Service; a review lab's copy also names its namespace and slug. */
function appManifests(lab: boolean): string {
  const meta = lab ? "\n  namespace: {{namespace}}" : "";
  const labLabel = lab ? ', review-lab: "{{slug}}"' : "";
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: e2e-app${meta}
  labels: { app: e2e-app${labLabel} }
spec:
  replicas: 1
  progressDeadlineSeconds: 120
  selector:
    matchLabels: { app: e2e-app }
  template:
    metadata:
      labels: { app: e2e-app }
    spec:
      terminationGracePeriodSeconds: 1
      containers:
        - name: app
          image: {{image}}
          imagePullPolicy: IfNotPresent
          args: ["netexec", "--http-port=8080"]
          ports:
            - { name: http, containerPort: 8080 }
---
apiVersion: v1
kind: Service
metadata:
  name: e2e-app${meta}
  labels: { app: e2e-app${labLabel} }
spec:
  selector: { app: e2e-app }
  ports:
    - { name: http, port: 80, targetPort: http }
`;
}

export function writeE2eRepo(dir: string, runId: string): E2eRepo {
  const repoFilesDir = join(dir, "repos");
  const files = join(repoFilesDir, E2E_REPO.replace("/", "-"), "config/kubernetes");
  mkdirSync(join(files, "e2e"), { recursive: true });
  mkdirSync(join(files, "review-lab"), { recursive: true });
  writeFileSync(join(files, "e2e", "app.yaml"), appManifests(false));
  writeFileSync(join(files, "review-lab", "app.yaml"), appManifests(true));

  const prs = { first: { number: 1, branch: `${runId}-first` }, second: { number: 2, branch: `${runId}-second` } };
  const date = "2026-01-01T00:00:00Z";
  const seed = {
    users: [
      { login: "tugboat-bot", id: 1, name: "Tugboat" },
      { login: "e2e-author", id: 2, name: "E2E" },
    ],
    tokens: { "sandbox-token": "tugboat-bot" },
    repos: [
      {
        full_name: E2E_REPO,
        default_branch: "main",
        commits: [
          { sha: E2E_SHAS.main, message: "Initial commit", author: "e2e-author", date, parents: [] },
          { sha: E2E_SHAS.first, message: "First change", author: "e2e-author", date, parents: [E2E_SHAS.main] },
          { sha: E2E_SHAS.second, message: "Second change", author: "e2e-author", date, parents: [E2E_SHAS.main] },
        ],
        branches: { main: E2E_SHAS.main, [prs.first.branch]: E2E_SHAS.first, [prs.second.branch]: E2E_SHAS.second },
        pulls: [
          { number: prs.first.number, title: "First change", user: "e2e-author", head: prs.first.branch, sha: E2E_SHAS.first, base: "main", state: "open", created_at: date },
          { number: prs.second.number, title: "Second change", user: "e2e-author", head: prs.second.branch, sha: E2E_SHAS.second, base: "main", state: "open", created_at: date },
        ],
        statuses: Object.values(E2E_SHAS).map((sha) => ({ sha, context: "ci/image", state: "success", description: "Image pushed" })),
      },
    ],
  };
  const seedFile = join(dir, "github.yaml");
  writeFileSync(seedFile, stringify(seed));
  return { seedFile, repoFilesDir, prs };
}
