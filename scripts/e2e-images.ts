// `npx tsx scripts/e2e-images.ts`: the image references `npm run test:cluster` deploys, one a line, to retag a small
// public image as and load into the cluster first (docs/testing.md). TUGBOAT_E2E_IMAGE_REPOSITORY changes the repository.
import { DEFAULT_IMAGE_REPOSITORY, e2eImages } from "../test/cluster/e2e-repo.js";

process.stdout.write(`${e2eImages(process.env.TUGBOAT_E2E_IMAGE_REPOSITORY?.trim() || DEFAULT_IMAGE_REPOSITORY).join("\n")}\n`);
